/**
 * What is offered is what is allowed: for a reader, a runner, a writer and an admin of the GUARD
 * app, the REST `transitions`, the MCP `get_record` transitions and the console's action buttons
 * (in Chromium) each equal the set of actions that succeed when tried over the REST API. The
 * listings and the run share one rule (actions/authorize-run.ts); a second copy that drifts fails
 * here.
 */
import { launchChromium } from "../helpers/browser.ts";
import { multiItems } from "../helpers/multi-items.ts";
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { resolveUser } from "../../runtime/access/index.ts";
import { type GuardServer, startGuardServer } from "../helpers/guard-server.ts";

const ROLES = ["reader", "runner", "writer", "admin"] as const;
type Role = (typeof ROLES)[number];
/** Every action a record's transitions may name: edit, delete and GUARD's custom actions. */
const CANDIDATES = ["edit", "delete", "approve", "hidden_op", "nested_as"];

let guard: GuardServer;
let base: string;
let browser: Browser;

const auth = (role: Role) => ({ authorization: `CMW_AUTH_CODE ${guard.tokens[role]}` });
const sorted = (list: string[]) => [...list].sort();

/**
 * A record every candidate can succeed on when allowed: nested_as fires approve on the record in
 * c_text as the user in c_note (an admin, so the nested run's own rights are not what is tested).
 */
async function target(): Promise<string> {
  return guard.fresh({ c_text: await guard.fresh(), c_note: "admin" });
}

/** Tries `action` as `role` on a record of its own: "ok" or the error code. */
async function attempt(role: Role, action: string): Promise<string> {
  const item = { transition: action, id: await target(), ...(action === "edit" ? { c_text: "x" } : {}) };
  const reply = await guard.server.inject({
    method: "POST",
    url: "/api/tickets/multi",
    headers: auth(role),
    payload: [item],
  });
  const [answer] = multiItems(reply.json());
  return answer.successful ? "ok" : answer.error.code;
}

async function restTransitions(role: Role, id: string): Promise<string[]> {
  const rlx = encodeURIComponent(`id="${id}"`);
  const reply = await guard.server.inject({
    method: "GET",
    url: `/api/w/DEMO/a/GUARD/tickets/list?rlx=${rlx}`,
    headers: auth(role),
  });
  const records = reply.json();
  expect(records).toHaveLength(1);
  return records[0].transitions;
}

async function mcpTransitions(role: Role, id: string): Promise<string[]> {
  const reply = await guard.server.inject({
    method: "POST",
    url: "/mcp",
    headers: { ...auth(role), accept: "application/json, text/event-stream" },
    payload: {
      jsonrpc: "2.0",
      id: 1,
      method: "tools/call",
      params: { name: "get_record", arguments: { reference: id } },
    },
  });
  const answer = reply.json().result;
  expect(answer.isError).toBeFalsy();
  return JSON.parse(answer.content[0].text).transitions;
}

async function consoleButtons(role: Role, id: string): Promise<string[]> {
  const context = await browser.newContext();
  try {
    const page = await context.newPage();
    await page.goto(`${base}/console/login`);
    await page.getByLabel("API token").fill(guard.tokens[role]);
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.waitForURL(/\/console\/runs/);
    await page.goto(`${base}/console/records/${id}`);
    await page.getByRole("heading", { name: "Actions allowed now" }).waitFor();
    return await page
      .locator("button[data-action]")
      .evaluateAll((buttons) => buttons.map((button) => String(button.getAttribute("data-action"))));
  } finally {
    await context.close();
  }
}

beforeAll(async () => {
  guard = await startGuardServer({
    console: true,
    grants: { readers: ["read"], runners: ["read", "run"], writers: ["read", "write"] },
    users: {
      reader: { groups: ["readers"] },
      runner: { groups: ["runners"] },
      writer: { groups: ["writers"] },
      admin: { admin: true },
    },
  });
  base = (await guard.server.listen({ port: 0, host: "127.0.0.1" })).replace(/\/$/, "");
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  await guard?.close();
});

describe("actions offered to a caller", () => {
  it.each(ROLES)("as %s: REST, MCP and the console offer exactly the actions that succeed", async (role) => {
    const outcomes: Record<string, string> = {};
    for (const action of CANDIDATES) outcomes[action] = await attempt(role, action);
    const succeeded = CANDIDATES.filter((action) => outcomes[action] === "ok");
    // Anything else is refused by the access rule, not by the data the tries ran on.
    for (const action of CANDIDATES)
      if (outcomes[action] !== "ok")
        expect({ action, outcome: outcomes[action] }).toEqual({ action, outcome: "forbidden" });

    const id = await target();
    expect(sorted(await restTransitions(role, id))).toEqual(sorted(succeeded));
    expect(sorted(await mcpTransitions(role, id))).toEqual(sorted(succeeded));
    expect(sorted(await consoleButtons(role, id))).toEqual(sorted(succeeded));
  });

  it("reads the app's grants once for a listing, not once per action it asks about", async () => {
    const record = (await guard.store.getRecord("DEMO", await target()))!;
    const runner = await resolveUser(guard.store, "DEMO", { id: "runner" });
    const directory = guard.store.directory;
    const permissions = directory.permissions;
    let reads = 0;
    directory.permissions = (...args) => {
      reads++;
      return permissions.apply(directory, args);
    };
    try {
      const [allowed] = await guard.runtime.allowedTransitions(
        guard.runtime.apps.get("GUARD")!,
        [record],
        runner,
      );
      expect(sorted(allowed)).toEqual(["approve", "nested_as"]);
    } finally {
      directory.permissions = permissions;
    }
    expect(reads).toBe(1);
  });

  it("follows the grants: what each role may do is what the rule says", async () => {
    const shown = Object.fromEntries(
      await Promise.all(
        ROLES.map(async (role) => [role, sorted(await restTransitions(role, await target()))]),
      ),
    );
    expect(shown).toEqual({
      reader: [],
      runner: ["approve", "nested_as"],
      writer: ["delete", "edit"],
      // visible: false (hidden_op) is never offered to a user, admins included.
      admin: ["approve", "delete", "edit", "nested_as"],
    });
  });
});
