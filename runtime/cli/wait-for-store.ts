/**
 * `serve` started while its database is down waits for it (with backoff, saying so on stderr)
 * instead of exiting: a server must come up by itself once the database is back.
 */
import { isRuntimeError } from "../errors.ts";
import { isPermanentStoreError } from "../store/index.ts";

const MAX_DELAY_MS = 10_000;

export async function openWhenReachable<T>(
  open: () => Promise<T>,
  say: (message: string) => void = (message) => console.error(message),
): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await open();
    } catch (error) {
      if (!isRuntimeError(error) || error.code !== "store_unavailable" || isPermanentStoreError(error))
        throw error;
      const delayMs = Math.min(500 * 2 ** attempt, MAX_DELAY_MS);
      say(`The database is not reachable; trying again in ${delayMs / 1000} s.`);
      await new Promise((resolve) => setTimeout(resolve, delayMs));
    }
  }
}
