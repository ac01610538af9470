/**
 * Incoming e-mail fires app actions: a real SMTP client (nodemailer) against the listener on
 * 127.0.0.1 (OS-chosen port), a SQLite store and a job node. Accepted messages become queued runs
 * whose logic reads `ComindServer.request.email`; every refusal answers the SMTP code a mail server
 * should and writes nothing.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startMailListener, type MailListener } from "../../runtime/mail-in/index.ts";
import { createSmtpServer } from "../../runtime/mail-in/listener.ts";
import { parseMailInOptions } from "../../runtime/mail-in/options-schema.ts";
import { SQLITE } from "../helpers/engines.ts";
import { connect } from "node:net";
import { FIXTURE_APPS } from "../helpers/runtime.ts";
import { removeTempApps, writeTempApp } from "../helpers/temp-app.ts";
import { startQueueNode, waitFor, type QueueNode } from "../queue/harness.ts";
import { runIdOf, sendMail } from "./send.ts";

const MAIL_APP = join(FIXTURE_APPS, "app-mail-in");
const DOMAIN = "desk.test";

let node: QueueNode;
let mail: MailListener;

/** An app that takes mail from anyone: senders who are no user run as system:email. */
const openApp = () =>
  writeTempApp(
    {
      "actions/index.ts":
        'export default [{ uid: "intake", caption: "Intake", invokeFromEmail: true }] as const;\n',
      "actions/logic/index.ts":
        'import { entity } from "#typings";\nexport default { intake() { entity.c_text = currentUser.id; } };\n',
      "settings/index.ts": 'export default { email: { unknownSenders: "system" } };\n',
    },
    { alias: "INTAKE" },
  );

beforeAll(async () => {
  node = await startQueueNode(SQLITE, [MAIL_APP, openApp()]);
  const { directory } = node.store;
  const user = { timeZone: null, companyId: null, isGlobalAdmin: false };
  await directory.saveUser({ ...user, id: "alice", name: "Alice", email: "alice@example.com" });
  await directory.saveUser({ ...user, id: "bob", name: "Bob", email: "bob@example.com" });
  await directory.saveGroup("support-staff");
  await directory.addGroupMember("support-staff", "alice");
  for (const permission of ["read", "write", "run"] as const)
    await directory.grant({ workspace: "DEMO", app: "SUPPORT", group: "support-staff", permission });
  mail = await startMailListener({ runtime: node.runtime, port: 0, domain: DOMAIN });
});
afterAll(async () => {
  await mail?.close();
  await node?.close();
  removeTempApps();
});

/** What the store holds: files and queued runs (a refusal must add to neither). */
function written() {
  const storage = node.store.queueStorage;
  if (storage.engine !== "sqlite") throw new Error("sqlite only");
  const count = (table: string) =>
    (storage.db.prepare(`SELECT count(*) AS n FROM ${table}`).get() as { n: number }).n;
  return { files: count("files"), runs: count("queue_runs") };
}

const finished = (runId: string) =>
  waitFor(async () => {
    const run = await node.queue.getRun(runId);
    return run && ["succeeded", "failed", "dead"].includes(run.status) ? run : undefined;
  });

/** The server's answer to EHLO, read off a plain socket. */
function ehlo(port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, "127.0.0.1");
    let greeted = false;
    let text = "";
    socket.on("data", (chunk) => {
      text += chunk;
      if (!greeted && /^220 /m.test(text)) {
        greeted = true;
        text = "";
        socket.write("EHLO client.test\r\n");
      } else if (greeted && /^250 /m.test(text)) {
        socket.end("QUIT\r\n");
        resolve(text);
      }
    });
    socket.on("error", reject);
  });
}

const report = { filename: "report.txt", content: "disk full on node 3\n", contentType: "text/plain" };

