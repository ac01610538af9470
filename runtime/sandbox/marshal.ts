/**
 * Whatever crosses the boundary is JSON text: size-checked here before it is parsed, and parsed
 * so that `__proto__` / `constructor` / `prototype` keys never reach a host object.
 */
import { RuntimeError } from "../errors.ts";

const FORBIDDEN_KEYS = new Set(["__proto__", "constructor", "prototype"]);

/** Parses JSON from the isolate, refusing oversized text and dropping prototype-polluting keys. */
export function parseFromIsolate<T = unknown>(text: unknown, maxBytes: number, what: string): T {
  if (typeof text !== "string") throw new RuntimeError("bad_request", `${what} must be JSON text.`);
  if (text.length > maxBytes) {
    throw new RuntimeError(
      "limit_exceeded",
      `${what} is ${formatBytes(text.length)}, over the limit of ${formatBytes(maxBytes)}.`,
    );
  }
  return JSON.parse(text, (key, value) => (FORBIDDEN_KEYS.has(key) ? undefined : value)) as T;
}

export function formatBytes(bytes: number): string {
  if (bytes >= 1024 * 1024) return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
  if (bytes >= 1024) return `${(bytes / 1024).toFixed(1)} KB`;
  return `${bytes} bytes`;
}
