/** `console` inside the isolate: every line goes to the host at once, so logs survive a timeout. */
import type { LogLevel } from "./bridge-contract.ts";
import { callSync, safeJson } from "./host-call.ts";

function formatValue(value: unknown): string {
  if (typeof value === "string") return value;
  if (value instanceof Error) return value.stack ?? `${value.name}: ${value.message}`;
  if (typeof value === "object" && value !== null) {
    try {
      return safeJson.stringify(value, jsonReplacer()) ?? String(value);
    } catch {
      return Object.prototype.toString.call(value);
    }
  }
  return String(value);
}

/** JSON replacer that prints a cycle as "[Circular]" instead of throwing. */
function jsonReplacer() {
  const seen = new WeakSet<object>();
  return (_key: string, value: unknown) => {
    if (typeof value === "bigint") return `${value}n`;
    if (typeof value === "object" && value !== null) {
      if (seen.has(value)) return "[Circular]";
      seen.add(value);
    }
    return value;
  };
}

export function formatLogArgs(args: unknown[]): string {
  return args.map(formatValue).join(" ");
}

function writer(level: LogLevel) {
  return (...args: unknown[]) => {
    callSync("console.write", { level, message: formatLogArgs(args) });
  };
}

/** console.profile(label) / profileEnd(label): logs the wall time between the two ("[profile] x: 12 ms"). */
function profiler() {
  const started = new Map<string, number>();
  return {
    profile: (label: unknown = "default") => {
      started.set(String(label), Date.now());
    },
    profileEnd: (label: unknown = "default") => {
      const name = String(label);
      const start = started.get(name);
      started.delete(name);
      const message =
        start === undefined
          ? `[profile] ${name}: profileEnd without profile`
          : `[profile] ${name}: ${Date.now() - start} ms`;
      callSync("console.write", { level: "info", message });
    },
  };
}

export function createConsole() {
  return Object.freeze({
    ...profiler(),
    log: writer("log"),
    info: writer("info"),
    warn: writer("warn"),
    error: writer("error"),
    debug: writer("debug"),
    trace: writer("debug"),
  });
}