describe("an accepted message", () => {
  it("creates a record from a support e-mail with its attachment, run as the sender's user", async () => {
    const answer = await sendMail(mail.port, {
      from: '"Alice A." <alice@example.com>',
      to: `support@${DOMAIN}`,
      subject: "Printer on fire",
      text: "It smells of toner.",
      attachments: [report],
    });
    expect(answer).toMatchObject({ ok: true, code: 250 });
    const run = await finished(runIdOf(answer));
    expect(run).toMatchObject({ status: "succeeded", source: "email", actor: "alice", action: "from_email" });
    const entity = run.result?.entity as Record<string, any>;
    expect(entity).toMatchObject({
      title: "Printer on fire",
      description: "It smells of toner.",
      c_sender: "Alice A. <alice@example.com>",
      c_kind: "support",
      c_caller: "alice",
      c_files: `report.txt:text/plain:${report.content.length}`,
    });
    // The attachment is a stored file, attached to the record, with the bytes that were sent.
    const [attached] = entity.attachments;
    expect(attached).toMatchObject({ title: "report.txt" });
    const fileId = String(attached.file_uid);
    expect(readFileSync(await node.store.filePath(fileId), "utf8")).toBe(report.content);
    expect(await node.store.fileHolders(fileId)).toEqual([
      expect.objectContaining({ app: "SUPPORT", recordId: String(entity.id) }),
    ]);
  });

  it("routes a catch-all address by subject rules, first match wins", async () => {
    const send = (subject: string) =>
      sendMail(mail.port, { from: "alice@example.com", to: `inbox@${DOMAIN}`, subject, text: "..." });
    const bug = await finished(runIdOf(await send("[BUG] the export hangs")));
    const other = await finished(runIdOf(await send("How do I export?")));
    expect(bug).toMatchObject({ status: "succeeded", action: "bug_report" });
    expect(bug.result?.entity).toMatchObject({ c_kind: "bug" });
    expect(other).toMatchObject({ status: "succeeded", action: "from_email" });
  });

  it("queues a message sent again with the same Message-ID once", async () => {
    const message = {
      from: "alice@example.com",
      to: `support@${DOMAIN}`,
      subject: "Sent twice",
      text: "our 250 was lost",
      messageId: "<resent-1@example.com>",
      date: new Date("2026-12-01T10:00:00Z"),
    };
    const first = await sendMail(mail.port, message);
    const before = written().runs;
    const again = await sendMail(mail.port, message);
    expect(runIdOf(again)).toBe(runIdOf(first));
    expect(written().runs).toBe(before);
  });
});

describe("senders who are no user", () => {
  it("run as system:email where the app says so, and only with the rights an admin grants it", async () => {
    const send = () =>
      sendMail(mail.port, {
        from: "carol@example.com",
        to: `intake+intake@${DOMAIN}`,
        subject: "hi",
        text: "x",
      });
    const run = await finished(runIdOf(await send()));
    expect(run).toMatchObject({ status: "succeeded", actor: "system:email" });
    expect(run.result?.entity).toMatchObject({ c_text: "system:email" });
    // Once the app's rights are granted to a group, system:email needs a grant of its own.
    await node.store.directory.grant({
      workspace: "DEMO",
      app: "INTAKE",
      group: "support-staff",
      permission: "run",
    });
    const refused = await send();
    expect(refused).toMatchObject({ ok: false, code: 550 });
    expect(refused.response).toMatch(/may not run this action/);
  });

  it("refuses settings that route mail to an action without invokeFromEmail (the app is not installed)", async () => {
    const bad = writeTempApp(
      { "settings/index.ts": 'export default { email: { routes: [{ to: "inbox", action: "go" }] } };\n' },
      { alias: "BADMAIL" },
    );
    await expect(node.runtime.loadApp(bad)).rejects.toMatchObject({
      code: "app_invalid",
      message: expect.stringMatching(/email\.routes.*invokeFromEmail/),
    });
  });
});

