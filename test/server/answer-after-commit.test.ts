/**
 * Once an action committed, `tickets/multi` and the MCP write tools answer that it did, whatever
 * fails while the answer is built (the database gone just after the commit): never "nothing was
 * written" (a Postgres fast shutdown hit this in test/reliability/postgres-outage.test.ts).
 */
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { RuntimeError } from "../../runtime/errors.ts";
import { mcpCalls } from "../helpers/mcp-calls.ts";
import { startApi, type TestServerApi } from "../helpers/server.ts";
import { removeTempApps, writeTempApp } from "../helpers/temp-app.ts";

let api: TestServerApi;
let client: Client;
const { call } = mcpCalls(() => client);
beforeAll(async () => {
  api = await startApi([writeTempApp({}, { alias: "SAVED" })]);
  const address = await api.server.listen({ port: 0, host: "127.0.0.1" });
  client = new Client({ name: "answer-after-commit", version: "1.0.0" });
  await client.connect(
    new StreamableHTTPClientTransport(new URL(`${address}/mcp`), { requestInit: { headers: api.auth } }),
  );
});
afterAll(async () => {
  await client.close();
  await api.close();
  removeTempApps();
});

/** The store goes away between the commit and the answer's read of the allowed transitions. */
async function withTransitionsUnreadable<T>(work: () => Promise<T>): Promise<T> {
  const allowedTransitions = api.runtime.allowedTransitions;
  api.runtime.allowedTransitions = async () => {
    throw new RuntimeError(
      "store_unavailable",
      "The database is not reachable right now; nothing was written.",
    );
  };
  try {
    return await work();
  } finally {
    api.runtime.allowedTransitions = allowedTransitions;
  }
}

describe("the answer of a committed action", () => {
  it("says it was saved when reading the record back for the answer fails", async () => {
    const added = await api.post("/api/tickets/multi", [
      { transition: "add", app_alias: "SAVED", c_text: "a" },
    ]);
    const id = added.json()[0].data.id as string;
    const answered = await withTransitionsUnreadable(() =>
      api.post("/api/tickets/multi", [{ id, transition: "go" }]),
    );
    expect(answered.statusCode).toBe(200);
    const [item] = answered.json();
    expect(item).toMatchObject({ successful: true, updated: true, data: { id } });
    expect(item.error).toBeUndefined();
    expect(item.warnings.at(-1).message).toContain("The change was saved");
    const stored = await api.store.getRecord("DEMO", id);
    expect(stored?.fields.c_text).toBe("went");
  });

  it("says it was saved over MCP too (update_record)", async () => {
    const added = await api.post("/api/tickets/multi", [
      { transition: "add", app_alias: "SAVED", c_text: "b" },
    ]);
    const id = added.json()[0].data.id as string;
    const answer = await withTransitionsUnreadable(() =>
      call("update_record", { reference: id, action: "go", fields: {} }),
    );
    expect(answer).toMatchObject({ updated: true, successful: true, record: { id } });
    expect(answer.warning).toContain("The change was saved");
    expect((await api.store.getRecord("DEMO", id))?.fields.c_text).toBe("went");
  });
});
