/**
 * The access table: every route the server registers and every MCP tool it lists, called as an
 * anonymous client, an outsider (signed in, in no group), a reader, a runner (read + run), a
 * writer (read + write) and an admin, on an app whose rights are granted to groups. The list of
 * routes and tools comes from the server itself, so a new route or tool without a case here fails
 * the suite — as does a route whose declared policy changes.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { FastifyInstance } from "fastify";
import { registeredRoutes, type RouteAccess } from "../../runtime/server/index.ts";
import type { Store } from "../../runtime/store/index.ts";
import { type GuardServer, startGuardServer } from "../helpers/guard-server.ts";

const ROLES = ["anonymous", "outsider", "reader", "runner", "writer", "admin"] as const;
type Role = (typeof ROLES)[number];
type Expect = Record<Role, string>;

let store: Store;
let server: FastifyInstance;
const tokens = {} as Record<Exclude<Role, "anonymous">, string>;
/** A record every probe reads; probes that change a record make their own. */
let guarded: string;
let fileUid: string;
/** The runner's queued run (REST runs API) and synchronous run (the console's run pages). */
let runnersQueuedRun: string;
let runnersRun: string;

const headers = (role: Role): Record<string, string> =>
  role === "anonymous" ? {} : { authorization: `CMW_AUTH_CODE ${tokens[role]}` };
const cookies = (role: Role): Record<string, string> =>
  role === "anonymous" ? {} : { comind_console: `CMW_AUTH_CODE ${tokens[role]}` };

type Reply = Awaited<ReturnType<FastifyInstance["inject"]>>;

function body(reply: Reply): any {
  try {
    return reply.json();
  } catch {
    return null;
  }
}

/** "ok", "redirect", or the error code of the answer (an item's, for tickets/multi). */
function outcome(reply: Reply): string {
  const json = body(reply);
  if (reply.statusCode >= 300 && reply.statusCode < 400) return "redirect";
  if (reply.statusCode < 300) {
    if (Array.isArray(json) && json[0]?.successful === false) return json[0].error.code;
    return "ok";
  }
  if (json?.error?.code) return json.error.code;
  const page = /data-error-code="([a-z_]+)"|\(code ([a-z_]+)\)|<code>([a-z_]+)<\/code>/.exec(reply.body);
  return page ? (page[1] ?? page[2] ?? page[3]) : String(reply.statusCode);
}

/** Whether an answer mentions the guarded app's records. */
const mentionsGuard = (reply: Reply) =>
  reply.statusCode >= 400 ? outcome(reply) : reply.body.includes(guarded) ? "found" : "none";

const get = (url: string, role: Role) => server.inject({ method: "GET", url, headers: headers(role) });
const post = (url: string, role: Role, payload?: unknown) =>
  server.inject({ method: "POST", url, headers: headers(role), payload: payload as object });
const page = (method: "GET" | "POST", url: string, role: Role) =>
  server.inject({ method, url, cookies: cookies(role), headers: { host: "localhost" } });

/** A new GUARD record (made by the developer, outside the API). */
const fresh = (values: Record<string, unknown> = {}) => guard.fresh(values);

const multi = (role: Role, item: Record<string, unknown>) => post("/api/tickets/multi", role, [item]);

async function mcp(role: Role, name: string, args: Record<string, unknown>): Promise<string> {
  const reply = await server.inject({
    method: "POST",
    url: "/mcp",
    headers: { ...headers(role), accept: "application/json, text/event-stream" },
    payload: { jsonrpc: "2.0", id: 1, method: "tools/call", params: { name, arguments: args } },
  });
  if (reply.statusCode !== 200) return outcome(reply);
  const answer = body(reply).result;
  const text = answer.content[0].text as string;
  if (answer.isError)
    return text.startsWith("MCP error") ? `invalid: ${text.slice(0, 120)}` : JSON.parse(text).error.code;
  if (text.includes(guarded) || text.includes("GUARD")) return "ok:guard";
  const parsed = JSON.parse(text);
  const empty = JSON.stringify(parsed) === "[]" || (parsed.total === 0 && parsed.groups?.length === 0);
  return empty ? "ok:empty" : "ok";
}

