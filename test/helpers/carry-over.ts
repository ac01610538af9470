/**
 * The app-carry-over fixture, run by two users in one warm context: what the isolation and
 * randomness tests (test/security/) share — the runtime with the app loaded, the two users, and
 * an action's JSON answer (its c_text).
 */
import { join } from "node:path";
import { expect } from "vitest";
import { asDeveloper } from "../../runtime/index.ts";
import type { ActionResult } from "../../runtime/actions/index.ts";
import type { RuntimeOptions } from "../../runtime/runs/index.ts";
import { FIXTURE_APPS, startRuntime, type TestRuntime } from "./runtime.ts";

export const USER_A = { id: "user-a", name: "User A", isAdmin: false };
export const USER_B = { id: "user-b", name: "User B", isAdmin: false };

/** A runtime over a fresh store with app-carry-over (alias CARRY) installed. */
export async function startCarryOver(options: Partial<RuntimeOptions> = {}): Promise<TestRuntime> {
  const t = await startRuntime(options);
  await t.runtime.loadApp(join(FIXTURE_APPS, "app-carry-over"));
  return t;
}

/** The action's answer: the JSON it wrote into c_text (a failed run throws with its error). */
export function textOf<T = unknown>(result: ActionResult): T {
  if (!result.ok) throw new Error(`${result.error.code}: ${result.error.message}`);
  return JSON.parse(String(result.entity.c_text)) as T;
}

/** Runs a CARRY action as `user` and answers its c_text. */
export async function runAs<T>(t: TestRuntime, action: string, user: typeof USER_A): Promise<T> {
  return textOf<T>(await t.runtime.run({ app: "CARRY", action, caller: asDeveloper(user) }));
}

/** Runs `action` as user A, then as user B, and checks that both ran in the same warm context. */
export async function asAThenB<T>(t: TestRuntime, action: string): Promise<[T, T]> {
  const pool = t.runtime.config.pool;
  const first = await runAs<T>(t, action, USER_A);
  const contexts = pool.contextsCreated;
  const second = await runAs<T>(t, action, USER_B);
  expect(pool.contextsCreated, "both actions ran in the same warm context").toBe(contexts);
  return [first, second];
}
