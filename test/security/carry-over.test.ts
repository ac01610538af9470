/**
 * Isolation between actions that share a warm context: action 1 (user A) tries to leave data for
 * action 2 (user B) of the same app through one channel; action 2 finds none of it. Each test
 * checks that both ran in the same isolate and context (so the channel was really open to them)
 * and that action 1 completed (a failed action would have discarded the context).
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { asDeveloper } from "../../runtime/index.ts";
import { startCarryOver, textOf as text, USER_A, USER_B } from "../helpers/carry-over.ts";
import type { TestRuntime } from "../helpers/runtime.ts";

let t: TestRuntime;

beforeAll(async () => {
  t = await startCarryOver();
});
afterAll(() => t.close());

const pool = () => t.runtime.config.pool;
// Each channel starts from a new isolate, so one test's leftovers cannot decide another's outcome.
beforeEach(() => pool().evict(""));

/** Runs leave_<channel> as user A, then find_<channel> as user B in the same warm context. */
async function carry(
  channel: string,
  findValues: Record<string, unknown> = {},
  leaveValues: Record<string, unknown> = {},
) {
  const left = await t.runtime.run({
    app: "CARRY",
    action: `leave_${channel}`,
    caller: asDeveloper(USER_A),
    values: leaveValues,
  });
  expect(left.ok, JSON.stringify(left)).toBe(true);
  const contexts = pool().contextsCreated;
  const found = await t.runtime.run({
    app: "CARRY",
    action: `find_${channel}`,
    caller: asDeveloper(USER_B),
    values: findValues,
  });
  expect(pool().contextsCreated, "both actions ran in the same warm context").toBe(contexts);
  expect(
    pool()
      .stats()
      .find((app) => app.key.includes("CARRY"))?.isolates,
  ).toBe(1);
  return { left, found, leftText: text(left) };
}

