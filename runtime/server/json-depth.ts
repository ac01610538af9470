/**
 * Request bodies nested deeper than MAX_JSON_DEPTH are refused with 400 `validation_error`
 * before anything runs: deep values overflow the stack of whatever serialises them next (worker
 * IPC, the store), and no record needs more. Measured without recursion.
 */
import { RuntimeError } from "../errors.ts";

export const MAX_JSON_DEPTH = 64;

/** Depth of a parsed JSON value (a scalar is 0, `{}` and `[]` are 1), counted up to `limit + 1`. */
export function jsonDepth(value: unknown, limit = MAX_JSON_DEPTH): number {
  let deepest = 0;
  const stack: [unknown, number][] = [[value, 0]];
  while (stack.length) {
    const [current, depth] = stack.pop()!;
    if (current === null || typeof current !== "object") continue;
    const here = depth + 1;
    if (here > deepest) deepest = here;
    if (deepest > limit) return deepest;
    for (const child of Object.values(current)) stack.push([child, here]);
  }
  return deepest;
}

export function assertJsonDepth(body: unknown): void {
  if (jsonDepth(body) > MAX_JSON_DEPTH)
    throw new RuntimeError(
      "validation_error",
      `The request body is nested more than ${MAX_JSON_DEPTH} levels deep; flatten the value (e.g. c_json_data) and send it again.`,
    );
}