async function mcpTools(): Promise<string[]> {
  const reply = await server.inject({
    method: "POST",
    url: "/mcp",
    headers: { ...headers("admin"), accept: "application/json, text/event-stream" },
    payload: { jsonrpc: "2.0", id: 1, method: "tools/list", params: {} },
  });
  return body(reply).result.tools.map((tool: { name: string }) => tool.name);
}

async function upload(role: Role, bytes: Buffer): Promise<string> {
  const tus = { "tus-resumable": "1.0.0" };
  const created = await server.inject({
    method: "POST",
    url: "/api/upload-tus",
    headers: {
      ...headers(role),
      ...tus,
      "upload-length": String(bytes.length),
      "upload-metadata": `filename ${Buffer.from("guard.txt").toString("base64")},filetype ${Buffer.from("text/plain").toString("base64")}`,
    },
  });
  const location = String(created.headers.location);
  const done = await server.inject({
    method: "PATCH",
    url: location.startsWith("http") ? new URL(location).pathname : location,
    payload: bytes,
    headers: {
      ...headers(role),
      ...tus,
      "upload-offset": "0",
      "content-type": "application/offset+octet-stream",
    },
  });
  return String(done.headers["comind-file-uid"]);
}

/** One flow.js chunk (multipart, as flow.js posts it) to /api/upload. */
async function flowChunk(role: Role, identifier: string, bytes: Buffer, totalChunks = 1): Promise<Reply> {
  const form = new FormData();
  const fields = {
    flowChunkNumber: "1",
    flowTotalChunks: String(totalChunks),
    flowTotalSize: String(bytes.length * totalChunks),
    flowIdentifier: identifier,
    flowFilename: "guard.txt",
  };
  for (const [key, value] of Object.entries(fields)) form.append(key, value);
  form.append("file", new Blob([bytes]), "blob");
  const request = new Request("http://local/", { method: "POST", body: form });
  return server.inject({
    method: "POST",
    url: "/api/upload",
    headers: { ...headers(role), "content-type": String(request.headers.get("content-type")) },
    payload: Buffer.from(await request.arrayBuffer()),
  });
}

/** One way of calling a route, and what each role must get. */
interface Probe {
  name: string;
  send(role: Role): Promise<string>;
  expect: Expect;
}

const all = (value: string): Expect => Object.fromEntries(ROLES.map((role) => [role, value])) as Expect;
const signedIn = (value: string, overrides: Partial<Expect> = {}): Expect => ({
  ...all(value),
  anonymous: "unauthorized",
  ...overrides,
});
/** Reading the guarded app: readers, runners, writers and admins; outsiders get `refused`. */
const readers = (refused = "forbidden", ok = "ok"): Expect => signedIn(ok, { outsider: refused });
const console_ = (value: string, overrides: Partial<Expect> = {}): Expect => ({
  ...all(value),
  anonymous: "redirect",
  ...overrides,
});

