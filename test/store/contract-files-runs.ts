/** Contract: file bytes committed with a change set, counters, the run log, tokens, search, reopening. */
import { randomBytes, randomUUID } from "node:crypto";
import { existsSync, readFileSync, rmSync } from "node:fs";
import { describe, expect, it } from "vitest";
import type { ActionRunLog } from "../../runtime/store/index.ts";
import { changeSet, fileWrite, insert, newWorkspace, remove, seed, update } from "./builders.ts";
import type { ContractContext } from "./contract.ts";

function run(workspace: string, app: string, minute: number, error?: string): ActionRunLog {
  const at = `2030-01-01T00:${String(minute).padStart(2, "0")}:00.000Z`;
  return {
    id: randomUUID(),
    workspace,
    app,
    action: "sync",
    recordId: null,
    source: "test",
    actor: "tester",
    startedAt: at,
    finishedAt: at,
    ok: !error,
    errorCode: error ? "logic_error" : null,
    errorMessage: error ?? null,
    errorStack: error ? `Error: ${error}\n    at sync (actions/logic/index.ts:3:9)` : null,
    cpuMs: minute * 1.5,
    heapMb: error ? null : 3.25,
    // A failed run on a new record keeps what it was sent (the console re-runs it as a new record).
    newRecordValues: error ? { title: "again", c_tags: ["a", "ü"], c_n: 2 } : null,
    logs: [{ level: "log", message: `run ${minute} ✓` }],
    httpCalls: [
      {
        method: "GET",
        host: "127.0.0.1",
        path: "/x",
        status: error ? null : 200,
        ms: 3,
        ...(error ? { error: "network_error" } : {}),
      },
    ],
  };
}