describe("carry-over: action 2 finds nothing action 1 left", () => {
  it("module-level variables are new every action (the app's module factory runs again)", async () => {
    const { found } = await carry("module");
    expect(text(found)).toEqual({ moduleLevel: "initial", runs: 0 });
  });

  it("globalThis properties: globalThis is not extensible", async () => {
    const { found } = await carry("global");
    expect(text(found)).toEqual([]);
  });

  it("a patched Array.prototype", async () => {
    const { found } = await carry("array_prototype");
    expect(text(found)).toEqual([null, null, null]);
  });

  it("a patched Object.prototype", async () => {
    const { found } = await carry("object_prototype");
    expect(text(found)).toEqual([]);
  });

  it("a patched JSON", async () => {
    const { found } = await carry("json");
    expect(text(found)).toEqual(['{"a":1}', 2, null]);
  });

  it("a patched Date", async () => {
    const { found } = await carry("date");
    expect(text(found)).toEqual([true, "1970-01-01T00:00:00.000Z", null]);
  });

  it("a replaced or patched platform global (RestApi, Utils, console, ComindServer, Math)", async () => {
    const { found } = await carry("platform_global");
    expect(text(found)).toEqual([null, null, null, null, null, "function"]);
  });

  it("the Symbol.for registry: a registered symbol carries no data anywhere", async () => {
    const { found } = await carry("symbol_registry");
    expect(text(found)).toEqual([]);
  });

  it("closures kept on frozen objects (vars, platform objects, hidden intrinsics)", async () => {
    const { found } = await carry("frozen_closure");
    expect(text(found)).toEqual([]);
  });

  it("WeakMaps keyed by intrinsics, or a patched WeakMap.prototype", async () => {
    const { found } = await carry("weakmap");
    expect(text(found)).toEqual([null, null, null, null, null, null, null, null]);
  });

  it("Error.prepareStackTrace, stackTraceLimit and Error.prototype", async () => {
    const { found } = await carry("prepare_stack_trace");
    expect(text(found)).toEqual([null, "normal", "undefined", null]);
  });

  it("RestApi builder state (client, request, headers)", async () => {
    const { found } = await carry("rest_api");
    const outcomes = text(found) as string[];
    expect(outcomes).toEqual([
      "refused: RestApi: call RestApi.createClient(baseUrl) first.",
      "refused: RestApi: call RestApi.createClient(baseUrl) first.",
    ]);
  });

  it("pending file refs: action 2 cannot read action 1's temporary file, even knowing its ref", async () => {
    const left = await t.runtime.run({ app: "CARRY", action: "leave_file_ref", caller: asDeveloper(USER_A) });
    const ref = text(left) as string;
    expect(ref).toMatch(/\w/);
    const { found } = await carry("file_ref", { c_text: ref });
    const outcomes = text(found) as string[];
    expect(outcomes).toHaveLength(1);
    expect(outcomes[0]).toMatch(/^refused: /);
    expect(JSON.stringify(found)).not.toContain(Buffer.from("A-data").toString("base64"));
  });

  it("the records global of a (mass) action", async () => {
    const { found } = await carry("records");
    expect(text(found)).toEqual({ length: 1, carry: null, same: true });
  });

  it("the console buffer: action 2's logs hold only its own lines", async () => {
    const { left, found } = await carry("console");
    expect(left.logs.map((entry) => entry.message)).toEqual(["console line of user A: A-data"]);
    expect(found.logs.map((entry) => entry.message)).toEqual(["console line of user B"]);
  });

  it("RegExp legacy statics (RegExp.$1, lastMatch, input) are gone", async () => {
    const { found } = await carry("regexp_statics");
    expect(text(found)).toEqual([]);
  });

  it("late callbacks: microtasks end with their action; FinalizationRegistry and Atomics.waitAsync are gone", async () => {
    const { found, leftText } = await carry("late_callbacks", { c_text: "untouched" });
    const outcomes = leftText as string[];
    expect(outcomes[0]).toBe("done");
    expect(outcomes[1]).toMatch(/^refused: /);
    expect(outcomes[2]).toMatch(/^refused: /);
    expect(found.ok && found.entity.c_text).toBe("untouched");
  });

  it("user and entity are the running action's own", async () => {
    await t.runtime.run({
      app: "CARRY",
      action: "user_and_entity",
      caller: asDeveloper(USER_A),
      values: { c_text: "a" },
    });
    const second = await t.runtime.run({
      app: "CARRY",
      action: "user_and_entity",
      caller: asDeveloper(USER_B),
      values: { c_text: "b" },
    });
    expect(text(second)).toEqual({ user: "user-b", text: "b", old: {} });
  });
});

// The realm-wide objects no property path from globalThis reaches (issue 22): before they were
// frozen, a formula evaluated with `new Function` planted `call` on the original hasOwnProperty and
// esbuild's prelude ran it in the admin's next action, where it read and rewrote a private field.
const INTRINSICS = [
  "Object.prototype.hasOwnProperty",
  "Object.prototype.toString",
  "Object.prototype.valueOf",
  "Object.prototype.toLocaleString",
  "Function.prototype.toString",
  "Function.prototype.bind",
  "Array.prototype.push",
  "Array.prototype.concat",
  "Iterator.prototype[Symbol.iterator]",
  "Error.prototype.toString",
  "Error stack getter",
  "Error stack setter",
  "%WrapForValidIteratorPrototype%",
];

describe("carry-over through realm-wide objects outside every property path (frozen by derivation)", () => {
  it.each(INTRINSICS)(
    "%s: user A can plant neither data nor a hook; user B's use of it runs B's code only",
    async (name) => {
      const { found, leftText } = await carry("intrinsic", { c_text: name }, { c_text: name });
      const refused = leftText as string[];
      expect(refused).toHaveLength(4);
      for (const outcome of refused) expect(outcome).toMatch(/^refused: /);
      expect(text(found)).toEqual([null, "done"]);
    },
  );
});

