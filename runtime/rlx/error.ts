/** A malformed rlx filter: a 400 naming the position, never a 500. */
import { RuntimeError } from "../errors.ts";

export class RlxError extends RuntimeError {
  readonly position: number;
  constructor(message: string, position: number) {
    super("bad_request", `Invalid rlx filter at position ${position + 1}: ${message}.`);
    this.position = position;
  }
}