/** Every route (url -> its policy, methods, probes). */
function table(): Record<string, { access: RouteAccess; methods: string[]; probes: Probe[] }> {
  const GET = ["GET", "HEAD"];
  const list = ["GET", "HEAD", "POST"];
  const appScoped = (prefix: string, kind: string): Probe[] => {
    const query = kind === "changed" ? "?sinceTime=2000-01-01T00:00:00Z" : "";
    return [
      {
        name: `${prefix} ${kind} GET`,
        send: async (role) => outcome(await get(`${prefix}/tickets/${kind}${query}`, role)),
        expect: readers(),
      },
      {
        name: `${prefix} ${kind} POST`,
        send: async (role) => outcome(await post(`${prefix}/tickets/${kind}${query}`, role, {})),
        expect: readers(),
      },
    ];
  };
  return {
    "/health": { access: "public", methods: GET, probes: [probeGet("/health", all("ok"))] },
    "/health/live": { access: "public", methods: GET, probes: [probeGet("/health/live", all("ok"))] },
    "/favicon.ico": { access: "public", methods: GET, probes: [probeGet("/favicon.ico", all("ok"))] },
    // Loopback only (no metrics token on this server), whatever API credential a client sends.
    "/metrics": {
      access: "metrics",
      methods: GET,
      probes: [
        probeGet("/metrics", all("ok")),
        {
          name: "GET /metrics from another address",
          send: async (role) =>
            outcome(
              await server.inject({
                method: "GET",
                url: "/metrics",
                headers: headers(role),
                remoteAddress: "203.0.113.7",
              }),
            ),
          expect: all("forbidden"),
        },
      ],
    },
    "/api/openapi.json": {
      access: "public",
      methods: GET,
      probes: [probeGet("/api/openapi.json", all("ok"))],
    },
    "/api/common": {
      access: "signed-in",
      methods: GET,
      probes: [
        {
          name: "common lists only readable apps",
          send: async (role) => {
            const reply = await get("/api/common", role);
            return reply.statusCode >= 400
              ? outcome(reply)
              : body(reply).server.apps.includes("GUARD")
                ? "guard"
                : "no-guard";
          },
          expect: signedIn("guard", { outsider: "no-guard" }),
        },
      ],
    },
    "/api/schema/:spec": {
      access: "signed-in",
      methods: GET,
      probes: [probeGet("/api/schema/DEMO!GUARD", readers())],
    },
    "/api/projects/:spec": {
      access: "signed-in",
      methods: GET,
      probes: [
        listsGuard(
          "workspace lists only readable apps",
          (role) => get("/api/projects/DEMO!WORKSPACE", role),
          signedIn("guard", { outsider: "no-guard" }),
        ),
      ],
    },
    "/api/tickets/search": {
      access: "signed-in",
      methods: ["POST"],
      probes: [
        {
          name: "search",
          send: async (role) =>
            mentionsGuard(await post("/api/tickets/search", role, { query: "guardword" })),
          expect: readers("none", "found"),
        },
      ],
    },
    "/api/tickets/history": {
      access: "signed-in",
      methods: ["POST"],
      probes: [
        {
          name: "history of a guarded record",
          send: async (role) => mentionsGuard(await post("/api/tickets/history", role, { id: guarded })),
          expect: readers("none", "found"),
        },
      ],
    },
    "/api/tickets/list": {
      access: "signed-in",
      methods: list,
      probes: [
        {
          name: "workspace list",
          send: async (role) => mentionsGuard(await get("/api/tickets/list", role)),
          expect: readers("none", "found"),
        },
      ],
    },
    "/api/w/:ws/a/:app/tickets/list": {
      access: "signed-in",
      methods: list,
      probes: appScoped("/api/w/DEMO/a/GUARD", "list"),
    },
    "/api/w/:ws/a/:app/tickets/history": {
      access: "signed-in",
      methods: list,
      probes: appScoped("/api/w/DEMO/a/GUARD", "history"),
    },
    "/api/w/:ws/a/:app/tickets/changed": {
      access: "signed-in",
      methods: list,
      probes: appScoped("/api/w/DEMO/a/GUARD", "changed"),
    },
    "/api/aid/:app/tickets/list": {
      access: "signed-in",
      methods: list,
      probes: appScoped("/api/aid/GUARD", "list"),
    },
    "/api/aid/:app/tickets/history": {
      access: "signed-in",
      methods: list,
      probes: appScoped("/api/aid/GUARD", "history"),
    },
    "/api/aid/:app/tickets/changed": {
      access: "signed-in",
      methods: list,
      probes: appScoped("/api/aid/GUARD", "changed"),
    },
    ...Object.fromEntries(
      ["list", "history", "changed"].map((kind) => [
        `/api/pid/:app/tickets/${kind}`,
        {
          access: "signed-in" as const,
          methods: list,
          probes: appScoped("/api/pid/default-app-guard", kind),
        },
      ]),
    ),
    "/api/tickets/multi": { access: "signed-in", methods: ["POST"], probes: multiProbes() },
    "/api/apps/:ws/:app/actions/:uid": {
      access: "signed-in",
      methods: ["POST"],
      probes: actionEndpointProbes(),
    },
    "/api/admin/stats": {
      access: "admin",
      methods: GET,
      probes: [probeGet("/api/admin/stats", signedIn("forbidden", { admin: "ok" }))],
    },
    "/api/access-pass": {
      access: "access-pass",
      methods: GET,
      probes: [
        // No API credential stands in for a pass.
        probeGet("/api/access-pass?pass=not-a-pass", all("unauthorized")),
      ],
    },
    "/api/download/:uuid": {
      access: "signed-in",
      methods: GET,
      probes: [
        {
          name: "a file attached to a guarded record",
          send: async (role) => outcome(await get(`/api/download/${fileUid}`, role)),
          expect: readers("not_found"),
        },
      ],
    },
    "/api/upload": {
      access: "signed-in",
      methods: ["GET", "HEAD", "POST"],
      probes: [
        {
          name: "upload a one-chunk file",
          send: async (role) => outcome(await flowChunk(role, `own-${role}`, Buffer.from("abc"))),
          expect: signedIn("ok"),
        },
        {
          name: "test a chunk of the admin's unfinished upload (another uploader's is another upload)",
          send: async (role) =>
            String(
              (
                await get(
                  "/api/upload?flowChunkNumber=1&flowIdentifier=admin-partial&flowTotalChunks=2",
                  role,
                )
              ).statusCode,
            ),
          expect: { ...all("204"), anonymous: "401", admin: "200" },
        },
        {
          name: "attach the admin's finished upload by its flowIdentifier",
          send: async (role) =>
            outcome(
              await multi(role, {
                transition: "add",
                app_alias: "GUARD",
                attachments: [{ file_uid: "admin-finished", title: "guard.txt" }],
              }),
            ),
          expect: signedIn("validation_error", { admin: "ok" }),
        },
      ],
    },
    "/api/upload-tus": {
      access: "signed-in",
      methods: ["OPTIONS", "POST"],
      probes: [
        {
          name: "start an upload",
          send: async (role) =>
            outcome(
              await server.inject({
                method: "POST",
                url: "/api/upload-tus",
                headers: { ...headers(role), "tus-resumable": "1.0.0", "upload-length": "3" },
              }),
            ),
          expect: signedIn("ok"),
        },
      ],
    },
    "/api/upload-tus/:uploadId": {
      access: "signed-in",
      methods: ["DELETE", "HEAD", "OPTIONS", "PATCH"],
      probes: [
        {
          name: "another user's upload",
          send: async (role) =>
            outcome(
              await server.inject({
                method: "HEAD",
                url: "/api/upload-tus/00000000-0000-4000-8000-000000000000",
                headers: { ...headers(role), "tus-resumable": "1.0.0" },
              }),
            ),
          // HEAD: the refusal has no body to carry a code.
          expect: signedIn("404", { anonymous: "401" }),
        },
      ],
    },
    "/api/runs": {
      access: "signed-in",
      methods: GET,
      probes: [
        {
          name: "the runner's run is listed to the runner and admins only",
          send: async (role) => {
            const reply = await get("/api/runs", role);
            return reply.statusCode >= 400
              ? outcome(reply)
              : reply.body.includes(runnersQueuedRun)
                ? "listed"
                : "none";
          },
          expect: signedIn("none", { runner: "listed", admin: "listed" }),
        },
      ],
    },
    "/api/runs/:id": {
      access: "signed-in",
      methods: GET,
      probes: [
        {
          name: "the runner's run",
          send: async (role) => outcome(await get(`/api/runs/${runnersQueuedRun}`, role)),
          expect: signedIn("forbidden", { runner: "ok", admin: "ok" }),
        },
      ],
    },
    "/api/runs/:id/recording": {
      access: "signed-in",
      methods: GET,
      probes: [
        {
          name: "the recording of the runner's run: the runner and admins only",
          send: async (role) => outcome(await get(`/api/runs/${runnersRun}/recording`, role)),
          expect: signedIn("forbidden", { runner: "ok", admin: "ok" }),
        },
      ],
    },
    "/api/hooks/:ws/:app/:action": {
      access: "signature",
      methods: ["POST"],
      probes: [
        {
          name: "unsigned delivery: no API credential stands in for the signature",
          send: async (role) => outcome(await post("/api/hooks/DEMO/GUARD/hidden_op", role, "{}")),
          expect: all("unauthorized"),
        },
        {
          name: "signed delivery while system:webhook has no grant on the app",
          send: async (role) => outcome(await guard.deliverHook(JSON.stringify({ role }), headers(role))),
          expect: all("forbidden"),
        },
      ],
    },
    "/mcp": {
      access: "signed-in",
      methods: ["DELETE", "GET", "HEAD", "POST"],
      probes: [
        {
          name: "MCP without a session stream",
          send: async (role) => String((await get("/mcp", role)).statusCode),
          expect: signedIn("405", { anonymous: "401" }),
        },
      ],
    },
    "/console": { access: "console", methods: GET, probes: [consoleGet("/console", console_("redirect"))] },
    "/console/assets/:name": {
      access: "console-open",
      methods: GET,
      probes: [consoleGet("/console/assets/console.css", all("ok"))],
    },
    "/console/apps": {
      access: "console",
      methods: GET,
      probes: [
        listsGuard(
          "apps page lists only readable apps",
          (role) => page("GET", "/console/apps", role),
          console_("guard", { outsider: "no-guard" }),
        ),
      ],
    },
    "/console/apps/:app/records": {
      access: "console",
      methods: GET,
      probes: [consoleGet("/console/apps/GUARD/records", console_("ok", { outsider: "404" }))],
    },
    "/console/login": {
      access: "console-open",
      methods: [...GET, "POST"],
      probes: [consoleGet("/console/login?next=/console/apps", console_("redirect", { anonymous: "ok" }))],
    },
    "/console/logout": {
      access: "console-open",
      methods: ["POST"],
      probes: [
        {
          name: "logout",
          send: async (role) => outcome(await page("POST", "/console/logout", role)),
          expect: all("redirect"),
        },
      ],
    },
    "/console/runs": {
      access: "console",
      methods: GET,
      probes: [consoleGet("/console/runs", console_("ok"))],
    },
    "/console/runs/feed": {
      access: "console",
      methods: GET,
      probes: [consoleGet("/console/runs/feed", console_("ok", { anonymous: "unauthorized" }))],
    },
    "/console/runs/:id": {
      access: "console",
      methods: GET,
      probes: [
        {
          name: "the runner's run page",
          send: async (role) => outcome(await page("GET", `/console/runs/${runnersRun}`, role)),
          expect: console_("not_found", { runner: "ok", admin: "ok" }),
        },
      ],
    },
    "/console/runs/:id/recording": {
      access: "console",
      methods: GET,
      probes: [
        {
          name: "download the recording of the runner's run",
          send: async (role) => outcome(await page("GET", `/console/runs/${runnersRun}/recording`, role)),
          expect: console_("not_found", { runner: "ok", admin: "ok" }),
        },
      ],
    },
    "/console/runs/:id/rerun": {
      access: "console",
      methods: ["POST"],
      probes: [
        {
          name: "re-run the runner's run (admins only)",
          send: async (role) => consoleRun(await page("POST", `/console/runs/${runnersRun}/rerun`, role)),
          expect: console_("forbidden", { admin: "ok" }),
        },
      ],
    },
    "/console/records": {
      access: "console",
      methods: GET,
      probes: [
        listsGuard(
          "records page lists only readable apps",
          (role) => page("GET", "/console/records", role),
          console_("guard", { outsider: "no-guard" }),
        ),
      ],
    },
    "/console/records/:id": {
      access: "console",
      methods: GET,
      probes: [
        {
          name: "a guarded record's page",
          send: async (role) => outcome(await page("GET", `/console/records/${guarded}`, role)),
          expect: console_("ok", { outsider: "not_found" }),
        },
      ],
    },
    "/console/records/:id/actions/:uid": {
      access: "console",
      methods: ["POST"],
      probes: [
        {
          name: "approve from the console",
          send: async (role) =>
            consoleRun(await page("POST", `/console/records/${await fresh()}/actions/approve`, role)),
          expect: console_("forbidden", { runner: "ok", admin: "ok", outsider: "not_found" }),
        },
        {
          name: "a hidden action from the console",
          send: async (role) =>
            consoleRun(await page("POST", `/console/records/${await fresh()}/actions/hidden_op`, role)),
          expect: console_("forbidden", { outsider: "not_found" }),
        },
      ],
    },
    "/console/health": {
      access: "console",
      methods: GET,
      probes: [consoleGet("/console/health", console_("403", { admin: "ok" }))],
    },
    "/console/health.json": {
      access: "console",
      methods: GET,
      probes: [
        consoleGet("/console/health.json", console_("403", { admin: "ok", anonymous: "unauthorized" })),
      ],
    },
  };
}

