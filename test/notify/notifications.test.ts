/**
 * __sendNotifications: e-mails go out through a real SMTP server on 127.0.0.1 after the action
 * commits, never for a failed action, and a sending problem never fails the committed action.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { asDeveloper } from "../../runtime/index.ts";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { createActionRuntime } from "../../runtime/runs/index.ts";
import { openStore } from "../../runtime/store/index.ts";
import { POSTGRES } from "../helpers/engines.ts";
import { startRuntime, type TestRuntime } from "../helpers/runtime.ts";
import { type TestSmtp, startSmtp } from "../helpers/smtp.ts";
import { removeTempApps, writeTempApp } from "../helpers/temp-app.ts";

const APP = {
  "fields/index.ts": `export default [
    { name: "c_text", caption: "Text", type: "text" },
    { name: "c_email", caption: "Customer e-mail", type: "text" },
    { name: "c_report", caption: "Report", type: "fileslist" },
  ] as const;\n`,
  "actions/index.ts": `export default [{ uid: "close" }, { uid: "close_and_fail" }, { uid: "bad_recipient" }, { uid: "quiet" }] as const;\n`,
  "actions/logic/index.ts": `
import { entity } from "#typings";
import type { NotifyContext } from "@comind/api/server";
export default {
  close() {
    entity.state = "closed";
    entity.c_text = "Fixed the <printer>";
    const file = Files.useBase64DataAsFileRef(Utils.toBase64("report body"), "report.txt", "text/plain");
    entity.c_report = [{ file_uid: Files.persistFileRef(file).uploadedFileId, title: "report.txt" }];
  },
  close_and_fail() {
    entity.state = "closed";
    throw new Error("cannot close");
  },
  bad_recipient() {
    entity.c_text = "bad";
  },
  quiet() {
    entity.c_text = "quiet";
  },
  __sendNotifications(): NotifyContext | NotifyContext[] | null {
    if (entity.c_text === "quiet") return null;
    if (entity.c_text === "bad") return { to: "ada@@example.com", subject: "x" };
    if (entity.c_text === "users") return { to: ["u-ada", "u-ghost"], cc: currentUser.id, subject: "to users" };
    return [
      {
        to: entity.c_email!,
        cc: ["Boss <boss@example.com>"],
        bcc: "audit@example.com",
        replyTo: "support@example.com",
        subject: "Your ticket is " + entity.state,
        email_body: "<p>We <b>closed</b> it.</p>",
        email_note: "Automatic message",
        email_layout: "RecordNotification",
        attachment_fields: ["c_report"],
        override_from_email: "helpdesk@example.com",
        override_from_email_name: "Help Desk",
        override_unsubscribe_text: "Reply STOP to stop",
        returnPath: "bounces@example.com",
      },
      { to: "second@example.com", subject: "Plain one", email_body: "<p>Hi</p>", override_item_prefix: "[X]" },
    ];
  },
};`,
};

let smtp: TestSmtp;
let t: TestRuntime;
let appDir: string;
const serverLog: { level: string; message: string; details: Record<string, unknown> }[] = [];

beforeAll(async () => {
  smtp = await startSmtp();
  appDir = writeTempApp(APP, { alias: "NOTE" });
  t = await startRuntime({
    notifications: {
      smtpUrl: smtp.url,
      from: "runtime@example.com",
      log: (level, message, details) => serverLog.push({ level, message, details }),
    },
  });
  await t.runtime.loadApp(appDir);
});
afterAll(async () => {
  await t.close();
  await smtp.close();
  removeTempApps();
});

describe("__sendNotifications over SMTP", () => {
  it("sends after the commit with the layout, recipients, sender overrides and the record's files attached", async () => {
    const result = await t.runtime.run({
      caller: asDeveloper(),
      app: "NOTE",
      action: "close",
      values: { c_email: "Ada <ada@example.com>", title: "Printer" },
    });
    expect(result.ok).toBe(true);
    expect(smtp.messages).toHaveLength(2);
    const [mail, plain] = smtp.messages;
    expect(mail.subject).toBe(`[NOTE-${(result as any).entity.number}] Your ticket is closed`);
    expect(mail.from?.value[0]).toEqual({ name: "Help Desk", address: "helpdesk@example.com" });
    expect((mail.to as any).value[0]).toEqual({ name: "Ada", address: "ada@example.com" });
    expect((mail.cc as any).value[0].address).toBe("boss@example.com");
    expect(mail.envelopeTo.sort()).toEqual(["ada@example.com", "audit@example.com", "boss@example.com"]);
    expect(mail.envelopeFrom).toBe("bounces@example.com");
    expect((mail.replyTo as any).value[0].address).toBe("support@example.com");
    expect(mail.html).toContain("<p>We <b>closed</b> it.</p>");
    expect(mail.html).toContain("Fixed the &lt;printer&gt;");
    expect(mail.html).toContain("Customer e-mail");
    expect(mail.text).toContain("Automatic message");
    expect(mail.text).toContain("Reply STOP to stop");
    expect(mail.attachments.map((file) => [file.filename, file.content.toString()])).toEqual([
      ["report.txt", "report body"],
    ]);
    expect(plain.subject).toBe("[X] Plain one");
    expect(plain.from?.value[0].address).toBe("runtime@example.com");
    expect(result.logs.filter((entry) => entry.message.startsWith("[notification] sent"))).toHaveLength(2);
    const mailRun = await t.store.getRun(`${result.runId}~mail`);
    expect(mailRun).toMatchObject({ ok: true, source: "notification", action: "close" });
    expect(mailRun!.logs.map((entry) => entry.message)).toContain(
      `[notification] sent to second@example.com: "[X] Plain one"`,
    );
    expect(serverLog.filter((entry) => entry.message === "notification sent")).toHaveLength(2);
  });

  it("sends nothing when the action fails", async () => {
    const before = smtp.messages.length;
    const result = await t.runtime.run({
      caller: asDeveloper(),
      app: "NOTE",
      action: "close_and_fail",
      values: { c_email: "ada@example.com" },
    });
    expect(!result.ok && result.error.message).toBe("cannot close");
    expect(smtp.messages.length).toBe(before);
  });

  it("a bad NotifyContext or an unreachable SMTP server leaves the committed action successful", async () => {
    const bad = await t.runtime.run({ caller: asDeveloper(), app: "NOTE", action: "bad_recipient" });
    expect(bad.ok).toBe(true);
    expect(bad.logs.map((entry) => entry.message)).toContain(
      '[notification] not sent: NotifyContext.to: "ada@@example.com" is not an e-mail address.',
    );

    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, "127.0.0.1", resolve));
    const port = (closed.address() as { port: number }).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const down = await startRuntime({
      notifications: { smtpUrl: `smtp://127.0.0.1:${port}`, log: () => undefined },
    });
    try {
      await down.runtime.loadApp(appDir);
      const result = await down.runtime.run({
        caller: asDeveloper(),
        app: "NOTE",
        action: "close",
        values: { c_email: "ada@example.com" },
      });
      expect(result.ok).toBe(true);
      expect(
        result.logs.some(
          (entry) => entry.level === "warn" && /^\[notification\] not sent: /.test(entry.message),
        ),
      ).toBe(true);
      const [record] = await down.store.findRecords({ workspace: "DEMO", app: "NOTE" });
      expect(record.fields.state).toBe("closed");
    } finally {
      await down.close();
    }
  });

  it("without SMTP_URL the whole message goes to the run log and the server log", async () => {
    const logged: Record<string, unknown>[] = [];
    const noSmtp = await startRuntime({
      notifications: { log: (_level, _message, details) => logged.push(details) },
    });
    try {
      await noSmtp.runtime.loadApp(appDir);
      const result = await noSmtp.runtime.run({
        caller: asDeveloper(),
        app: "NOTE",
        action: "close",
        values: { c_email: "ada@example.com" },
      });
      expect(result.ok).toBe(true);
      const run = await noSmtp.store.getRun(`${result.runId}~mail`);
      const line = run!.logs.find((entry) => entry.message.includes("no SMTP_URL configured"))!.message;
      expect(line).toContain("ada@example.com, Boss <boss@example.com>, audit@example.com");
      expect(line).toContain("[attachments: report.txt]");
      expect(line).toContain("We closed it.");
      expect(logged[0]).toMatchObject({
        app: "NOTE",
        to: ["ada@example.com"],
        subject: expect.stringContaining("Your ticket is closed"),
      });
    } finally {
      await noSmtp.close();
    }
  });

  it("works the same when the isolate runs in a sandbox worker process", async () => {
    const inWorker = await startRuntime({
      workers: 1,
      notifications: { smtpUrl: smtp.url, log: () => undefined },
    });
    try {
      await inWorker.runtime.loadApp(appDir);
      const before = smtp.messages.length;
      const result = await inWorker.runtime.run({
        caller: asDeveloper(),
        app: "NOTE",
        action: "close",
        values: { c_email: "w@example.com" },
      });
      expect(result.ok).toBe(true);
      expect(smtp.messages.length).toBe(before + 2);
      expect(smtp.messages[before].attachments.map((file) => file.filename)).toEqual(["report.txt"]);
    } finally {
      await inWorker.close();
    }
  });

  it("secrets in an unsent e-mail are masked in the run log and the server log", async () => {
    const logged: Record<string, unknown>[] = [];
    const secretApp = writeTempApp(
      {
        "settings/secrets.ts": "export const secrets = { k: process.env.COMIND_SECRET_MAIL_KEY };\n",
        "actions/logic/index.ts": `export default {
          go() {},
          __sendNotifications: () => ({ to: "a@example.com", subject: "key " + AppSchema.getSecrets().COMIND_SECRET_MAIL_KEY, email_body: "<p>" + AppSchema.getSecrets().COMIND_SECRET_MAIL_KEY + "</p>" }),
        };`,
      },
      { alias: "SECRETMAIL" },
    );
    const noSmtp = await startRuntime({
      secrets: { COMIND_SECRET_MAIL_KEY: "s3cr3t-value-42" },
      notifications: { log: (_level, _message, details) => logged.push(details) },
    });
    try {
      await noSmtp.runtime.loadApp(secretApp);
      const result = await noSmtp.runtime.run({ caller: asDeveloper(), app: "SECRETMAIL", action: "go" });
      expect(result.ok).toBe(true);
      const text = JSON.stringify({ logs: result.logs, logged });
      expect(text).toContain("key ***");
      expect(text).not.toContain("s3cr3t-value-42");
    } finally {
      await noSmtp.close();
    }
  });

  it("attaches files kept in Postgres too", async () => {
    const { options, cleanup } = await POSTGRES.create();
    const store = await openStore(options);
    const runtime = await createActionRuntime({
      store,
      secrets: {},
      notifications: { smtpUrl: smtp.url, log: () => undefined },
    });
    try {
      await runtime.loadApp(appDir);
      const before = smtp.messages.length;
      const result = await runtime.run({
        caller: asDeveloper(),
        app: "NOTE",
        action: "close",
        values: { c_email: "pg@example.com" },
      });
      expect(result.ok).toBe(true);
      const mail = smtp.messages[before];
      expect(mail.envelopeTo).toContain("pg@example.com");
      expect(mail.attachments.map((file) => [file.filename, file.content.toString()])).toEqual([
        ["report.txt", "report body"],
      ]);
    } finally {
      await runtime.close();
      await store.close();
      await cleanup();
    }
  });

  it("an app composed with a plugin sends the e-mails of both layers", async () => {
    const appsDir = mkdtempSync(join(tmpdir(), "comind-notify-layers-"));
    const write = (path: string, text: string) => {
      mkdirSync(dirname(join(appsDir, path)), { recursive: true });
      writeFileSync(join(appsDir, path), text);
    };
    const typings =
      'import { makeEntity } from "@comind/api";\nimport fields from "./fields";\nexport const { entity } = makeEntity(fields);\n';
    write(
      "plugin-mail/package.json",
      JSON.stringify({ name: "@comind/plugin-mail", imports: { "#typings": "./typings.ts" } }),
    );
    write("plugin-mail/typings.ts", typings);
    write("plugin-mail/fields/index.ts", "export default [];\n");
    write(
      "plugin-mail/actions/logic/index.ts",
      'export default { __sendNotifications: () => ({ to: "plugin@example.com", subject: "from the plugin" }) };\n',
    );
    write(
      "app-mail/package.json",
      JSON.stringify({
        name: "app-mail",
        dependencies: { "@comind/plugin-mail": "*" },
        comindApp: { publishingAlias: "LAYERMAIL" },
        imports: { "#typings": "./typings.ts" },
      }),
    );
    write("app-mail/typings.ts", typings);
    write("app-mail/fields/index.ts", "export default [];\n");
    write("app-mail/actions/index.ts", 'export default [{ uid: "go" }];\n');
    write(
      "app-mail/actions/logic/index.ts",
      'export default { go() {}, __sendNotifications: () => [{ to: "app@example.com", subject: "from the app" }] };\n',
    );
    try {
      await t.runtime.loadApp(join(appsDir, "app-mail"));
      const before = smtp.messages.length;
      const result = await t.runtime.run({ caller: asDeveloper(), app: "LAYERMAIL", action: "go" });
      expect(result.ok).toBe(true);
      expect(smtp.messages.slice(before).map((mail) => mail.subject)).toEqual([
        "from the plugin",
        "from the app",
      ]);
    } finally {
      rmSync(appsDir, { recursive: true, force: true });
    }
  });

  it("user ids among the recipients become those users' e-mail addresses", async () => {
    const user = { timeZone: null, companyId: null, isGlobalAdmin: false };
    await t.store.directory.saveUser({ ...user, id: "u-ada", email: "ada@corp.example", name: "Ada L" });
    await t.store.directory.saveUser({ ...user, id: "u-boss", email: "boss@corp.example", name: "Boss" });
    const before = smtp.messages.length;
    // "add" has no logic of its own; __sendNotifications still runs for it.
    const result = await t.runtime.run({
      app: "NOTE",
      action: "add",
      values: { c_text: "users" },
      caller: asDeveloper({ id: "u-boss", name: "Boss" }),
    });
    expect(result.ok).toBe(true);
    expect(smtp.messages.length).toBe(before + 1);
    const mail = smtp.messages[before];
    expect((mail.to as any).value).toEqual([{ name: "Ada L", address: "ada@corp.example" }]);
    expect((mail.cc as any).value).toEqual([{ name: "Boss", address: "boss@corp.example" }]);
    expect(result.logs.map((entry) => entry.message)).toContain(
      '[notification] to: user "u-ghost" has no e-mail address; left out.',
    );
  });

  it("returning null sends nothing", async () => {
    const before = smtp.messages.length;
    const result = await t.runtime.run({ caller: asDeveloper(), app: "NOTE", action: "quiet" });
    expect(result.ok && result.logs).toEqual([]);
    expect(smtp.messages.length).toBe(before);
  });
});
