/**
 * The server's log: pino JSON lines on stdout, written in batches (an async destination that
 * writes once ~4 KB are buffered, and at least every 200 ms), so logging every request at `info`
 * does not cost a write system call per request. One line per request, when it is answered.
 *
 * @example
 *   const log = createServerLog("info");
 *   const server = await createServer({ ..., logger: log.logger });
 *   log.flush(); // on shutdown
 */
import { type FastifyReply, type FastifyRequest, LogController } from "fastify";
import pino, { type Logger } from "pino";
import { logContext } from "../run-context.ts";
import { requestTraceIds } from "./request-spans.ts";

const FLUSH_EVERY_MS = 200;

/** @param dest file descriptor or path (default: stdout) */
export function createServerLog(level: string, dest: number | string = 1): { logger: Logger; flush(): void } {
  const destination = pino.destination({ dest, sync: false, minLength: 4096 });
  const timer = setInterval(() => destination.flush(), FLUSH_EVERY_MS);
  timer.unref();
  const flush = () => {
    try {
      destination.flushSync();
    } catch {
      // a write is still in flight; it completes on its own
    }
  };
  process.once("exit", flush);
  return { logger: pino({ level, mixin: logContext }, destination), flush };
}

/** One `request` line per answered request, instead of fastify's two (incoming + completed). */
export class OneLinePerRequest extends LogController {
  override incomingRequest(): void {}

  override requestCompleted(
    error: Error | null | undefined,
    request: FastifyRequest,
    reply: FastifyReply,
  ): void {
    const line = {
      method: request.method,
      url: request.url,
      statusCode: reply.statusCode,
      ms: Math.round(reply.elapsedTime * 10) / 10,
      ...requestTraceIds(request),
    };
    if (error) reply.log.error({ ...line, err: error }, "request errored");
    else reply.log.info(line, "request");
  }
}
