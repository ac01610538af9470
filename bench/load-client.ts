/**
 * The load generator of the REST benchmark, run as its own process (so its CPU is not the
 * server's): N keep-alive clients, each sending its next request when the previous answered.
 *
 *   node bench/load-client.ts <url> <token> <common|bump|note> <seconds> <clients> [recordIds,...]
 * (`note`: the FLOOR app's action with a new c_note each time, bench/floor.ts)
 * prints one JSON line: { requests, perSecond, p50Ms, p99Ms, failures }
 */
import { Pool } from "undici";
import { percentile } from "./stats.ts";

const [url, token, mode, seconds, clients, ids = ""] = process.argv.slice(2);
const recordIds = ids.split(",").filter(Boolean);
const pool = new Pool(url, { connections: Number(clients), pipelining: 1 });
const headers = { authorization: `CMW_AUTH_CODE ${token}`, "content-type": "application/json" };

let sent = 0;
function item(client: number) {
  const id = recordIds[client % recordIds.length];
  return mode === "note" ? { id, transition: "note", c_note: `note ${sent++}` } : { id, transition: "bump" };
}

async function once(client: number): Promise<boolean> {
  const response =
    mode === "common"
      ? await pool.request({ path: "/api/common", method: "GET", headers })
      : await pool.request({
          path: "/api/tickets/multi",
          method: "POST",
          headers,
          body: JSON.stringify([item(client)]),
        });
  const body = await response.body.text();
  return response.statusCode === 200 && (mode === "common" || body.includes('"successful":true'));
}

const latencies: number[] = [];
let failures = 0;
const until = performance.now() + Number(seconds) * 1000;
const started = performance.now();
await Promise.all(
  Array.from({ length: Number(clients) }, async (_, client) => {
    while (performance.now() < until) {
      const start = performance.now();
      if (!(await once(client))) failures++;
      latencies.push(performance.now() - start);
    }
  }),
);
const elapsed = (performance.now() - started) / 1000;
await pool.close();
console.log(
  JSON.stringify({
    requests: latencies.length,
    perSecond: Math.round(latencies.length / elapsed),
    p50Ms: Number(percentile(latencies, 50).toFixed(2)),
    p99Ms: Number(percentile(latencies, 99).toFixed(2)),
    failures,
  }),
);
