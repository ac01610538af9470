/**
 * POST /mcp: the Model Context Protocol endpoint (Streamable HTTP transport, stateless: every
 * request carries its own credentials and gets a fresh server bound to that caller). It sits behind
 * the same auth hook as the REST API, and its tools (tools.ts) call the same functions as the
 * REST routes, so an assistant can do exactly what the caller could do with the API.
 */
import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { StreamableHTTPServerTransport } from "@modelcontextprotocol/sdk/server/streamableHttp.js";
import type { FastifyInstance } from "fastify";
import { publicError } from "../../errors.ts";
import { VERSION } from "../../version.ts";
import type { ServerContext } from "../context.ts";
import type { Caller } from "./caller.ts";
import { type McpTool, TOOLS } from "./tools.ts";

export { TOOLS } from "./tools.ts";

/** A tool's answer in MCP terms; an error becomes a tool error carrying our code and message. */
async function callTool(tool: McpTool, ctx: ServerContext, caller: Caller, args: unknown) {
  try {
    const { json, extra } = await tool.run(ctx, caller, args ?? {});
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

function serverFor(ctx: ServerContext, caller: Caller): McpServer {
  const server = new McpServer(
    { name: "comind-runtime", version: VERSION },
    {
      instructions: `Records and actions of the Comind workspace ${ctx.workspace}. Start with get_workspace to see the apps, get_app_schema for an app's fields and actions, then list_records (rlx filters) or search_records.`,
    },
  );
  for (const tool of TOOLS) {
    server.registerTool(
      tool.name,
      {
        title: tool.title,
        description: tool.description,
        inputSchema: tool.inputSchema,
        annotations: { readOnlyHint: tool.readOnly, destructiveHint: !tool.readOnly, openWorldHint: false },
      },
      ((args: unknown) => callTool(tool, ctx, caller, args)) as never,
    );
  }
  return server;
}

export function registerMcpRoute(server: FastifyInstance, ctx: ServerContext): void {
  server.post("/mcp", { schema: { hide: true }, config: { access: "signed-in" } }, async (request, reply) => {
    const mcp = serverFor(ctx, { user: request.user, caller: request.caller, deadline: request.deadline });
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
