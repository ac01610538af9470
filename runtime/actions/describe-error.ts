/** Host errors rebuilt for users and for the isolate: code and message only, secrets redacted. */
import { type ErrorCode, isRuntimeError } from "../errors.ts";
import type { Redactor } from "../host/index.ts";

export function errorDescriber(redact: Redactor, onUnexpected: (error: unknown) => void) {
  return (error: unknown): { code: ErrorCode; message: string } => {
    if (isRuntimeError(error)) return { code: error.code, message: redact(error.message) };
    onUnexpected(error);
    return {
      code: "internal_error",
      message: "An unexpected error happened on the host; see the server log.",
    };
  };
}
