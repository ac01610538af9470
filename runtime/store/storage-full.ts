/**
 * A full disk, told as what it is (`isDiskFull` in errors.ts: SQLITE_FULL, Postgres `53100`,
 * ENOSPC, EDQUOT become `storage_full`, 507, with a message an admin can act on). The store
 * remembers it: after a write failed that way its `ping` fails too, so `/health` is not ready
 * while writes fail — until a commit succeeds again, or STORAGE_FULL_WINDOW_MS passes without
 * another failure (a load balancer then sends traffic again, which finds out whether there is
 * space; without that window a node taken out of rotation could never see a commit succeed).
 */
import { isDiskFull, isRuntimeError, storageFull } from "../errors.ts";
import type { Store } from "./ports.ts";

export const STORAGE_FULL_WINDOW_MS = 30_000;

/** Wraps every store method: disk-full errors become storage_full and are remembered for `ping`. */
export function watchStorage(store: Store, now: () => number = Date.now): Store {
  let fullAt = Number.NEGATIVE_INFINITY;
  let committedAt = Number.NEGATIVE_INFINITY;
  const watched = { ...store } as Record<string, unknown>;
  for (const [name, method] of Object.entries(store)) {
    if (typeof method !== "function") continue;
    watched[name] = async (...args: unknown[]) => {
      if (name === "ping" && fullAt > committedAt && now() - fullAt < STORAGE_FULL_WINDOW_MS)
        throw storageFull();
      try {
        const result = await (method as (...a: unknown[]) => Promise<unknown>).apply(store, args);
        if (name === "commit") committedAt = now();
        return result;
      } catch (error) {
        if (!isDiskFull(error)) throw error;
        fullAt = now();
        throw isRuntimeError(error) ? error : storageFull(error);
      }
    };
  }
  return watched as unknown as Store;
}
