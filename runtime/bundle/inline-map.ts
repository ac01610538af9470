/** The inline source map at the end of a bundle (esbuild `sourcemap: "inline"`), parsed for lookups. */
import { TraceMap } from "@jridgewell/trace-mapping";

const INLINE_MAP = /\/\/# sourceMappingURL=data:application\/json;base64,([A-Za-z0-9+/=]+)\s*$/;

export function inlineSourceMap(code: string): TraceMap | null {
  const match = INLINE_MAP.exec(code);
  return match ? new TraceMap(Buffer.from(match[1], "base64").toString("utf8")) : null;
}
