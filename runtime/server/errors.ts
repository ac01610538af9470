/**
 * Every error the API returns is JSON `{ error: { code, message } }` with the registry's status;
 * framework errors are translated, unexpected ones are logged and shown without internals.
 */
import type { FastifyError, FastifyInstance } from "fastify";
import { RETRY_AFTER_SECONDS } from "./request-guard.ts";
import { answersRetryAfter, ERROR_CODES, isRuntimeError, RuntimeError, type ErrorCode } from "../errors.ts";

export function sendableError(error: unknown): {
  status: number;
  body: { error: { code: ErrorCode; message: string } };
} {
  if (isRuntimeError(error))
    return { status: error.status, body: { error: { code: error.code, message: error.message } } };
  const fastifyError = error as FastifyError;
  const framework: Record<string, [ErrorCode, string]> = {
    FST_ERR_CTP_BODY_TOO_LARGE: [
      "payload_too_large",
      "The request body is larger than 100 KB; send fewer records per request.",
    ],
    FST_ERR_CTP_INVALID_MEDIA_TYPE: [
      "bad_request",
      "Send the request body as application/json (list reads also take application/x-www-form-urlencoded).",
    ],
    FST_ERR_CTP_EMPTY_JSON_BODY: ["bad_request", "The JSON body is empty."],
    FST_ERR_CTP_INVALID_JSON_BODY: ["bad_request", "The body is not valid JSON."],
  };
  const known = fastifyError?.code ? framework[fastifyError.code] : undefined;
  if (known) return sendableError(new RuntimeError(known[0], known[1]));
  if (fastifyError?.validation)
    return sendableError(new RuntimeError("bad_request", `Invalid request: ${fastifyError.message}.`));
  if (fastifyError?.statusCode && fastifyError.statusCode < 500) {
    return {
      status: fastifyError.statusCode,
      body: { error: { code: "bad_request", message: fastifyError.message } },
    };
  }
  return {
    status: 500,
    body: { error: { code: "internal_error", message: ERROR_CODES.internal_error.hint } },
  };
}

export function installErrorHandling(app: FastifyInstance): void {
  app.setErrorHandler((error, request, reply) => {
    const { status, body } = sendableError(error);
    if (status >= 500 && status !== 503) request.log.error({ err: error }, "request failed");
    // An enqueue over a quota says when a retry may succeed (runtime/queue/quotas.ts).
    if (answersRetryAfter(body.error.code))
      reply.header(
        "retry-after",
        String((isRuntimeError(error) && error.retryAfterSeconds) || RETRY_AFTER_SECONDS),
      );
    if (!reply.sent) reply.code(status).send(body);
  });
  app.setNotFoundHandler((request, reply) => {
    reply.code(404).send({
      error: {
        code: "not_found",
        message: `No endpoint ${request.method} ${request.url.split("?")[0]}; see /api/openapi.json.`,
      },
    });
  });
}
