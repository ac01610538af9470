/**
 * Contract: findByKeys (importData matching). A store may return extra candidates that share only
 * the first key (the caller re-checks every key), but never misses a match and never leaves the app.
 */
import { beforeAll, describe, expect, it } from "vitest";
import type { StoredRecord } from "../../runtime/store/index.ts";
import { newWorkspace, seed } from "./builders.ts";
import type { ContractContext } from "./contract.ts";

const COUNT = 3000;

/** What importData keeps of a lookup: records whose every key field equals one of the tuples. */
function exactMatches(found: StoredRecord[], keyFields: string[], keys: unknown[][]): string[] {
  const wanted = new Set(keys.map((key) => JSON.stringify(key)));
  return found
    .filter((r) => wanted.has(JSON.stringify(keyFields.map((f) => r.fields[f]))))
    .map((r) => r.fields.c_key as string)
    .sort();
}

export function keyCases(ctx: ContractContext): void {
  describe("findByKeys", () => {
    const ws = newWorkspace();
    beforeAll(async () => {
      const rows = Array.from({ length: COUNT }, (_, i) => ({ c_key: `k${i}`, c_part: i % 2, c_num: i }));
      await seed(ctx.store(), ws, "KEYS", rows);
      // Same keys elsewhere: another app, another workspace.
      await seed(ctx.store(), ws, "OTHER", rows.slice(0, 10));
      await seed(ctx.store(), newWorkspace(), "KEYS", rows.slice(0, 10));
    });
    const lookup = (keyFields: string[], keys: unknown[][]) =>
      ctx.store().findByKeys(ws, "KEYS", keyFields, keys);

    it("finds by one key field, matching the value's type", async () => {
      expect((await lookup(["c_key"], [["k5"]])).map((r) => [r.app, r.workspace, r.fields.c_num])).toEqual([
        ["KEYS", ws, 5],
      ]);
      expect((await lookup(["c_num"], [[7]])).map((r) => r.fields.c_key)).toEqual(["k7"]);
      expect(await lookup(["c_num"], [["7"]])).toEqual([]);
      expect(await lookup(["c_key"], [["nope"]])).toEqual([]);
      expect(await lookup(["c_key"], [])).toEqual([]);
    });

    it("finds by two key fields", async () => {
      const keys = [
        ["k0", 0],
        ["k1", 1],
        ["k2", 1],
        ["missing", 0],
      ];
      const found = await lookup(["c_key", "c_part"], keys);
      expect(exactMatches(found, ["c_key", "c_part"], keys)).toEqual(["k0", "k1"]);
      expect(
        found.every((r) => r.app === "KEYS" && ["k0", "k1", "k2"].includes(r.fields.c_key as string)),
      ).toBe(true);
    });

    it("finds among 10,000 key tuples in one call", async () => {
      const keys = Array.from({ length: 10_000 }, (_, i) => [`k${i * 3}`, 0]);
      const found = await lookup(["c_key", "c_part"], keys);
      // k<i> with i a multiple of 3 (a key) and even (c_part 0): the multiples of 6 below COUNT.
      const expected = Array.from({ length: COUNT / 6 }, (_, i) => `k${i * 6}`).sort();
      expect(exactMatches(found, ["c_key", "c_part"], keys)).toEqual(expected);
      expect(
        found.every((r) => r.app === "KEYS" && r.workspace === ws && (r.fields.c_num as number) % 3 === 0),
      ).toBe(true);
      expect(new Set(found.map((r) => r.id)).size).toBe(found.length);
    });
  });
}
