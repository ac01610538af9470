/**
 * Numbers as people read them on the console's pages: sizes in B / KB / MB / GB, durations in ms /
 * s / min, and the per-action limits under the words docs/admins.md uses for them.
 */
import type { LimitName } from "../../limits.ts";

const KB = 1024;
const MB = 1024 * KB;
const GB = 1024 * MB;

/** 12.0 -> "12", 1.25 -> "1.3", 1234 -> "1,234". */
function number(value: number): string {
  return value.toLocaleString("en-US", { maximumFractionDigits: value < 10 ? 1 : 0 });
}

/** 1536 -> "1.5 KB", 10485760 -> "10 MB". */
export function formatBytes(bytes: number): string {
  if (bytes < KB) return `${number(bytes)} B`;
  if (bytes < MB) return `${number(bytes / KB)} KB`;
  if (bytes < GB) return `${number(bytes / MB)} MB`;
  return `${number(bytes / GB)} GB`;
}

/** A figure kept in MB (heaps, process memory): 0.4 -> "410 KB", 127 -> "127 MB"; unknown -> "–". */
export function formatMegabytes(mb: number | null | undefined): string {
  if (mb === null || mb === undefined || !Number.isFinite(mb) || mb <= 0) return "–";
  return formatBytes(mb * MB);
}

/** 250 -> "250 ms", 5000 -> "5 s", 60000 -> "60 s", 300000 -> "5 min". */
export function formatMs(ms: number): string {
  if (ms < 1000) return `${number(ms)} ms`;
  if (ms < 120_000) return `${number(ms / 1000)} s`;
  return `${number(ms / 60_000)} min`;
}

/** Every limit's name on the Health page (a new limit without one fails the type check). */
const LIMIT_LABELS: Record<LimitName, string> = {
  cpuMs: "CPU time of one action",
  wallMs: "Wall time of one action",
  wallLimitMs: "Wall time limit named in errors",
  memoryMb: "Isolate heap",
  maxRequests: "Outbound requests per action",
  maxResponseBytes: "Response body kept in memory",
  maxDownloadBytes: "Downloaded file",
  requestTimeoutMs: "One outbound request",
  maxLogBytes: "Console output of one action",
};

/** The limits as label / value rows, the unit read from the name's suffix (Ms, Mb, Bytes). */
export function limitRows(limits: Readonly<Record<string, number>>): { label: string; value: string }[] {
  return Object.entries(limits).map(([name, value]) => ({
    label: LIMIT_LABELS[name as LimitName] ?? name.replace(/[A-Z]/g, (c) => ` ${c.toLowerCase()}`),
    value: name.endsWith("Ms")
      ? formatMs(value)
      : name.endsWith("Mb")
        ? formatMegabytes(value)
        : name.endsWith("Bytes")
          ? formatBytes(value)
          : number(value),
  }));
}
