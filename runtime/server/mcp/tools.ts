/**
 * The MCP tools, under the names and with the arguments of Comind.work's own MCP server (as the
 * vendor's assistant skills call them; ../shared/COMIND-API.md). Each one is a thin layer over the
 * store and the one front door of runs, so the caller's permissions apply as over REST.
 */
import { aggregateHistory, aggregateRecords } from "./aggregate-tools.ts";
import { getAsset } from "./asset-tool.ts";
import { listHistory } from "./history-tools.ts";
import { getRecord, listRecords, searchRecords } from "./record-tools.ts";
import type { McpTool } from "./tool.ts";
import { getAppSchema, getWorkspace, listWorkspaces, whoami } from "./workspace-tools.ts";
import { createRecord, updateRecord } from "./write-tools.ts";

export type { McpTool, ToolContent } from "./tool.ts";
export { MAX_AGGREGATE_HISTORY, MAX_AGGREGATE_RECORDS } from "./aggregate-tools.ts";
export { MAX_EMBEDDED_ASSET_BYTES } from "./asset-tool.ts";

export const TOOLS: McpTool[] = [
  whoami,
  listWorkspaces,
  getWorkspace,
  getAppSchema,
  searchRecords,
  listRecords,
  getRecord,
  listHistory,
  aggregateRecords,
  aggregateHistory,
  createRecord,
  updateRecord,
  getAsset,
];
