import { describe, expect, it } from "vitest";
import { errorDescriber } from "../runtime/actions/describe-error.ts";
import { UsageError } from "../runtime/cli/output.ts";
import {
  ALL_ERROR_CODES,
  answersRetryAfter,
  ERROR_CODES,
  type ErrorCode,
  isRetryable,
  isUnavailable,
  passesThroughLogic,
  RuntimeError,
  toErrorCode,
} from "../runtime/errors.ts";
import { EgressDenied } from "../runtime/host/http/agent.ts";
import { UndecodableBody } from "../runtime/host/http/body.ts";
import { HttpError } from "../runtime/host/http/errors.ts";
import { rowToRun as queueRowToRun } from "../runtime/queue/run-sql.ts";
import { outcomeFromWorker } from "../runtime/sandbox/worker/supervisor.ts";

describe("one error hierarchy", () => {
  it("every error class the host throws is a RuntimeError with a code from the registry", () => {
    const errors = [
      new HttpError("timeout", "GET example.test/x did not finish within 30 s."),
      new EgressDenied("metadata.internal"),
      new UndecodableBody(),
      new UsageError('--port must be a port number, got "x".'),
    ];
    for (const error of errors) {
      expect(error).toBeInstanceOf(RuntimeError);
      expect(Object.keys(ERROR_CODES)).toContain(error.code);
      expect(error.status).toBe(ERROR_CODES[error.code].status);
    }
    expect(errors.map((error) => [error.name, error.code])).toEqual([
      ["HttpError", "timeout"],
      ["EgressDenied", "egress_denied"],
      ["UndecodableBody", "network_error"],
      ["UsageError", "bad_request"],
    ]);
  });

  it("describes RuntimeErrors with their code and a redacted message", () => {
    const describe = errorDescriber(
      (text) => text.replaceAll("s3cret", "***"),
      () => undefined,
    );
    expect(describe(new HttpError("network_error", "token s3cret refused"))).toEqual({
      code: "network_error",
      message: "token *** refused",
    });
  });

  it("does not trust a code property on other errors: they are internal errors, reported", () => {
    const unexpected: unknown[] = [];
    const describe = errorDescriber(
      (text) => text,
      (error) => unexpected.push(error),
    );
    const lookalike = Object.assign(new Error("/srv/app/secret-path failed"), { code: "forbidden" });
    expect(describe(lookalike)).toEqual({
      code: "internal_error",
      message: "An unexpected error happened on the host; see the server log.",
    });
    expect(unexpected).toEqual([lookalike]);
  });
});

/**
 * The registry is the one place for each code's facts. These are the hand-kept lists it replaced
 * (run-job.ts RETRYABLE_CODES, server/unavailable.ts UNAVAILABLE, routes/actions.ts RETRY_LATER plus
 * the 503s the error handler answered with Retry-After, sandbox/execute.ts PASS_THROUGH), written
 * out here so a change to any of them is a visible decision.
 */
describe("the error registry", () => {
  const codesWith = (fact: (code: ErrorCode) => boolean) => ALL_ERROR_CODES.filter(fact).sort();

  it("retries a queued run on exactly the codes whose cause may go away", () => {
    expect(codesWith(isRetryable)).toEqual(
      [
        "commit_unknown",
        "conflict",
        "network_error",
        "rate_limited",
        "storage_full",
        "store_unavailable",
        "worker_crashed",
      ].sort(),
    );
  });

  it("answers Retry-After on every 503 and on rate_limited, nowhere else", () => {
    expect(codesWith(answersRetryAfter)).toEqual(
      [
        "commit_unknown",
        "overloaded",
        "queue_unavailable",
        "rate_limited",
        "resource_exhausted",
        "retry_later",
        "shutting_down",
        "starting",
        "storage_full",
        "store_busy",
        "store_unavailable",
      ].sort(),
    );
    for (const code of ALL_ERROR_CODES)
      if (ERROR_CODES[code].status === 503) expect(answersRetryAfter(code), code).toBe(true);
  });

  it("stops a batch only when the database is away or full, the server is overloaded, or a commit's outcome is unknown", () => {
    expect(codesWith(isUnavailable)).toEqual([
      "commit_unknown",
      "overloaded",
      "storage_full",
      "store_unavailable",
    ]);
    // Such an answer must also tell the client when to come back.
    for (const code of codesWith(isUnavailable)) expect(answersRetryAfter(code)).toBe(true);
  });

  it("lets exactly the host's own failures keep their code through uncaught logic", () => {
    expect(codesWith(passesThroughLogic)).toEqual(
      [
        "conflict",
        "egress_denied",
        "forbidden",
        "invalid_url",
        "limit_exceeded",
        "network_error",
        "not_found",
        "precondition_failed",
        "rate_limited",
        // A replayed run's host call that differs from the recording stops the logic as it is.
        "replay_mismatch",
        "retry_later",
        "storage_full",
        "store_unavailable",
        "timeout",
        "too_many_redirects",
        "validation_error",
      ].sort(),
    );
  });

  it("gives every code an error status and a hint that is a sentence", () => {
    expect(ALL_ERROR_CODES.length).toBe(Object.keys(ERROR_CODES).length);
    for (const code of ALL_ERROR_CODES) {
      const { status, hint } = ERROR_CODES[code];
      expect(Number.isInteger(status) && status >= 400 && status <= 599, `${code} ${status}`).toBe(true);
      expect(hint, code).toMatch(/^[A-Z].*\.$/);
      expect(new RuntimeError(code, hint).status).toBe(status);
    }
  });

  it("takes a code that arrives as text only when the registry has it", () => {
    expect(toErrorCode("conflict")).toBe("conflict");
    for (const untrusted of [
      "CRM_DOWN",
      "toString",
      "__proto__",
      "constructor",
      "",
      503,
      null,
      undefined,
      {},
    ])
      expect(toErrorCode(untrusted)).toBe("internal_error");
  });
});

describe("codes arriving as text are checked at the boundary", () => {
  it("a worker process's outcome keeps a registry code; anything else is internal_error", () => {
    const failed = (code: string) =>
      outcomeFromWorker(
        // What arrives over IPC is whatever the other process sent, typed or not.
        JSON.parse(
          JSON.stringify({
            ok: false,
            error: { code, message: "m s3cret", stack: "Error: s3cret" },
            cpuMs: 1,
          }),
        ),
        (text) => text.replaceAll("s3cret", "***"),
      );
    expect(failed("conflict")).toEqual({
      ok: false,
      error: { code: "conflict", message: "m ***", stack: "Error: ***" },
      cpuMs: 1,
    });
    expect(failed("CRM_DOWN")).toMatchObject({ error: { code: "internal_error", message: "m ***" } });
  });

  it("a stored queue row's error code is read back only when the registry has it", () => {
    const row = (error_code: string) => ({
      run_id: "r1",
      workspace: "w",
      app: "A",
      action: "go",
      source: "async",
      actor: "u",
      status: "failed",
      attempt: 1,
      max_attempts: 3,
      created_at: "2030-01-01T00:00:00.000Z",
      updated_at: "2030-01-01T00:00:00.000Z",
      spec: JSON.stringify({ app: "A", action: "go" }),
      error_code,
      error_message: "went wrong",
    });
    expect(queueRowToRun(row("rate_limited")).error).toEqual({ code: "rate_limited", message: "went wrong" });
    expect(queueRowToRun(row("toString")).error).toEqual({ code: "internal_error", message: "went wrong" });
  });
});
