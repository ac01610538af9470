import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { asDeveloper } from "../../runtime/index.ts";
import { join } from "node:path";
import { FIXTURE_APPS, startRuntime, type TestRuntime } from "../helpers/runtime.ts";

let t: TestRuntime;
const SECRET = "probe-secret-value-42";

beforeAll(async () => {
  t = await startRuntime({
    secrets: { COMIND_SECRET_PROBE_TOKEN: SECRET, COMIND_SECRET_OTHER: "undeclared-value" },
  });
  await t.runtime.loadApp(join(FIXTURE_APPS, "app-probe"));
});
afterAll(() => t.close());

const run = (action: string, values: Record<string, unknown> = {}) =>
  t.runtime.run({ caller: asDeveloper(), app: "PROBE", action, values });

describe("isolation", () => {
  it("exposes the platform globals and nothing of the host", async () => {
    const result = await run("probe_globals");
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.entity.c_data).toEqual({
      webAssembly: "undefined",
      fetch: "fetch() is not available in action logic: use RestApi.",
      require: "function",
      process: "undefined",
      bootstrap: "undefined",
      user: "local-developer",
      polluted: false,
      keys: [],
    });
  });

  it("a polluted Object.prototype does not turn host results into References", async () => {
    const result = await run("pollute_options");
    expect(result.ok && result.entity.c_note).toBe(
      "string:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad:undefined",
    );
  });

  it("constructor.constructor reaches only the isolate's own Function", async () => {
    const result = await run("constructor_escape");
    expect(result.ok && result.entity.c_note).toBe("undefined:function");
  });

  it("a cyclic entity is an error, not a host crash", async () => {
    const result = await run("return_cycle");
    expect(!result.ok && result.error.code).toBe("logic_error");
    expect(!result.ok && result.error.message).toMatch(/circular/i);
  });

  it("fresh context per run: globals set by one run are gone in the next", async () => {
    const first = await run("pollute_options");
    expect(first.ok).toBe(true);
    const second = await run("probe_globals");
    expect(second.ok && (second.entity.c_data as any).polluted).toBe(false);
  });
});

describe("secrets", () => {
  it("an app sees only the secrets its settings/secrets.ts declares", async () => {
    const result = await run("read_secret");
    expect(result.ok && result.entity.c_data).toEqual({
      names: ["COMIND_SECRET_PROBE_TOKEN"],
      hasToken: true,
      other: null,
      viaEnv: "string",
    });
  });

  it("secret values are *** in logs and errors, also base64-encoded", async () => {
    const result = await run("print_secret");
    expect(result.ok).toBe(false);
    if (result.ok) return;
    const everything = JSON.stringify(result);
    expect(everything).not.toContain(SECRET);
    expect(everything).not.toContain(Buffer.from(SECRET).toString("base64").replace(/=+$/, ""));
    expect(result.logs.map((l) => l.message)).toEqual(["token=***", "b64=***"]);
    expect(result.error.message).toBe("leaking ***");
    const runs = await t.store.listRuns({ app: "PROBE", failedOnly: true });
    expect(JSON.stringify(runs)).not.toContain(SECRET);
  });
});
