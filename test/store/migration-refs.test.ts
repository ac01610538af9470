/**
 * Migration 186 on a store that already has files and records (issue 25): files get attachment
 * numbers in the order they were stored, the counter goes on after them, and record numbers are
 * made unique per app. The store is taken back to its state before 186 by hand, then reopened.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openStore, type Store } from "../../runtime/store/index.ts";
import { ENGINES } from "../helpers/engines.ts";
import { changeSet, fileWrite, newWorkspace, seed } from "./builders.ts";

/** Raw SQL on the store's own database (the queue's door, used here for the downgrade only). */
async function sql(store: Store, statements: string[]): Promise<void> {
  const storage = store.queueStorage;
  for (const statement of statements)
    if (storage.engine === "sqlite") storage.db.exec(statement);
    else await storage.pool.query(statement);
}

for (const engine of ENGINES) {
  describe(`migration 186 on an existing store (${engine.name})`, () => {
    let options: Awaited<ReturnType<typeof engine.create>>;
    let store: Store;
    beforeAll(async () => {
      options = await engine.create();
      store = await openStore(options.options);
    });
    afterAll(async () => {
      await store.close();
      await options.cleanup();
    });

    it("numbers existing files by the time they were stored and keeps counting after them", async () => {
      const files = [fileWrite(Buffer.from("c")), fileWrite(Buffer.from("a")), fileWrite(Buffer.from("b"))];
      await store.commit(changeSet(newWorkspace(), [], files));
      const ws = newWorkspace();
      await seed(store, ws, "TASK", [{ title: "one" }, { title: "two" }]);
      // Back to before 186: no numbers on files, no comment column, no unique index, no counter.
      const stamps = ["2026-01-03T00:00:00.000Z", "2026-01-01T00:00:00.000Z", "2026-01-02T00:00:00.000Z"];
      await sql(store, [
        "DROP INDEX records_by_number",
        "DROP INDEX files_by_number",
        "ALTER TABLE files DROP COLUMN number",
        "ALTER TABLE record_history DROP COLUMN comment",
        "DELETE FROM sequences WHERE name = 'attachment-number'",
        "DELETE FROM schema_migrations WHERE version = 186",
        ...files.map((file, i) => `UPDATE files SET created_at = '${stamps[i]}' WHERE id = '${file.id}'`),
      ]);
      await store.close();
      store = await openStore(options.options);
      const numbers = await Promise.all(files.map(async (file) => (await store.getFile(file.id))!.number!));
      // Every file of the store is numbered; these three in the order of their time stamps.
      expect(numbers[1] < numbers[2] && numbers[2] < numbers[0]).toBe(true);
      const next = fileWrite(Buffer.from("d"));
      await store.commit(changeSet(newWorkspace(), [], [next]));
      expect((await store.getFile(next.id))!.number).toBeGreaterThan(Math.max(...numbers));
      expect(
        (await store.findRecords({ workspace: ws, app: "TASK", sortBy: "number" })).map((r) => r.number),
      ).toEqual([1, 2]);
      expect(
        (await store.history(ws, (await store.findRecords({ workspace: ws }))[0].id))[0].comment,
      ).toBeNull();
      // One number, one record per app: the database refuses a second record with a taken number.
      await expect(
        sql(store, [`UPDATE records SET number = 1 WHERE workspace = '${ws}' AND number = 2`]),
      ).rejects.toThrow(/unique|duplicate/i);
    });
  });
}