describe("refusals", () => {
  it("refuses peers off this host at connect unless allowRemote (tests reach only loopback: the hook is asked directly)", async () => {
    const answerTo = (allowRemote: boolean, remoteAddress: string) =>
      new Promise<{ responseCode?: number } | undefined>((resolve) => {
        const server = createSmtpServer(parseMailInOptions({ runtime: node.runtime, port: 0, allowRemote }));
        const onConnect = server.options.onConnect as (
          session: object,
          done: (error?: Error) => void,
        ) => void;
        onConnect({ remoteAddress }, (error) => resolve(error as { responseCode?: number } | undefined));
      });
    expect(await answerTo(false, "203.0.113.5")).toMatchObject({ responseCode: 554 });
    expect(await answerTo(false, "::ffff:127.0.0.1")).toBeUndefined();
    expect(await answerTo(false, "::1")).toBeUndefined();
    expect(await answerTo(true, "203.0.113.5")).toBeUndefined();
  });

  it("refuses an unknown recipient with 550 at RCPT TO", async () => {
    for (const to of [`nobody@${DOMAIN}`, "support@another.test", `support+close@${DOMAIN}`]) {
      const answer = await sendMail(mail.port, { from: "alice@example.com", to, subject: "x", text: "x" });
      expect(answer).toMatchObject({ ok: false, code: 550, command: "RCPT TO" });
    }
    // An action's default address works only for actions declared with invokeFromEmail.
    const own = await sendMail(mail.port, {
      from: "alice@example.com",
      to: `support+bug_report@${DOMAIN}`,
      subject: "default address",
      text: "x",
    });
    expect(own).toMatchObject({ ok: true, code: 250 });
  });

  it("refuses a malformed message with a 5xx and writes nothing", async () => {
    const before = written();
    const answer = await sendMail(mail.port, {
      envelope: { from: "alice@example.com", to: [`support@${DOMAIN}`] },
      raw: "Subject: no sender\r\nContent-Type: text/plain\r\n\r\nThis has no From and no Date header.\r\n",
    });
    expect(answer.ok).toBe(false);
    expect(answer.code).toBe(554);
    expect(answer.response).toMatch(/5\.6\.0 Malformed message/);
    expect(written()).toEqual(before);
  });

  it("refuses a sender who may not run the action (a user without rights) and writes nothing", async () => {
    const before = written();
    const send = (to: string) =>
      sendMail(mail.port, {
        from: "bob@example.com",
        to,
        subject: "let me in",
        text: "x",
        attachments: [report],
      });
    // An action's own address: refused at RCPT TO, before the message is sent.
    const own = await send(`support@${DOMAIN}`);
    expect(own).toMatchObject({ ok: false, code: 550, command: "RCPT TO" });
    expect(own.response).toMatch(/5\.7\.1 Sender may not run this action/);
    // A catch-all address: the action is known once the subject is, so refused after DATA.
    const routed = await send(`inbox@${DOMAIN}`);
    expect(routed).toMatchObject({ ok: false, code: 550, command: "DATA" });
    expect(routed.response).toMatch(/5\.7\.1 Sender may not run this action/);
    expect(written()).toEqual(before);
  });

  it("refuses a sender who is no user (the app takes mail from users only)", async () => {
    const before = written();
    const answer = await sendMail(mail.port, {
      from: "carol@example.com",
      to: `support@${DOMAIN}`,
      subject: "hello",
      text: "x",
    });
    expect(answer).toMatchObject({ ok: false, code: 550 });
    expect(answer.response).toMatch(/not a user/);
    expect(written()).toEqual(before);
  });

  it("refuses a sender domain outside the app's allow-list at RCPT TO", async () => {
    const answer = await sendMail(mail.port, {
      from: "alice@evil.test",
      to: `support@${DOMAIN}`,
      subject: "x",
      text: "x",
    });
    expect(answer).toMatchObject({ ok: false, code: 550, command: "RCPT TO" });
    expect(answer.response).toMatch(/Sender domain not allowed/);
  });

  it("refuses a message over the size cap with 552, and announces the cap (SIZE)", async () => {
    const small = await startMailListener({ runtime: node.runtime, port: 0, maxBytes: 2_048 });
    try {
      expect(await ehlo(small.port)).toMatch(/^250[- ]SIZE 2048\r?$/m);
      const before = written();
      const answer = await sendMail(small.port, {
        from: "alice@example.com",
        to: "support@desk.test",
        subject: "big",
        text: "x".repeat(4_000),
      });
      expect(answer).toMatchObject({ ok: false, code: 552 });
      expect(written()).toEqual(before);
    } finally {
      await small.close();
    }
  });

  it("limits messages per sender with 450 (try later) until the sender's bucket refills", async () => {
    let now = 1_000_000;
    const limited = await startMailListener({
      runtime: node.runtime,
      port: 0,
      perSenderPerMinute: 2,
      now: () => now,
    });
    try {
      const send = (from: string) =>
        sendMail(limited.port, { from, to: "support@desk.test", subject: "rate", text: "x" });
      expect((await send("alice@example.com")).code).toBe(250);
      expect((await send("alice@example.com")).code).toBe(250);
      const third = await send("alice@example.com");
      expect(third).toMatchObject({ ok: false, code: 450, command: "MAIL FROM" });
      expect(third.response).toMatch(/4\.7\.1 Too many messages/);
      // The address's case does not make another sender; after 30 s one more of alice's fits.
      expect((await send("ALICE@example.com")).code).toBe(450);
      now += 30_000;
      expect((await send("alice@example.com")).code).toBe(250);
    } finally {
      await limited.close();
    }
  });
});
