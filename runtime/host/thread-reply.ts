/**
 * How a task in one of the host's worker-thread pools (cpu/, documents/) answers: plain data in,
 * `{ ok }` or `{ error: { code, message } }` out — our coded errors cross the thread as they are,
 * anything else as `bad_request` with its first line only (no host stack).
 */
import { type ErrorCode, isRuntimeError, RuntimeError, toErrorCode } from "../errors.ts";

/** `cpuMs`: the CPU time the task itself used on its thread (not its wait for a thread, nor the thread's start). */
export type TaskReply<T> = ({ ok: T } | { error: { code: ErrorCode; message: string } }) & { cpuMs?: number };

/** CPU time of the calling thread so far, ms. */
function threadCpuMs(): number {
  const { user, system } = process.threadCpuUsage();
  return (user + system) / 1000;
}

/** Worker side: runs the task and shapes its outcome, with the CPU time it took. */
export async function reply<T>(work: () => Promise<T> | T): Promise<TaskReply<T>> {
  const start = threadCpuMs();
  try {
    const ok = await work();
    return { ok, cpuMs: threadCpuMs() - start };
  } catch (error) {
    const cpuMs = threadCpuMs() - start;
    if (isRuntimeError(error)) return { error: { code: error.code, message: error.message }, cpuMs };
    const message = String((error as Error)?.message ?? error).split("\n")[0];
    return { error: { code: "bad_request", message }, cpuMs };
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