/** A console run's outcome: the run page it redirects to says whether it ran; a failure's code is in the run log. */
async function consoleRun(reply: Reply): Promise<string> {
  const location = String(reply.headers.location ?? "");
  const ran = /\/console\/runs\/([0-9a-f-]{36})\?ran=(ok|failed)/.exec(location);
  if (!ran) return outcome(reply);
  if (ran[2] === "ok") return "ok";
  return (await store.getRun(ran[1]))?.errorCode ?? "failed-without-log";
}

/** A list that must name the guarded app to those who may read it, and only to them. */
function listsGuard(name: string, send: (role: Role) => Promise<Reply>, expect: Expect): Probe {
  return {
    name,
    send: async (role) => {
      const reply = await send(role);
      if (reply.statusCode >= 300) return outcome(reply);
      return reply.body.includes("GUARD") ? "guard" : "no-guard";
    },
    expect,
  };
}

function probeGet(url: string, expect: Expect): Probe {
  return { name: `GET ${url}`, send: async (role) => outcome(await get(url, role)), expect };
}

function consoleGet(url: string, expect: Expect): Probe {
  return {
    name: `console ${url}`,
    send: async (role) => {
      const reply = await page("GET", url, role);
      return reply.statusCode === 404 || reply.statusCode === 403 ? String(reply.statusCode) : outcome(reply);
    },
    expect,
  };
}