export function fileAndRunCases(ctx: ContractContext): void {
  describe("files", () => {
    it("a commit whose file id is already stored fails and leaves that file's bytes as they were", async () => {
      const original = Buffer.from("the first file's bytes");
      const first = fileWrite(original, "first.txt");
      await ctx.store().commit(changeSet(newWorkspace(), [], [first]));
      const clash = { ...fileWrite(Buffer.from("someone else's bytes"), "second.txt"), id: first.id };
      await expect(ctx.store().commit(changeSet(newWorkspace(), [], [clash]))).rejects.toThrow();
      expect(await ctx.store().getFile(first.id)).toMatchObject({ fileName: "first.txt" });
      expect(readFileSync(await ctx.store().filePath(first.id)).equals(original)).toBe(true);
    });
    it("stores a file's bytes with the commit; filePath gives them back after the source is gone", async () => {
      const bytes = Buffer.concat([Buffer.from([0, 1, 2, 255, 254]), randomBytes(300_000)]);
      const file = fileWrite(bytes, "report.bin");
      await ctx.store().commit(changeSet(newWorkspace(), [insert("T", { title: "with file" })], [file]));
      rmSync(file.sourcePath);
      const stored = await ctx.store().getFile(file.id);
      expect(stored).toMatchObject({
        id: file.id,
        fileName: "report.bin",
        contentType: file.contentType,
        size: bytes.length,
        sha256: file.sha256,
      });
      expect(Number.isNaN(Date.parse(stored!.createdAt))).toBe(false);
      expect(readFileSync(await ctx.store().filePath(file.id)).equals(bytes)).toBe(true);
      expect(readFileSync(await ctx.store().filePath(file.id)).equals(bytes)).toBe(true);
      expect(await ctx.store().getFile(randomUUID())).toBeNull();
    });

    it("leaves no file row and no bytes when the commit fails", async () => {
      const ws = newWorkspace();
      const [record] = await seed(ctx.store(), ws, "T", [{ title: "x" }]);
      const file = fileWrite(Buffer.from("doomed"));
      await expect(
        ctx.store().commit(changeSet(ws, [update(record, { title: "y" }, 7)], [file])),
      ).rejects.toMatchObject({ code: "conflict" });
      expect(await ctx.store().getFile(file.id)).toBeNull();
      const path = await ctx
        .store()
        .filePath(file.id)
        .catch(() => null);
      expect(path !== null && existsSync(path)).toBe(false);
    });
  });

  describe("which records hold a file, and who uploaded it", () => {
    const holders = async (id: string) =>
      (await ctx.store().fileHolders(id)).map((h) => `${h.workspace}/${h.app}/${h.recordId}`).sort();
    const attach = (...ids: string[]) => ids.map((id) => ({ file_uid: id, title: `t-${id.slice(0, 4)}` }));

    it("keeps the uploader: the change set's actor, or the file's own uploadedBy", async () => {
      const mine = fileWrite(Buffer.from("mine"));
      const theirs = { ...fileWrite(Buffer.from("theirs")), uploadedBy: "u-bob" };
      await ctx.store().commit({ ...changeSet(newWorkspace(), []), actor: "u-ann", files: [mine, theirs] });
      expect((await ctx.store().getFile(mine.id))?.uploadedBy).toBe("u-ann");
      expect((await ctx.store().getFile(theirs.id))?.uploadedBy).toBe("u-bob");
    });

    it("follows inserts, updates and deletes of the records that point at a file, in any files-list field", async () => {
      const ws = newWorkspace();
      const a = fileWrite(Buffer.from("a"));
      const b = fileWrite(Buffer.from("b"));
      expect(await holders(a.id)).toEqual([]);
      const [one] = await ctx
        .store()
        .commit(changeSet(ws, [insert("DOCS", { title: "one", attachments: attach(a.id) })], [a, b]));
      const [two] = await seed(ctx.store(), ws, "MAIL", [
        { title: "two", c_scans: attach(a.id, b.id), c_note: "file_uid in text is not a file" },
      ]);
      expect(await holders(a.id)).toEqual([`${ws}/DOCS/${one.id}`, `${ws}/MAIL/${two.id}`].sort());
      expect(await holders(b.id)).toEqual([`${ws}/MAIL/${two.id}`]);

      // Detached from one, attached in another field: the list follows the record's fields.
      await ctx.store().commit(changeSet(ws, [update(one, { title: "one", attachments: [] })]));
      expect(await holders(a.id)).toEqual([`${ws}/MAIL/${two.id}`]);
      const [twoAgain] = await ctx
        .store()
        .commit(changeSet(ws, [update(two, { title: "two", c_scans: attach(b.id), c_other: attach(a.id) })]));
      expect(await holders(a.id)).toEqual([`${ws}/MAIL/${two.id}`]);
      await ctx.store().commit(changeSet(ws, [remove(twoAgain)]));
      expect(await holders(a.id)).toEqual([]);
      expect(await holders(b.id)).toEqual([]);
    });

    it("ignores values that only look like attachments", async () => {
      const ws = newWorkspace();
      const id = randomUUID();
      await seed(ctx.store(), ws, "T", [
        {
          title: "x",
          c_text: `{"file_uid":"${id}"}`,
          c_obj: { file_uid: id },
          c_nums: [1, "file_uid", null],
        },
        { title: "y", c_list: [{ file_uid: 42 }, { file_uid: null }, [{ file_uid: id }]] },
      ]);
      expect(await holders(id)).toEqual([]);
    });

    it("keeps the holders across reopening the store", async () => {
      // Reopening runs the migrations again; what was written stays listed.
      const ws = newWorkspace();
      const file = fileWrite(Buffer.from("kept"));
      const [record] = await ctx
        .store()
        .commit(changeSet(ws, [insert("T", { title: "k", attachments: attach(file.id) })], [file]));
      const again = await ctx.open();
      try {
        expect(await again.store.fileHolders(file.id)).toEqual([
          { workspace: ws, app: "T", recordId: record.id },
        ]);
      } finally {
        await again.cleanup();
      }
    });
  });

  describe("sequences, runs, tokens, search", () => {
    it("hands out increasing, never repeated sequence values per workspace and name", async () => {
      const ws = newWorkspace();
      const serial: number[] = [];
      for (let i = 0; i < 5; i++) serial.push(await ctx.store().nextSequence(ws, "invoice"));
      expect(serial.every((value, i) => Number.isInteger(value) && (i === 0 || value > serial[i - 1]))).toBe(
        true,
      );
      const parallel = await Promise.all(
        Array.from({ length: 20 }, () => ctx.store().nextSequence(ws, "invoice")),
      );
      expect(new Set([...serial, ...parallel]).size).toBe(25);
      expect(Math.min(...parallel)).toBeGreaterThan(serial[4]);
      expect(await ctx.store().nextSequence(ws, "other")).toBe(1);
      expect(await ctx.store().nextSequence(newWorkspace(), "invoice")).toBe(1);
    });

    it("keeps the run log, newest first, filtered by workspace, app and failure", async () => {
      const ws = newWorkspace();
      const runs = [
        run(ws, "A", 1),
        run(ws, "A", 2, "boom"),
        run(ws, "B", 3, "bang"),
        run(newWorkspace(), "A", 4, "elsewhere"),
      ];
      for (const r of runs) await ctx.store().recordRun(r);
      const ids = async (query: object) =>
        (await ctx.store().listRuns({ workspace: ws, ...query })).map((r) => r.id);
      expect(await ids({})).toEqual([runs[2].id, runs[1].id, runs[0].id]);
      expect(await ids({ app: "A" })).toEqual([runs[1].id, runs[0].id]);
      expect(await ids({ app: "A", failedOnly: true })).toEqual([runs[1].id]);
      expect(await ids({ failedOnly: true })).toEqual([runs[2].id, runs[1].id]);
      expect(await ids({ limit: 1 })).toEqual([runs[2].id]);
      expect((await ctx.store().listRuns({ workspace: ws, app: "A" }))[1]).toEqual(runs[0]);
      expect((await ctx.store().listRuns({ workspace: ws, app: "B" }))[0]).toEqual(runs[2]);
    });

    it("writes a change set's run-log entry in the same transaction: both or neither", async () => {
      const ws = newWorkspace();
      const [record] = await seed(ctx.store(), ws, "A", [{ title: "t" }]);
      const ok = run(ws, "A", 5);
      await ctx.store().commit({ ...changeSet(ws, [update(record, { title: "u" })]), run: ok });
      const lost = run(ws, "A", 6);
      await expect(
        ctx.store().commit({ ...changeSet(ws, [update(record, { title: "v" })]), run: lost }),
      ).rejects.toMatchObject({ code: "conflict" });
      expect((await ctx.store().listRuns({ workspace: ws })).map((r) => r.id)).toEqual([ok.id]);
    });

    it("filters the run log by action, user, outcome and start time, and gets one run by id", async () => {
      const ws = newWorkspace();
      const runs = [
        run(ws, "A", 1),
        run(ws, "A", 2, "boom"),
        { ...run(ws, "A", 3), action: "other", actor: "bob" },
      ];
      for (const r of runs) await ctx.store().recordRun(r);
      const ids = async (query: object) =>
        (await ctx.store().listRuns({ workspace: ws, ...query })).map((r) => r.id);
      expect(await ids({ action: "other" })).toEqual([runs[2].id]);
      expect(await ids({ actor: "tester" })).toEqual([runs[1].id, runs[0].id]);
      expect(await ids({ okOnly: true })).toEqual([runs[2].id, runs[0].id]);
      expect(await ids({ since: runs[1].startedAt })).toEqual([runs[2].id, runs[1].id]);
      expect(await ids({ after: runs[1].startedAt })).toEqual([runs[2].id]);
      expect(await ctx.store().getRun(runs[1].id)).toEqual(runs[1]);
      expect((await ctx.store().getRun(runs[1].id))!.errorStack).toMatch(/index\.ts:3:9/);
      expect(await ctx.store().getRun(randomUUID())).toBeNull();
    });

    it("keeps a run's recording beside its log entry (alone, and in a commit's transaction), not in run lists", async () => {
      const ws = newWorkspace();
      const [record] = await seed(ctx.store(), ws, "A", [{ title: "t" }]);
      const failed = {
        ...run(ws, "A", 7, "boom"),
        recording: '{"format":"comind-run-recording/1","calls":[]}',
      };
      await ctx.store().recordRun(failed);
      const committed = { ...run(ws, "A", 8), recording: '{"calls":["x"]}' };
      await ctx.store().commit({ ...changeSet(ws, [update(record, { title: "u" })]), run: committed });
      const lost = { ...run(ws, "A", 9), recording: '{"calls":["lost"]}' };
      await expect(
        ctx.store().commit({ ...changeSet(ws, [update(record, { title: "v" })]), run: lost }),
      ).rejects.toMatchObject({ code: "conflict" });
      expect(await ctx.store().getRunRecording(failed.id)).toBe(failed.recording);
      expect(await ctx.store().getRunRecording(committed.id)).toBe(committed.recording);
      expect(await ctx.store().getRunRecording(lost.id)).toBeNull();
      expect(await ctx.store().getRunRecording(run(ws, "A", 10).id)).toBeNull();
      expect((await ctx.store().listRuns({ workspace: ws }))[0]).not.toHaveProperty("recording");
    });

    it("gives the history entries one run committed", async () => {
      const ws = newWorkspace();
      const first = changeSet(ws, [insert("T", { title: "a" }), insert("T", { title: "b" })]);
      const [a] = await ctx.store().commit(first);
      const second = changeSet(ws, [update(a, { title: "a2" })]);
      await ctx.store().commit(second);
      expect((await ctx.store().historyOfRun(ws, first.runId)).map((h) => h.changes[0].new)).toEqual([
        "a",
        "b",
      ]);
      expect((await ctx.store().historyOfRun(ws, second.runId)).map((h) => h.changes)).toEqual([
        [{ field: "title", old: "a", new: "a2" }],
      ]);
      expect(await ctx.store().historyOfRun(newWorkspace(), second.runId)).toEqual([]);
    });

    it("saves and finds tokens by hash, with their label", async () => {
      const token = {
        id: randomUUID(),
        tokenHash: `h-${randomUUID()}`,
        userId: "u1",
        userName: "U",
        label: "laptop",
        isAdmin: true,
        createdAt: new Date().toISOString(),
      };
      await ctx.store().saveToken(token);
      expect(await ctx.store().findToken(token.tokenHash)).toEqual(token);
      expect(await ctx.store().findToken("no-such-hash")).toBeNull();
    });

    it("lists tokens and deletes one by id", async () => {
      const token = {
        id: randomUUID(),
        tokenHash: `h-${randomUUID()}`,
        userId: "u2",
        userName: "U2",
        label: null,
        isAdmin: false,
        createdAt: new Date().toISOString(),
      };
      await ctx.store().saveToken(token);
      expect(await ctx.store().listTokens()).toContainEqual(token);
      expect(await ctx.store().deleteToken(token.id)).toBe(true);
      expect(await ctx.store().deleteToken(token.id)).toBe(false);
      expect(await ctx.store().listTokens()).not.toContainEqual(token);
      expect(await ctx.store().findToken(token.tokenHash)).toBeNull();
    });

    it("searches text values, all words, the last one as a prefix", async () => {
      const ws = newWorkspace();
      await seed(ctx.store(), ws, "T", [
        { title: "Invoice for Acme", description: "quarterly" },
        { title: "Acme note" },
        { title: "Unrelated" },
      ]);
      expect(
        (await ctx.store().searchRecords({ workspace: ws, text: "acme invoi" })).map((r) => r.fields.title),
      ).toEqual(["Invoice for Acme"]);
      expect((await ctx.store().searchRecords({ workspace: ws, app: "T", text: "acme" })).length).toBe(2);
      expect(await ctx.store().searchRecords({ workspace: ws, text: "'\" & | !" })).toEqual([]);
    });
    it("keeps search in step with updates: new words found, old ones gone, other changes leave it alone", async () => {
      const ws = newWorkspace();
      const [record] = await seed(ctx.store(), ws, "T", [{ title: "Old words", c_n: 1 }]);
      const titles = async (text: string) =>
        (await ctx.store().searchRecords({ workspace: ws, text })).map((r) => r.fields.title);
      const [counted] = await ctx.store().commit(changeSet(ws, [update(record, { c_n: 2 })]));
      expect(await titles("old words")).toEqual(["Old words"]);
      const [renamed] = await ctx.store().commit(changeSet(ws, [update(counted, { title: "Fresh name" })]));
      expect(await titles("old")).toEqual([]);
      expect(await titles("fresh")).toEqual(["Fresh name"]);
      await ctx.store().commit(changeSet(ws, [update(renamed, { title: null, c_n: 3 })]));
      expect(await titles("fresh")).toEqual([]);
    });
  });

  describe("reopening", () => {
    it("opens the same storage again without re-running migrations, and both see each other's writes", async () => {
      const ws = newWorkspace();
      const [record] = await seed(ctx.store(), ws, "T", [{ title: "before reopen" }]);
      const again = await ctx.open();
      try {
        expect(await again.store.getRecord(ws, record.id)).toEqual(record);
        const [other] = await seed(again.store, ws, "T", [{ title: "after reopen" }]);
        expect(other.number).toBe(2);
        expect(await ctx.store().getRecord(ws, other.id)).toEqual(other);
      } finally {
        await again.cleanup();
      }
    });
  });
}
