/**
 * The process-wide policy for a promise rejection nobody handled, in a long-running server.
 * Node's default ends the process: one forgotten `.catch` in a library (graphile-worker marks
 * jobs done without awaiting it) would take every request and job down with it. Such a rejection
 * leaves no half-written state here — every write is one transaction, a job's commit carries its
 * mark — so the server logs it with what is known and serves on. Exceptions thrown synchronously
 * (`uncaughtException`) still end the process: their state is unknown.
 */
import type { FastifyBaseLogger } from "fastify";

export const UNHANDLED_REJECTION_MESSAGE =
  "unhandled promise rejection (a bug: please report it); serving on";

export function logUnhandledRejections(log: FastifyBaseLogger): () => void {
  const onRejection = (reason: unknown) => {
    const error = reason instanceof Error ? reason : new Error(String(reason));
    log.error(
      {
        error: { name: error.name, message: error.message, code: (error as { code?: unknown }).code },
        stack: error.stack,
      },
      UNHANDLED_REJECTION_MESSAGE,
    );
  };
  process.on("unhandledRejection", onRejection);
  return () => process.off("unhandledRejection", onRejection);
}