describe("the hardened realm", () => {
  it("everything reachable from globalThis is frozen", async () => {
    const result = await t.runtime.run({ caller: asDeveloper(), app: "CARRY", action: "frozen_sweep" });
    expect(text(result)).toEqual({ open: [], checked: true });
  });

  it("ordinary code still works: Error subclasses set name, objects override toString/valueOf", async () => {
    const result = await t.runtime.run({ caller: asDeveloper(), app: "CARRY", action: "ordinary_code" });
    expect(text(result)).toEqual(["ApiError", "ApiError: boom", true, "record", 8, "function"]);
  });

  it("an action whose logic threw leaves nothing either, and its warm context is kept", async () => {
    await t.runtime.run({ caller: asDeveloper(), app: "CARRY", action: "find_module" });
    const contexts = pool().contextsCreated;
    const failed = await t.runtime.run({
      app: "CARRY",
      action: "fail_after_leaving",
      caller: asDeveloper(USER_A),
    });
    expect(!failed.ok && failed.error.code).toBe("logic_error");
    const next = await t.runtime.run({ app: "CARRY", action: "find_module", caller: asDeveloper(USER_B) });
    expect(text(next)).toEqual({ moduleLevel: "initial", runs: 0 });
    expect(pool().contextsCreated).toBe(contexts);
  });

  it("a failure on the host's side of the call disposes the isolate and its context", async () => {
    await t.runtime.run({ caller: asDeveloper(), app: "CARRY", action: "find_module" });
    const contexts = pool().contextsCreated;
    const failed = await t.runtime.run({
      app: "CARRY",
      action: "fail_after_returning",
      caller: asDeveloper(USER_A),
    });
    expect(failed.ok).toBe(false);
    expect(JSON.stringify(failed)).not.toContain("A-data");
    const next = await t.runtime.run({ app: "CARRY", action: "find_module", caller: asDeveloper(USER_B) });
    expect(text(next)).toEqual({ moduleLevel: "initial", runs: 0 });
    expect(pool().contextsCreated).toBe(contexts + 1);
    expect(
      pool()
        .stats()
        .find((app) => app.key.includes("CARRY"))?.isolates,
    ).toBe(1);
  });
});

describe("carry-over through a sandbox worker process (serve's default)", () => {
  let w: TestRuntime;
  beforeAll(async () => {
    w = await startCarryOver({ workers: 1 });
  });
  afterAll(() => w.close());

  it.each(["module", "object_prototype", "platform_global", "rest_api"])(
    "%s: action 2 finds nothing",
    async (channel) => {
      const left = await w.runtime.run({
        app: "CARRY",
        action: `leave_${channel}`,
        caller: asDeveloper(USER_A),
      });
      expect(left.ok).toBe(true);
      const found = await w.runtime.run({
        app: "CARRY",
        action: `find_${channel}`,
        caller: asDeveloper(USER_B),
      });
      expect(JSON.stringify(found)).not.toContain("A-data");
      expect(found.ok).toBe(true);
    },
  );

  it("the original hasOwnProperty (the demonstrated attack): no hook of user A runs for user B", async () => {
    const values = { c_text: "Object.prototype.hasOwnProperty" };
    const left = await w.runtime.run({
      app: "CARRY",
      action: "leave_intrinsic",
      caller: asDeveloper(USER_A),
      values,
    });
    for (const outcome of text(left) as string[]) expect(outcome).toMatch(/^refused: /);
    const found = await w.runtime.run({
      app: "CARRY",
      action: "find_intrinsic",
      caller: asDeveloper(USER_B),
      values,
    });
    expect(text(found)).toEqual([null, "done"]);
  });

  it("Math.random and crypto differ between two actions run by the worker", async () => {
    const first = await w.runtime.run({ app: "CARRY", action: "random_values", caller: asDeveloper(USER_A) });
    const second = await w.runtime.run({
      app: "CARRY",
      action: "random_values",
      caller: asDeveloper(USER_B),
    });
    expect(text(second)).not.toEqual(text(first));
    const uuids = await w.runtime.run({ app: "CARRY", action: "uuid_values", caller: asDeveloper(USER_B) });
    expect((text(uuids) as { uuids: string[] }).uuids[0]).toMatch(/^[0-9a-f-]{36}$/);
  });
});
