/**
 * The realm's clock (globals/clock.ts) replaces the Date constructor so that a recorded run's
 * readings of "now" can be given back on replay. To app code Date must stay Date: the same class
 * for `instanceof` and subclasses, the same statics, a string from `Date()`, and frozen like the
 * rest of the realm; outside a replay, "now" is the real time.
 */
import { afterAll, describe, expect, it } from "vitest";
import { createAppTester } from "../../runtime/testing/index.ts";
import { removeTempApps, writeTempApp } from "../helpers/temp-app.ts";

afterAll(() => removeTempApps());

const LOGIC = `import { entity } from "#typings";
export default {
  go() {
    class Stamp extends Date {
      label() { return "stamp"; }
    }
    const stamp = new Stamp(7);
    const before = Date.now();
    entity.c_text = JSON.stringify({
      isDate: new Date() instanceof Date,
      constructor: new Date().constructor === Date,
      name: Date.name,
      length: Date.length,
      utc: Date.UTC(2020, 0, 1),
      parse: Date.parse("2020-01-01T00:00:00Z"),
      fromValue: new Date(5).getTime(),
      fromParts: new Date(2020, 0, 1).getFullYear(),
      called: typeof Date(),
      subclass: [stamp instanceof Date, stamp instanceof Stamp, stamp.getTime(), stamp.label()],
      frozen: Object.isFrozen(Date) && Object.isFrozen(Date.prototype),
      now: before,
    });
  },
};
`;

describe("the realm's Date", () => {
  it("is still Date to app code, and reads the real time outside a replay", async () => {
    const app = await createAppTester(writeTempApp({ "actions/logic/index.ts": LOGIC }));
    try {
      const start = Date.now();
      const result = await app.run("go");
      const end = Date.now();
      expect(result.ok).toBe(true);
      const seen = JSON.parse(String(result.ok && result.entity.c_text));
      expect(seen).toEqual({
        isDate: true,
        constructor: true,
        name: "Date",
        length: 7,
        utc: 1_577_836_800_000,
        parse: 1_577_836_800_000,
        fromValue: 5,
        fromParts: 2020,
        called: "string",
        subclass: [true, true, 7, "stamp"],
        frozen: true,
        now: seen.now,
      });
      expect(seen.now).toBeGreaterThanOrEqual(start);
      expect(seen.now).toBeLessThanOrEqual(end);
    } finally {
      await app.close();
    }
  });
});
