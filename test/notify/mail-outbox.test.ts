/**
 * With a job queue, e-mails go through the outbox: written in the action's transaction as `~mail`
 * runs, sent after the commit with retries. The action's answer never waits for SMTP; an SMTP
 * server that is down when the action runs and up later gets every e-mail exactly once; a message
 * that can never be sent fails at once; nobody can queue a `~mail` run of their own.
 */
import { createServer, type Server, type Socket } from "node:net";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { asDeveloper } from "../../runtime/index.ts";
import { startJobNode } from "../../runtime/jobs/index.ts";
import { openQueue, type Queue } from "../../runtime/queue/index.ts";
import { type ActionRuntime, createActionRuntime } from "../../runtime/runs/index.ts";
import { openStore, type Store } from "../../runtime/store/index.ts";
import { ENGINES } from "../helpers/engines.ts";
import { eventually } from "../helpers/eventually.ts";
import { type TestSmtp, startSmtp } from "../helpers/smtp.ts";
import { removeTempApps, writeTempApp } from "../helpers/temp-app.ts";
import { dropSchema, graphileSchemaOf } from "../queue/harness.ts";

const APP = {
  "fields/index.ts": `export default [{ name: "c_text", caption: "Text", type: "text" }] as const;\n`,
  "actions/index.ts": `export default [{ uid: "notify" }] as const;\n`,
  "actions/logic/index.ts": `
import { entity } from "#typings";
import type { NotifyContext } from "@comind/api/server";
export default {
  notify() {
    entity.c_text = entity.c_text ?? "hello";
  },
  __sendNotifications(): NotifyContext | NotifyContext[] | null {
    if (entity.c_text === "bad") return { to: "ada@@example.com", subject: "never" };
    return [
      { to: "ada@example.com", subject: "First " + entity.c_text, email_body: "<p>one</p>" },
      { to: "bob@example.com", subject: "Second " + entity.c_text, email_body: "<p>two</p>" },
    ];
  },
};`,
};

/** A port nothing listens on yet (the SMTP server is "down"). */
async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, "127.0.0.1", resolve));
  const { port } = probe.address() as { port: number };
  await new Promise((resolve) => probe.close(resolve));
  return port;
}

/** Accepts connections and never says a word: an SMTP server that hangs. */
async function startHangingServer(): Promise<{ port: number; close(): Promise<void> }> {
  const sockets: Socket[] = [];
  const server: Server = createServer((socket) => sockets.push(socket));
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    port: (server.address() as { port: number }).port,
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

describe.each(ENGINES)("e-mail through the outbox ($name)", (engine) => {
  let store: Store;
  let runtime: ActionRuntime;
  let queue: Queue;
  let node: { stop(): Promise<void> };
  let cleanup: () => Promise<void>;
  let smtp: TestSmtp | undefined;
  let hanging: Awaited<ReturnType<typeof startHangingServer>> | undefined;
  let smtpPort: number;

  async function start(smtpUrl: string) {
    const created = await engine.create();
    store = await openStore(created.options);
    runtime = await createActionRuntime({
      store,
      notifications: {
        smtpUrl,
        from: "runtime@example.com",
        retries: { backoffMs: 100, maxBackoffMs: 500, maxAttempts: 1000 },
      },
    });
    await runtime.loadApp(writeTempApp(APP, { alias: "MAILER" }));
    queue = await openQueue(store, {
      concurrency: 2,
      pollMs: 50,
      lockTimeoutMs: 10_000,
      graphileSchema: graphileSchemaOf(created.options),
    });
    node = await startJobNode(runtime, queue, {
      info: () => undefined,
      warn: () => undefined,
      error: () => undefined,
    });
    cleanup = async () => {
      await node.stop();
      await runtime.close();
      await store.close();
      if (created.options.schema)
        await dropSchema(created.options.databaseUrl!, graphileSchemaOf(created.options)!);
      await created.cleanup();
    };
  }

  const mailRunIds = (logs: { message: string }[]) =>
    logs.flatMap((entry) => /^\[notification\] queued: run (\S+)/.exec(entry.message)?.[1] ?? []);

  beforeAll(async () => {
    smtpPort = await freePort();
  });
  afterEach(async () => {
    await cleanup?.();
    await smtp?.close();
    await hanging?.close();
    smtp = undefined;
    hanging = undefined;
  });
  afterAll(() => removeTempApps());

  it("sends every e-mail exactly once when SMTP is down during the action and up later", async () => {
    await start(`smtp://127.0.0.1:${smtpPort}`);
    const result = await runtime.run({ caller: asDeveloper(), app: "MAILER", action: "notify", values: {} });
    expect(result.ok).toBe(true);
    const ids = mailRunIds(result.logs);
    expect(ids).toHaveLength(2);
    // Each e-mail fails its first attempts (connection refused) and waits for its next one.
    await eventually(async () => {
      const runs = await Promise.all(ids.map((id) => queue.getRun(id)));
      return runs.every((run) => run !== null && run.attempt >= 2 && run.status === "queued");
    });
    const failed = await queue.getRun(ids[0]);
    expect(failed).toMatchObject({ source: "notification", error: { code: "network_error" } });

    smtp = await startSmtp(smtpPort);
    await eventually(async () =>
      (await Promise.all(ids.map((id) => queue.getRun(id)))).every((run) => run?.status === "succeeded"),
    );
    expect(smtp.messages.map((mail) => mail.subject).sort()).toEqual(["First hello", "Second hello"]);
    // Done means done: nothing is sent again.
    await node.stop();
    expect(smtp.messages).toHaveLength(2);
  }, 120_000);

  it("answers the action without waiting for an SMTP server that hangs", async () => {
    hanging = await startHangingServer();
    await start(`smtp://127.0.0.1:${hanging.port}`);
    const result = await runtime.run({ caller: asDeveloper(), app: "MAILER", action: "notify", values: {} });
    expect(result.ok).toBe(true);
    // The server has not said a word, so no e-mail can have been sent: the answer did not wait.
    for (const id of mailRunIds(result.logs)) expect((await queue.getRun(id))?.status).not.toBe("succeeded");
    await hanging.close(); // the attempts in flight fail now instead of at the greeting timeout
  }, 120_000);

  it("fails an e-mail that can never be sent at once, without retrying it", async () => {
    smtp = await startSmtp();
    await start(smtp.url);
    const result = await runtime.run({
      caller: asDeveloper(),
      app: "MAILER",
      action: "notify",
      values: { c_text: "bad" },
    });
    expect(result.ok).toBe(true);
    const [id] = mailRunIds(result.logs);
    await eventually(async () => (await queue.getRun(id))?.status === "failed");
    expect(await queue.getRun(id)).toMatchObject({ attempt: 1, error: { code: "validation_error" } });
    expect(smtp.messages).toHaveLength(0);
  }, 120_000);

  it("refuses a ~mail run queued by anyone but an action's commit", async () => {
    smtp = await startSmtp();
    await start(smtp.url);
    const forged = await queue.add({
      runId: "01a25000-0000-7000-8000-000000000001",
      workspace: "DEMO",
      app: "MAILER",
      action: "~mail",
      values: {
        notification: {
          context: { to: "victim@example.com", subject: "forged" },
          app: "MAILER",
          recordId: "x",
          fields: {},
        },
      },
      caller: asDeveloper(),
      source: "async",
      maxAttempts: 1,
    });
    await eventually(async () => (await queue.getRun(forged.runId))?.status === "failed");
    expect((await queue.getRun(forged.runId))?.error?.code).toBe("unknown_action");
    expect(smtp.messages).toHaveLength(0);
  }, 120_000);
});
