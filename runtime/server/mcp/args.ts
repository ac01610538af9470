/**
 * A tool's arguments checked against its strict schema. A client written for another server
 * sends names this one does not take: the answer names the argument to use instead (from the
 * tool's `renamed` table, or the nearest accepted name) and lists every accepted one.
 */
import type { z } from "zod";
import { RuntimeError } from "../../errors.ts";
import type { McpTool } from "./tool.ts";

/** Levenshtein distance, for "did you mean" on short argument names. */
function distance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let previous = row[0];
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const kept = row[j];
      row[j] = Math.min(row[j] + 1, row[j - 1] + 1, previous + (a[i - 1] === b[j - 1] ? 0 : 1));
      previous = kept;
    }
  }
  return row[b.length];
}

function suggestion(tool: McpTool, key: string, accepted: string[]): string {
  const renamed = tool.renamed?.[key];
  if (renamed) return `; use ${renamed}`;
  const near = accepted
    .map((name) => ({ name, d: distance(key.toLowerCase(), name.toLowerCase()) }))
    .sort((a, b) => a.d - b.d)[0];
  return near && near.d <= 2 ? `; did you mean "${near.name}"?` : "";
}

function describeIssue(tool: McpTool, issue: z.core.$ZodIssue, accepted: string[]): string {
  const takes = accepted.length ? accepted.join(", ") : "no arguments";
  if (issue.code === "unrecognized_keys")
    return issue.keys
      .map(
        (key) =>
          `${tool.name} has no argument "${key.slice(0, 64)}"${suggestion(tool, key, accepted)} (${tool.name} takes: ${takes}).`,
      )
      .join(" ");
  const path = issue.path.map(String).join(".");
  if (issue.code === "invalid_type" && issue.input === undefined)
    return `${tool.name} needs the argument "${path}" (${tool.name} takes: ${takes}).`;
  return `${tool.name}: "${path || "arguments"}" ${issue.message.replace(/^Invalid input: /, "")}.`;
}

/** @throws RuntimeError bad_request naming the argument to fix */
export function parseToolArgs(tool: McpTool, args: unknown): Record<string, unknown> {
  const parsed = tool.args.safeParse(args ?? {});
  if (parsed.success) return parsed.data as Record<string, unknown>;
  const accepted = Object.keys(tool.args.shape);
  throw new RuntimeError(
    "bad_request",
    parsed.error.issues
      .slice(0, 3)
      .map((issue) => describeIssue(tool, issue, accepted))
      .join(" "),
  );
}
