/**
 * POST /mcp: the Model Context Protocol endpoint (Streamable HTTP transport, stateless: every
 * request carries its own credentials and gets a fresh server bound to that caller). It sits behind
 * the same auth hook as the REST API, and its tools (tools.ts) call the same functions as the
 * REST routes, so an assistant can do exactly what the caller could do with the API.
 */
import { Server } from "@modelcontextprotocol/sdk/server/index.js";
import { StreamableHTTPServerTransport } from "@modelcontextprotocol/sdk/server/streamableHttp.js";
import { CallToolRequestSchema, ListToolsRequestSchema } from "@modelcontextprotocol/sdk/types.js";
import type { FastifyInstance } from "fastify";
import { z } from "zod";
import { publicError, RuntimeError } from "../../errors.ts";
import { VERSION } from "../../version.ts";
import type { ServerContext } from "../context.ts";
import { parseToolArgs } from "./args.ts";
import type { Caller } from "./caller.ts";
import type { McpTool } from "./tool.ts";
import { TOOLS } from "./tools.ts";
import { systemUrl } from "./urls.ts";

export { TOOLS } from "./tools.ts";

/** A tool's answer in MCP terms; an error becomes a tool error carrying our code and message. */
async function callTool(tool: McpTool | undefined, ctx: ServerContext, caller: Caller, args: unknown) {
  try {
    if (!tool)
      throw new RuntimeError(
        "bad_request",
        `There is no such tool; the tools are ${TOOLS.map((t) => t.name).join(", ")}.`,
      );
    const { json, extra } = await tool.run(ctx, caller, parseToolArgs(tool, args) as never);
    return {
      content: [{ type: "text" as const, text: JSON.stringify(json, null, 2) }, ...((extra ?? []) as [])],
      structuredContent: Array.isArray(json) ? { items: json } : (json as Record<string, unknown>),
    };
  } catch (error) {
    const { code, message } = publicError(error);
    return {
      isError: true,
      content: [{ type: "text" as const, text: JSON.stringify({ error: { code, message } }) }],
      structuredContent: { error: { code, message } },
    };
  }
}

/** Tool descriptions, built once: the JSON schema of each tool's strict arguments. */
const LISTED = TOOLS.map((tool) => ({
  name: tool.name,
  title: tool.title,
  description: tool.description,
  inputSchema: z.toJSONSchema(tool.args, { io: "input" }) as { type: "object" },
  annotations: { readOnlyHint: tool.readOnly, destructiveHint: !tool.readOnly, openWorldHint: false },
}));

/**
 * The low-level SDK server: arguments are checked here against each tool's strict schema, so a
 * wrong name is answered with our error naming the right one (McpServer would drop it silently).
 */
function serverFor(ctx: ServerContext, caller: Caller): Server {
  const server = new Server(
    { name: "comind-runtime", version: VERSION },
    {
      capabilities: { tools: {} },
      instructions: `Records and actions of the Comind workspace ${ctx.workspace}. Start with whoami and get_workspace to see the apps, get_app_schema for an app's fields, actions and saved lists, then list_records (RLX filters) or search_records. Records are named by their slug, e.g. ${ctx.workspace}/APP123.`,
    },
  );
  server.setRequestHandler(ListToolsRequestSchema, async () => ({ tools: LISTED }));
  server.setRequestHandler(CallToolRequestSchema, async (request) =>
    callTool(
      TOOLS.find((tool) => tool.name === request.params.name),
      ctx,
      caller,
      request.params.arguments,
    ),
  );
  return server;
}

export function registerMcpRoute(server: FastifyInstance, ctx: ServerContext): void {
  server.post("/mcp", { schema: { hide: true }, config: { access: "signed-in" } }, async (request, reply) => {
    const mcp = serverFor(ctx, {
      user: request.user,
      caller: request.caller,
      deadline: request.deadline,
      baseUrl: systemUrl(ctx, request),
    });
    const transport = new StreamableHTTPServerTransport({
      sessionIdGenerator: undefined,
      enableJsonResponse: true,
    });
    reply.hijack();
    reply.raw.once("close", () => {
      void transport.close();
      void mcp.close();
    });
    await mcp.connect(transport);
    await transport.handleRequest(request.raw, reply.raw, request.body);
  });
  // Stateless: no server-initiated stream (GET) and no session to end (DELETE).
  const notAllowed = async (
    _request: unknown,
    reply: { code(n: number): { send(b: unknown): void }; header(k: string, v: string): unknown },
  ) => {
    reply.header("allow", "POST");
    reply.code(405).send({
      jsonrpc: "2.0",
      error: {
        code: -32000,
        message: "Method not allowed: this MCP endpoint is stateless; send requests with POST.",
      },
      id: null,
    });
  };
  server.get("/mcp", { schema: { hide: true }, config: { access: "signed-in" } }, notAllowed as never);
  server.delete("/mcp", { schema: { hide: true }, config: { access: "signed-in" } }, notAllowed as never);
}
