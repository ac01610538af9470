/**
 * How a task in one of the host's worker-thread pools (cpu/, documents/) answers: plain data in,
 * `{ ok }` or `{ error: { code, message } }` out — our coded errors cross the thread as they are,
 * anything else as `bad_request` with its first line only (no host stack).
 */
import { type ErrorCode, isRuntimeError, RuntimeError, toErrorCode } from "../errors.ts";

export type TaskReply<T> = { ok: T } | { error: { code: ErrorCode; message: string } };

/** Worker side: runs the task and shapes its outcome. */
export async function reply<T>(work: () => Promise<T> | T): Promise<TaskReply<T>> {
  try {
    return { ok: await work() };
  } catch (error) {
    if (isRuntimeError(error)) return { error: { code: error.code, message: error.message } };
    return {
      error: { code: "bad_request", message: String((error as Error)?.message ?? error).split("\n")[0] },
    };
  }
}

/** Host side: the task's value, or its error rebuilt as a RuntimeError. */
export function unwrapReply<T>(answer: TaskReply<T>): T {
  if ("error" in answer) throw new RuntimeError(toErrorCode(answer.error.code), answer.error.message);
  return answer.ok;
}

/** A thread that hit its heap limit (piscina replaces it). */
export function isThreadOutOfMemory(error: unknown): boolean {
  return (error as { code?: string } | null)?.code === "ERR_WORKER_OUT_OF_MEMORY";
}
