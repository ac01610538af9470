/**
 * A message that arrives while the database is down is answered 4xx (try again later) and writes
 * nothing; sent again once the database is back (as the sender's mail server does after a 4xx), it
 * is delivered and its run succeeds. A real outage: a throwaway Postgres cluster stopped with
 * `pg_ctl stop` (never the machine's shared Postgres).
 */
import { join } from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { startMailListener, type MailListener } from "../../runtime/mail-in/index.ts";
import { startThrowawayCluster, type ThrowawayCluster } from "../helpers/pg-cluster.ts";
import { FIXTURE_APPS } from "../helpers/runtime.ts";
import { startNodeOn, waitFor, type QueueNode } from "../queue/harness.ts";
import { runIdOf, sendMail } from "./send.ts";

let cluster: ThrowawayCluster;
let node: QueueNode;
let mail: MailListener;

beforeAll(async () => {
  cluster = await startThrowawayCluster();
  node = await startNodeOn({ dataDir: "", databaseUrl: cluster.url }, [join(FIXTURE_APPS, "app-mail-in")]);
  await node.store.directory.saveUser({
    id: "alice",
    name: "Alice",
    email: "alice@example.com",
    timeZone: null,
    companyId: null,
    isGlobalAdmin: false,
  });
  mail = await startMailListener({ runtime: node.runtime, port: 0 });
}, 180_000);
afterAll(async () => {
  await mail?.close();
  await node?.close();
  await cluster?.remove();
}, 120_000);

async function countFiles(): Promise<number> {
  const { default: pg } = await import("pg");
  const client = new pg.Client({ connectionString: cluster.url });
  await client.connect();
  try {
    return Number((await client.query("SELECT count(*) AS n FROM files")).rows[0].n);
  } finally {
    await client.end();
  }
}

it("answers 4xx during a database outage, writes nothing, and delivers the message sent again after", async () => {
  const message = {
    from: "alice@example.com",
    to: "support@desk.test",
    subject: "Sent during the outage",
    text: "please keep this",
    messageId: "<outage-1@example.com>",
    attachments: [{ filename: "log.txt", content: "error 42\n" }],
  };
  const filesBefore = await countFiles();
  await cluster.stop("fast");
  const deferred = await sendMail(mail.port, message);
  expect(deferred.ok).toBe(false);
  expect(deferred.code).toBeGreaterThanOrEqual(400);
  expect(deferred.code).toBeLessThan(500);
  expect(deferred.response).toMatch(/try again later/);
  await cluster.start();
  await waitFor(() =>
    node.store.ping().then(
      () => true,
      () => false,
    ),
  );
  expect(await countFiles()).toBe(filesBefore);
  // The sender's mail server retries the same message.
  const delivered = await sendMail(mail.port, message);
  expect(delivered).toMatchObject({ ok: true, code: 250 });
  const run = await waitFor(async () => {
    const found = await node.queue.getRun(runIdOf(delivered));
    return found && ["succeeded", "failed", "dead"].includes(found.status) ? found : undefined;
  });
  expect(run).toMatchObject({ status: "succeeded", actor: "alice" });
  expect(run.result?.entity).toMatchObject({
    title: "Sent during the outage",
    c_files: "log.txt:text/plain:9",
  });
  expect(await countFiles()).toBe(filesBefore + 1);
}, 180_000);
