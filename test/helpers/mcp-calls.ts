/** Calling MCP tools through the SDK client: the answer's JSON, or the tool error it answered. */
import type { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { expect } from "vitest";

export type ToolAnswer = { isError?: boolean; content: { type: string; text?: string; resource?: any }[] };

export function mcpCalls(client: () => Client) {
  return {
    async call(name: string, args: Record<string, unknown> = {}): Promise<any> {
      const answer = (await client().callTool({ name, arguments: args })) as ToolAnswer;
      if (answer.isError) throw new Error(`tool ${name} failed: ${answer.content[0].text}`);
      return JSON.parse(answer.content[0].text!);
    },
    async callError(name: string, args: Record<string, unknown>) {
      const answer = (await client().callTool({ name, arguments: args })) as ToolAnswer;
      expect(answer.isError).toBe(true);
      return JSON.parse(answer.content[0].text!).error as { code: string; message: string };
    },
  };
}
