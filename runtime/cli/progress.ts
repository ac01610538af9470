/**
 * One status line for long work ("imported 12,000 rows", "built 3/40 apps"), rewritten in place on
 * a terminal and cleared when done. Silent with --json or when stdout is not a terminal, so pipes
 * and scripts see only the result.
 */
export interface Progress {
  update(text: string): void;
  done(): void;
}

const SILENT: Progress = { update: () => undefined, done: () => undefined };
const REDRAW_MS = 100;

export function createProgress(
  stream: { isTTY?: boolean; write(text: string): unknown },
  options: { json?: boolean } = {},
): Progress {
  if (options.json || !stream.isTTY) return SILENT;
  let shown = false;
  let last = 0;
  return {
    update(text) {
      const now = Date.now();
      if (shown && now - last < REDRAW_MS) return;
      last = now;
      shown = true;
      stream.write(`\r${text}\x1b[K`);
    },
    done() {
      if (shown) stream.write("\r\x1b[K");
      shown = false;
    },
  };
}