/** Who may run what through tickets/multi: run never implies write; hidden actions are for logic only. */
function multiProbes(): Probe[] {
  const writers = signedIn("forbidden", { writer: "ok", admin: "ok" });
  const runners = signedIn("forbidden", { runner: "ok", admin: "ok" });
  const nobody = signedIn("forbidden");
  return [
    {
      name: "add",
      send: async (role) =>
        outcome(await multi(role, { transition: "add", app_alias: "GUARD", c_text: "x" })),
      expect: writers,
    },
    {
      name: "edit with values",
      send: async (role) =>
        outcome(await multi(role, { transition: "edit", id: await fresh(), c_text: "x" })),
      expect: writers,
    },
    {
      name: "delete",
      send: async (role) => outcome(await multi(role, { transition: "delete", id: await fresh() })),
      expect: writers,
    },
    ...(["copy", "archive"] as const).map((transition) => ({
      name: transition,
      send: async (role: Role) => outcome(await multi(role, { transition, id: await fresh() })),
      expect: writers,
    })),
    {
      name: "move with a state",
      send: async (role) =>
        outcome(await multi(role, { transition: "move", id: await fresh(), state: "done" })),
      expect: writers,
    },
    {
      name: "a custom action",
      send: async (role) => outcome(await multi(role, { transition: "approve", id: await fresh() })),
      expect: runners,
    },
    {
      name: "a custom action that sends values (needs write too)",
      send: async (role) =>
        outcome(await multi(role, { transition: "approve", id: await fresh(), c_text: "x" })),
      expect: signedIn("forbidden", { admin: "ok" }),
    },
    {
      name: "a hidden action",
      send: async (role) => outcome(await multi(role, { transition: "hidden_op", id: await fresh() })),
      expect: nobody,
    },
    {
      name: "a mass action",
      send: async (role) =>
        outcome(await multi(role, { transition: "approve", ids: [await fresh(), await fresh()] })),
      expect: runners,
    },
    {
      name: "an async custom action",
      send: async (role) =>
        outcome(await multi(role, { transition: "approve", id: await fresh(), async: true })),
      expect: runners,
    },
    {
      name: "an async edit",
      send: async (role) =>
        outcome(await multi(role, { transition: "edit", id: await fresh(), c_text: "x", async: true })),
      expect: writers,
    },
    {
      name: "an async hidden action",
      send: async (role) =>
        outcome(await multi(role, { transition: "hidden_op", id: await fresh(), async: true })),
      expect: nobody,
    },
    {
      name: "an async mass action",
      send: async (role) =>
        outcome(await multi(role, { transition: "approve", ids: [await fresh()], async: true })),
      expect: signedIn("bad_request"),
    },
    {
      name: "the same through /api/apialpha.ashx",
      send: async (role) =>
        outcome(
          await post("/api/apialpha.ashx/tickets/multi", role, [
            { transition: "approve", id: await fresh(), async: true },
          ]),
        ),
      expect: runners,
    },
  ];
}

