/**
 * Open-loop load for the admission benchmark, run as its own process: requests are sent at a fixed
 * arrival rate whatever the server answers (a closed loop would slow down with the server and
 * hide the overload). Each request's latency counts from the moment it was due, so requests held
 * back by the client's own connection limit are not flattered (no coordinated omission).
 *
 * When the sending stops, a probe (one request at a time, on its own connection) measures the time
 * until the server answers an action again as fast as `healthyMs` (the idle latency's budget):
 * the time to recover.
 *
 *   node bench/open-loop-client.ts <url> <token> <rate per s> <seconds> <recordIds,...> <healthyMs>
 * prints one JSON line: { sent, admitted, overloaded, other, admittedPerSecond, p50Ms, p99Ms, ... }
 */
import { Pool } from "undici";
import { percentile } from "./stats.ts";

const [url, token, rateText, secondsText, ids, healthyText] = process.argv.slice(2);
const healthyMs = Number(healthyText);
const rate = Number(rateText);
const seconds = Number(secondsText);
const recordIds = ids.split(",").filter(Boolean);
const pool = new Pool(url, { connections: 1024, pipelining: 1, headersTimeout: 60_000, bodyTimeout: 60_000 });
const headers = { authorization: `CMW_AUTH_CODE ${token}`, "content-type": "application/json" };

const admitted: number[] = [];
const refused: number[] = [];
let other = 0;
/** What the `other` answers were: status code, or the client error's code (a timeout, a reset). */
const others: Record<string, number> = {};
const countOther = (what: string) => {
  other++;
  others[what] = (others[what] ?? 0) + 1;
};
let retryAfter: string | undefined;
const inFlight: Promise<void>[] = [];

async function send(index: number, due: number): Promise<void> {
  try {
    const response = await pool.request({
      path: "/api/tickets/multi",
      method: "POST",
      headers,
      body: JSON.stringify([{ id: recordIds[index % recordIds.length], transition: "bump" }]),
    });
    const body = await response.body.text();
    const ms = performance.now() - due;
    if (response.statusCode === 200 && body.includes('"successful":true')) admitted.push(ms);
    else if (response.statusCode === 503 && body.includes('"overloaded"')) {
      refused.push(ms);
      retryAfter ??= String(response.headers["retry-after"]);
    } else countOther(String(response.statusCode));
  } catch (error) {
    countOther(String((error as { code?: string }).code ?? "error"));
  }
}

const started = performance.now();
const total = Math.round(rate * seconds);
// A 5 ms pacer: every request whose due time has come is sent (bursts of rate/200 at most).
await new Promise<void>((done) => {
  let sent = 0;
  const timer = setInterval(() => {
    const dueCount = Math.min(total, Math.floor(((performance.now() - started) / 1000) * rate));
    for (; sent < dueCount; sent++) inFlight.push(send(sent, started + (sent / rate) * 1000));
    if (sent >= total) {
      clearInterval(timer);
      done();
    }
  }, 5);
});
const sendWindow = (performance.now() - started) / 1000;
const stoppedAt = performance.now();
const probe = new Pool(url, { connections: 1 });
let recoverSeconds: number | null = null;
while (performance.now() - stoppedAt < 60_000) {
  const start = performance.now();
  const response = await probe.request({
    path: "/api/tickets/multi",
    method: "POST",
    headers,
    body: JSON.stringify([{ id: recordIds[0], transition: "bump" }]),
  });
  const ok = response.statusCode === 200 && (await response.body.text()).includes('"successful":true');
  if (ok && performance.now() - start <= healthyMs) {
    recoverSeconds = Number(((performance.now() - stoppedAt) / 1000).toFixed(2));
    break;
  }
  await new Promise((resume) => setTimeout(resume, 20));
}
await probe.close();
await Promise.all(inFlight);
const drained = (performance.now() - started) / 1000;
await pool.close();
const p = (values: number[], q: number) => (values.length ? Number(percentile(values, q).toFixed(1)) : null);
console.log(
  JSON.stringify({
    rate,
    sent: total,
    admitted: admitted.length,
    overloaded: refused.length,
    other,
    others,
    admittedPerSecond: Math.round(admitted.length / drained),
    overloadedShare: Number((refused.length / total).toFixed(3)),
    p50Ms: p(admitted, 50),
    p99Ms: p(admitted, 99),
    refusedP99Ms: p(refused, 99),
    retryAfter: retryAfter ?? null,
    sendSeconds: Number(sendWindow.toFixed(2)),
    drainSeconds: Number((drained - sendWindow).toFixed(2)),
    recoverSeconds,
  }),
);
