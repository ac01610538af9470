/**
 * What an MCP tool is here, and the argument pieces the tools share. Arguments are a strict zod
 * object: a name the tool does not take is a tool error naming the one it does (args.ts), never a
 * silently dropped filter.
 */
import { z } from "zod";
import type { ServerContext } from "../context.ts";
import type { Caller } from "./caller.ts";

export interface ToolContent {
  /** The JSON answer (sent as text, and as structured content). */
  json: unknown;
  /** Extra MCP content items (e.g. an embedded file). */
  extra?: unknown[];
}

export interface McpTool<A extends z.ZodObject = z.ZodObject> {
  name: string;
  title: string;
  description: string;
  /** The arguments as the vendor's clients send them (a strict object). */
  args: A;
  /** Names other servers (or this one, earlier) used, with the argument that replaces each. */
  renamed?: Record<string, string>;
  readOnly: boolean;
  run(ctx: ServerContext, caller: Caller, args: z.infer<A>): Promise<ToolContent>;
}

/** A tool, typed by its own arguments; the list of tools holds them as plain McpTool. */
export const defineTool = <A extends z.ZodObject>(tool: McpTool<A>): McpTool => tool as unknown as McpTool;

export const json = (value: unknown): ToolContent => ({ json: value });

export const workspaceArg = z
  .string()
  .max(64)
  .describe('Workspace alias, e.g. "DEMO" (list_workspaces names them).');
export const appArg = z
  .string()
  .max(64)
  .describe('App alias, e.g. "HELPDESK" (get_workspace lists the apps).');
export const referenceArg = z
  .string()
  .min(1)
  .max(200)
  .describe('The record\'s reference (slug): workspace/app alias + number, e.g. "DEMO/HELPDESK12".');
export const filterArg = z
  .string()
  .max(10_000)
  .describe(
    'RLX filter, e.g. state="open" AND c_total>1000, state in "open,new":string[], c_owner="{current-user}", c_parent="DEMO/HELPDESK12" (links by slug), assignees_list="Alice Smith" (people by name), title~"acme" (contains). Combine with AND / OR / parentheses.',
  );
export const limitArg = (max: number, fallback: number) =>
  z.number().int().min(1).max(max).describe(`At most this many (default ${fallback}, at most ${max}).`);
export const skipArg = z.number().int().min(0).max(1_000_000_000).describe("Skip this many first (paging).");
