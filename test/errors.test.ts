import { describe, expect, it } from "vitest";
import { errorDescriber } from "../runtime/actions/describe-error.ts";
import { UsageError } from "../runtime/cli/output.ts";
import { ERROR_CODES, RuntimeError } from "../runtime/errors.ts";
import { EgressDenied } from "../runtime/host/http/agent.ts";
import { UndecodableBody } from "../runtime/host/http/body.ts";
import { HttpError } from "../runtime/host/http/errors.ts";

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
