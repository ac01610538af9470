import { RuntimeError } from "../errors.ts";

/**
 * CLI output that survives pipes: `process.exit()` right after a large stdout write truncates it
 * at 64 KB, so we wait for the write callback and let the process end on its own.
 */
/** Bad usage of the command line: exit code 2 and one line on stderr. */
export class UsageError extends RuntimeError {
  constructor(message: string) {
    super("bad_request", message);
    this.name = "UsageError";
  }
}

export const EXIT = { ok: 0, failed: 1, usage: 2 } as const;

export function writeOut(text: string): Promise<void> {
  return new Promise((resolve) =>
    process.stdout.write(text.endsWith("\n") ? text : `${text}\n`, () => resolve()),
  );
}

export function writeErr(text: string): Promise<void> {
  return new Promise((resolve) =>
    process.stderr.write(text.endsWith("\n") ? text : `${text}\n`, () => resolve()),
  );
}

/** Exactly one JSON document on stdout. */
export function writeJson(value: unknown): Promise<void> {
  return writeOut(JSON.stringify(value, null, 2));
}
