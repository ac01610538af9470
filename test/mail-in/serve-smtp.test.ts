/**
 * `serve --smtp-port 0` starts the incoming-mail listener beside the REST API (a real child
 * process); a message to an action's address runs it on the server's queue.
 */
import { cpSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { openStore } from "../../runtime/store/index.ts";
import { FIXTURE_APPS } from "../helpers/runtime.ts";
import { type ServeChild, startServeChild } from "../helpers/serve-child.ts";
import { waitFor } from "../queue/harness.ts";
import { runIdOf, sendMail } from "./send.ts";

let dir: string;
let serve: ServeChild;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "comind-serve-smtp-"));
  cpSync(join(FIXTURE_APPS, "app-mail-in"), join(dir, "apps", "app-mail-in"), { recursive: true });
  const store = await openStore({ dataDir: join(dir, "data") });
  await store.directory.saveUser({
    id: "alice",
    name: "Alice",
    email: "alice@example.com",
    timeZone: null,
    companyId: null,
    isGlobalAdmin: false,
  });
  await store.close();
  serve = await startServeChild(
    ["--apps", join(dir, "apps"), "--data", join(dir, "data"), "--workers", "0", "--smtp-port", "0"],
    {},
  );
}, 120_000);
afterAll(async () => {
  await serve?.stop();
  rmSync(dir, { recursive: true, force: true });
});

it("listens for SMTP on loopback and runs the addressed action", async () => {
  const port = Number(
    await waitFor(async () => /SMTP listening at 127\.0\.0\.1:(\d+)/.exec(serve.output())?.[1]),
  );
  // The start says which address runs which action.
  expect(serve.output()).toContain("support@<any domain> -> SUPPORT from_email");
  expect(serve.output()).toContain("inbox@<any domain> -> SUPPORT (routes)");
  const answer = await sendMail(port, {
    from: "alice@example.com",
    to: "support@anything.test",
    subject: "From the real server",
    text: "hello",
  });
  expect(answer).toMatchObject({ ok: true, code: 250 });
  const runId = runIdOf(answer);
  // The run is on the server's queue: read how it ended from the server's own store file.
  const store = await openStore({ dataDir: join(dir, "data") });
  try {
    const storage = store.queueStorage;
    if (storage.engine !== "sqlite") throw new Error("sqlite only");
    const row = await waitFor(async () => {
      const found = storage.db
        .prepare("SELECT status, actor, result FROM queue_runs WHERE run_id = ?")
        .get(runId) as { status: string; actor: string; result: string | null } | undefined;
      return found && found.status !== "queued" && found.status !== "running" ? found : undefined;
    });
    expect(row).toMatchObject({ status: "succeeded", actor: "alice" });
    expect(JSON.parse(String(row.result)).entity).toMatchObject({
      title: "From the real server",
      c_caller: "alice",
    });
  } finally {
    await store.close();
  }
}, 120_000);
