/**
 * The first action of an app over REST on a freshly started `serve` (issue 27, "Ready when it
 * says so"): start the server, wait for its "Server listening at" line (logged once it can run an
 * action), send one action at once and time it from the client; then a second one (warm, the
 * baseline). Alternated in the same run with `--warm-up off` (no warm-up of the server's own
 * request path, cli/path-warm-up.ts) and with `--workers 0` (isolates in the server process).
 * The client's own HTTP stack is warmed first against an unrelated local server: a fresh Node
 * client's first request costs ~10 ms of its own (undici's parser, first connection), which a
 * user's browser or HTTP client does not pay per request, and which is not the server's.
 *
 *   node --no-node-snapshot bench/first-action.ts [--starts 7]
 */
import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { request } from "undici";
import { adminToken, startServer } from "./rest.ts";
import { median, round } from "./stats.ts";

async function timedAction(url: string, token: string): Promise<number> {
  const start = performance.now();
  const res = await request(`${url}/api/tickets/multi`, {
    method: "POST",
    headers: { authorization: `CMW_AUTH_CODE ${token}`, "content-type": "application/json" },
    body: JSON.stringify([{ transition: "add", app_alias: "BENCH" }]),
  });
  const body = (await res.body.json()) as { successful: boolean }[];
  const ms = performance.now() - start;
  if (res.statusCode !== 200 || !body[0]?.successful)
    throw new Error(`first action failed: ${res.statusCode} ${JSON.stringify(body)}`);
  return ms;
}

/** Warms this client's HTTP stack (undici, a first connection) on a server of its own. */
async function warmClient(): Promise<void> {
  const other = createServer((_request, response) => response.end("[]")).listen(0, "127.0.0.1");
  await new Promise((resolve) => other.once("listening", resolve));
  const { port } = other.address() as { port: number };
  for (let i = 0; i < 20; i++) {
    const res = await request(`http://127.0.0.1:${port}/`, { method: "POST", body: "[]" });
    await res.body.json();
  }
  await new Promise((resolve) => other.close(resolve));
}

async function oneStart(dataDir: string, token: string, workers: number | undefined, args: string[] = []) {
  const started = performance.now();
  const server = await startServer(dataDir, workers, { args });
  const readyMs = performance.now() - started;
  try {
    const first = await timedAction(server.url, token);
    const second = await timedAction(server.url, token);
    return { readyMs, first, second };
  } finally {
    await server.stop();
  }
}

export async function firstActionOverRest(options: { starts?: number } = {}) {
  const starts = options.starts ?? 7;
  const dataDir = mkdtempSync(join(tmpdir(), "comind-first-action-"));
  try {
    const token = adminToken(dataDir);
    await warmClient();
    const serve: Awaited<ReturnType<typeof oneStart>>[] = [];
    const cold: Awaited<ReturnType<typeof oneStart>>[] = [];
    const inProcess: Awaited<ReturnType<typeof oneStart>>[] = [];
    for (let i = 0; i < starts; i++) {
      serve.push(await oneStart(dataDir, token, undefined));
      cold.push(await oneStart(dataDir, token, undefined, ["--warm-up", "off"]));
      inProcess.push(await oneStart(dataDir, token, 0));
    }
    const p50 = (values: number[]) => round(median(values), 2);
    return {
      starts,
      first_action_p50_ms: p50(serve.map((s) => s.first)),
      first_action_max_ms: round(Math.max(...serve.map((s) => s.first)), 2),
      second_action_p50_ms: p50(serve.map((s) => s.second)),
      ready_after_start_p50_ms: Math.round(median(serve.map((s) => s.readyMs))),
      warm_up_off_first_action_p50_ms: p50(cold.map((s) => s.first)),
      warm_up_off_ready_after_start_p50_ms: Math.round(median(cold.map((s) => s.readyMs))),
      workers_0_first_action_p50_ms: p50(inProcess.map((s) => s.first)),
      workers_0_ready_after_start_p50_ms: Math.round(median(inProcess.map((s) => s.readyMs))),
      budget_first_action_p50_ms: 10,
    };
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
}

if (import.meta.main) {
  const { values } = parseArgs({ options: { starts: { type: "string" } } });
  const starts = values.starts ? Number(values.starts) : undefined;
  console.log(JSON.stringify(await firstActionOverRest({ starts }), null, 2));
}