function actionEndpointProbes(): Probe[] {
  const endpoint = "/api/apps/DEMO/GUARD/actions";
  const send =
    (uid: string, payload: (id: string) => unknown, query = "") =>
    async (role: Role) =>
      outcome(await post(`${endpoint}/${uid}${query}`, role, payload(await fresh())));
  const runners = signedIn("forbidden", { runner: "ok", admin: "ok" });
  return [
    { name: "approve", send: send("approve", (id) => ({ id })), expect: runners },
    {
      name: "approve with values",
      send: send("approve", (id) => ({ id, values: { c_text: "x" } })),
      expect: signedIn("forbidden", { admin: "ok" }),
    },
    { name: "async approve", send: send("approve", (id) => ({ id }), "?async=true"), expect: runners },
    { name: "hidden", send: send("hidden_op", (id) => ({ id })), expect: signedIn("forbidden") },
    {
      name: "async hidden",
      send: send("hidden_op", (id) => ({ id }), "?async=true"),
      expect: signedIn("forbidden"),
    },
    {
      name: "edit",
      send: send("edit", (id) => ({ id, values: { c_text: "x" } })),
      expect: signedIn("forbidden", { writer: "ok", admin: "ok" }),
    },
  ];
}

/** Every MCP tool: what each role gets ("ok:guard" = the answer shows the guarded app's data). */
function mcpTable(): Record<string, Probe[]> {
  type Args = Record<string, unknown>;
  const tool = (name: string, args: Args | (() => Promise<Args> | Args), expect: Expect): Probe => ({
    name,
    send: async (role) => mcp(role, name, typeof args === "function" ? await args() : args),
    expect,
  });
  const anon = { anonymous: "unauthorized" };
  const reads = (refused: string) => signedIn("ok:guard", { outsider: refused, ...anon });
  return {
    // whoami lists your recent activity: the roles that changed GUARD records by now see them.
    whoami: [
      tool(
        "whoami",
        {},
        signedIn("ok", { runner: "ok:guard", writer: "ok:guard", admin: "ok:guard", ...anon }),
      ),
    ],
    list_workspaces: [tool("list_workspaces", {}, signedIn("ok", anon))],
    get_workspace: [tool("get_workspace", { alias: "DEMO" }, reads("ok"))],
    get_app_schema: [tool("get_app_schema", { app: "GUARD" }, reads("forbidden"))],
    list_records: [tool("list_records", { app: "GUARD" }, reads("forbidden"))],
    search_records: [tool("search_records", { query: "guardword" }, reads("ok:empty"))],
    aggregate_records: [
      tool(
        "aggregate_records",
        { app: "GUARD", dimensions: [] },
        signedIn("ok", { outsider: "forbidden", ...anon }),
      ),
    ],
    get_record: [tool("get_record", () => ({ reference: guarded }), reads("forbidden"))],
    list_history: [tool("list_history", () => ({ reference: guarded }), reads("forbidden"))],
    aggregate_history: [
      tool(
        "aggregate_history",
        { dimensions: ["app"] },
        signedIn("ok:guard", { outsider: "ok:empty", ...anon }),
      ),
    ],
    create_record: [
      tool(
        "create_record",
        { app: "GUARD", fields: { c_text: "x" } },
        signedIn("forbidden", { writer: "ok:guard", admin: "ok:guard", ...anon }),
      ),
    ],
    update_record: [
      tool(
        "update_record",
        async () => ({ reference: await fresh(), action: "approve" }),
        signedIn("forbidden", { runner: "ok:guard", admin: "ok:guard", ...anon }),
      ),
      tool(
        "update_record",
        async () => ({ reference: await fresh(), fields: { c_text: "x" } }),
        signedIn("forbidden", { writer: "ok:guard", admin: "ok:guard", ...anon }),
      ),
      tool(
        "update_record",
        async () => ({ reference: await fresh(), action: "approve", fields: { c_text: "x" } }),
        signedIn("forbidden", { admin: "ok:guard", ...anon }),
      ),
      tool(
        "update_record",
        async () => ({ reference: await fresh(), action: "hidden_op" }),
        signedIn("forbidden", anon),
      ),
    ],
    get_asset: [
      tool("get_asset", () => ({ content_id: fileUid }), signedIn("ok", { outsider: "not_found", ...anon })),
    ],
  };
}

let guard: GuardServer;

beforeAll(async () => {
  guard = await startGuardServer({
    console: true,
    grants: { readers: ["read"], runners: ["read", "run"], writers: ["read", "write"] },
    users: {
      outsider: {},
      reader: { groups: ["readers"] },
      runner: { groups: ["runners"] },
      writer: { groups: ["writers"] },
      admin: { admin: true },
    },
  });
  ({ store, server } = guard);
  Object.assign(tokens, guard.tokens);
  fileUid = await upload("admin", Buffer.from("guarded bytes"));
  expect((await flowChunk("admin", "admin-partial", Buffer.from("half"), 2)).statusCode).toBe(200);
  expect((await flowChunk("admin", "admin-finished", Buffer.from("whole"))).json().complete).toBe(true);
  guarded = await fresh({ attachments: [{ file_uid: fileUid, title: "guard.txt" }] });
  const [queued] = (await multi("runner", { transition: "approve", id: await fresh(), async: true })).json();
  runnersQueuedRun = queued.runId;
  const ran = (await post("/api/apps/DEMO/GUARD/actions/approve", "runner", { id: await fresh() })).json();
  runnersRun = ran.runId;
});

afterAll(() => guard?.close());

describe("the access table", () => {
  it("has a case for every registered route, with the policy the route declares", () => {
    const routes = registeredRoutes(server);
    const expected = table();
    const declared: Record<string, { access: string | null; methods: string[] }> = {};
    for (const route of routes) {
      declared[route.url] ??= { access: route.access, methods: [] };
      declared[route.url].methods.push(route.method);
    }
    const shape = (entries: Record<string, { access: string | null; methods: string[] }>) =>
      Object.fromEntries(
        Object.entries(entries)
          .map(([url, entry]) => [url, { access: entry.access, methods: [...new Set(entry.methods)].sort() }])
          .sort(([a], [b]) => String(a).localeCompare(String(b))),
      );
    expect(shape(declared)).toEqual(shape(expected));
  });

  it("refuses an anonymous caller on every method of every route that needs a credential", async () => {
    const refused: string[] = [];
    for (const route of registeredRoutes(server)) {
      if (!["signed-in", "admin"].includes(String(route.access))) continue;
      const url = route.url.replace(/:(\w+)/g, "x").replace("*", "x");
      const reply = await server.inject({ method: route.method as never, url });
      if (reply.statusCode !== 401) refused.push(`${route.method} ${route.url} -> ${reply.statusCode}`);
    }
    expect(refused).toEqual([]);
  });

  it("answers each role as the table says, on every route", async () => {
    const wrong: string[] = [];
    for (const [url, entry] of Object.entries(table()))
      for (const probe of entry.probes)
        for (const role of ROLES) {
          const got = await probe.send(role);
          if (got !== probe.expect[role])
            wrong.push(`${url} [${probe.name}] as ${role}: ${got}, expected ${probe.expect[role]}`);
        }
    expect(wrong).toEqual([]);
  }, 120_000);

  it("has a case for every MCP tool the server lists, and answers each role as the table says", async () => {
    const tools = mcpTable();
    expect((await mcpTools()).sort()).toEqual(Object.keys(tools).sort());
    const wrong: string[] = [];
    for (const [name, probes] of Object.entries(tools))
      for (const probe of probes)
        for (const role of ROLES) {
          const got = await probe.send(role);
          if (got !== probe.expect[role])
            wrong.push(`${name} as ${role}: ${got}, expected ${probe.expect[role]}`);
        }
    expect(wrong).toEqual([]);
  }, 120_000);
});
