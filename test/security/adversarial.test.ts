import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { caseOutcomes, HOSTILE_SECRET, PROBE_SECRET, startStage, type Stage } from "./harness.ts";

// Hostile action logic through the real server (worker processes) while a well-behaved app keeps
// running actions: every case asserts its exact outcome, and that the well-behaved app saw no failure.
let s: Stage;

// A case ends at its own limit, which on a busy machine may take minutes of wall clock.
vi.setConfig({ testTimeout: 300_000 });

beforeAll(async () => {
  s = await startStage();
});
afterEach(() => {
  expect(s.friendly.failed).toEqual([]);
});
afterAll(async () => {
  expect(s.friendly.ok).toBeGreaterThan(20);
  expect(s.forbidden.received).toHaveLength(0);
  expect(({} as any).polluted).toBeUndefined();
  await s.stop();
});

const { fails, note } = caseOutcomes(() => s);

describe("escape", () => {
  it("Function constructor gives the isolate's own Function: no process", async () =>
    expect(await note("function_constructor")).toBe("undefined"));
  it("Function('return this') is the isolate's global: no process, Buffer or ivm", async () =>
    expect(await note("function_this")).toBe("undefined:undefined:undefined"));
  it("dynamic import() cannot load modules", async () => {
    const item = await fails("dynamic_import", "logic_error");
    expect(item.error.message).toMatch(/import\(\) is not available/);
  });
  it("the isolate keeps working after a refused import()", async () =>
    expect(await note("function_constructor")).toBe("undefined"));
  it("require() is a stub that throws", async () =>
    expect(await note("require_call")).toMatch(/^threw::require\(\) is not available/));
  it("Error.prepareStackTrace sees no host objects", async () =>
    expect(await note("prepare_stack_trace")).toBe("clean"));
  it("polluted Object.prototype options do not turn results into References", async () =>
    expect(await note("pollute_options")).toBe("string:string:object"));
  it("a getter on Object.prototype.result cannot even be defined: the realm is frozen", async () => {
    const item = await fails("pollute_getter", "logic_error");
    expect(item.error.message).toMatch(/not extensible/);
  });
  it("toJSON traps in rows fail inside the isolate", async () =>
    expect(await note("to_json_trap")).toMatch(/^threw::toJSON trap/));
  it("valueOf/toString traps are refused by the builder, inside the isolate", async () =>
    expect(await note("value_of_trap")).toBe("threw::RestApi: path must be a string, got an object."));
  it("a Proxy of rows is copied as plain data", async () =>
    expect(await note("proxy_rows")).toBe('{"created":1,"updated":0}'));
  it("patched JSON and Reflect do not break the host bridge", async () =>
    // The SHA-256 of "abc", computed on the host through the bridge after the patches.
    expect(await note("patch_json")).toBe("ba7816bf"));
  it("platform globals and their methods cannot be replaced or deleted", async () =>
    // Each attempt is silent or throws (sloppy or strict bundle); what counts is what is left.
    expect(await note("overwrite_globals")).toMatch(/^((quiet|threw),){3}(quiet|threw)\|kept,kept,kept$/));
  it("symbol keys on entity are ignored", async () => expect(await note("symbol_keys")).toBe("symbols"));
  it("a throwing getter on entity is a logic error", async () => fails("getter_on_entity", "logic_error"));
});

describe("resources", () => {
  const cpuTimeout = async (action: string) => {
    const item = await fails(action, "timeout");
    expect(item.error.message).toMatch(/CPU time/);
  };
  it("infinite loop: timeout", async () => cpuTimeout("loop_plain"));
  it("infinite loop in finally: timeout", async () => cpuTimeout("loop_in_finally"));
  it("infinite loop in a getter the host reads: timeout", async () => cpuTimeout("loop_in_getter"));
  it("array memory bomb: out_of_memory", async () => fails("memory_array", "out_of_memory"));
  it("typed-array bomb: the allocation fails inside the isolate", async () => {
    const item = await fails("memory_typed_array", "logic_error");
    expect(item.error.message).toMatch(/Array buffer allocation failed/);
  });
  it("string doubling: V8's string length limit, a logic error", async () => {
    const item = await fails("memory_string", "logic_error");
    expect(item.error.message).toMatch(/Invalid string length/);
  });
  it("map memory bomb: out_of_memory", async () => fails("memory_map", "out_of_memory"));
  it("WebAssembly is gone", async () => expect(await note("wasm_memory")).toBe("undefined"));
  it("deep recursion: a logic error", async () => {
    const item = await fails("deep_recursion", "logic_error");
    expect(item.error.message).toMatch(/call stack/);
  });
  it("huge console output is truncated and marked", async () => {
    const item = await s.hostile("huge_console");
    expect(item.successful).toBe(true);
    const size = item.logs.reduce((sum: number, l: any) => sum + l.message.length, 0);
    expect(size).toBeLessThanOrEqual(1024 * 1024 + 200);
    expect(item.logs.at(-1).message).toMatch(/truncated/);
  });
  it("huge entity value: limit_exceeded", async () => fails("huge_entity", "limit_exceeded"));
  it("10,000 outbound requests: stopped at 100", async () =>
    expect(await note("many_requests", s.api.url)).toMatch(/^100:threw:limit_exceeded/));
  it("slow-trickle response: times out", async () =>
    expect(await note("trickle", s.api.url)).toMatch(/^threw:timeout:/));
  it("decompression bomb: capped", async () =>
    expect(await note("gzip_bomb", s.api.url)).toMatch(/^threw:limit_exceeded:/));
  it("1 GB download: capped", async () =>
    expect(await note("giant_download", s.api.url)).toMatch(/^threw:limit_exceeded:/));
  it("huge importData argument: refused by the bridge's size cap", async () =>
    expect(await note("huge_import")).toMatch(
      /^threw:limit_exceeded:The argument of records\.import is [\d.]+ MB, over the limit of 32\.0 MB\.$/,
    ));
});

describe("network", () => {
  const denied = async (base: string) =>
    expect(await note("fetch_url", base)).toMatch(/^threw:egress_denied:/);
  it("another loopback address (127.0.0.2) not on the allow-list", async () => denied(s.forbidden.url));
  it("private 10.x", async () => denied("http://10.1.2.3/"));
  it("private 192.168.x", async () => denied("http://192.168.0.1/"));
  it("link-local metadata 169.254.169.254", async () => denied("http://169.254.169.254/latest/meta-data"));
  it("IPv6 loopback", async () => denied("http://[::1]:80/"));
  it("IPv4-mapped IPv6 loopback", async () => denied("http://[::ffff:127.0.0.2]/"));
  it("decimal-encoded 127.0.0.2", async () => denied(`http://2130706434:${s.forbidden.port}/`));
  it("hex-encoded 127.0.0.2", async () => denied(`http://0x7f.0.0.2:${s.forbidden.port}/`));
  it("0.0.0.0", async () => denied("http://0.0.0.0:1/"));
  it("a DNS name that resolves to loopback", async () => denied(`http://localhost:${s.api.port}/`));
  it("file: scheme", async () => denied("file:///etc/passwd"));
  it("data: scheme", async () => denied("data:text/plain,hello"));
  it("ftp: scheme", async () => denied("ftp://127.0.0.1/"));
  it("redirect to a forbidden host", async () =>
    expect(await note("fetch_path", `${s.api.url}|/redirect-forbidden`)).toMatch(/^threw:egress_denied:/));
  it("a path like //127.0.0.2:port/x stays on the client's host", async () =>
    expect(await note("fetch_path", `${s.api.url}|//127.0.0.2:${s.forbidden.port}/x`)).toBe("200"));
  it("an absolute URL as path stays on the client's host", async () =>
    expect(await note("fetch_path", `${s.api.url}|http://127.0.0.2:${s.forbidden.port}/x`)).toBe("200"));
  it("credential and custom headers are dropped on a cross-origin redirect", async () => {
    const headers = JSON.parse(await note("cross_origin_redirect", s.api.url));
    expect(headers.authorization).toBeUndefined();
    expect(headers["x-api-key"]).toBeUndefined();
    expect(headers.cookie).toBeUndefined();
  });
});

describe("secrets", () => {
  it("an undeclared secret is invisible, and so is process.env", async () =>
    expect(await note("read_undeclared")).toBe("COMIND_SECRET_HOSTILE_TOKEN|none|noprocess"));
  it("a printed secret is ***", async () => {
    const item = await s.hostile("print_secret");
    expect(item.logs).toEqual([{ level: "log", message: "***" }]);
  });
  it("a thrown secret is ***", async () => {
    const item = await fails("throw_secret", "logic_error");
    expect(item.error.message).toBe("secret is ***");
  });
  it("base64- and URL-encoded secrets are *** too", async () => {
    const item = await fails("encoded_secret", "logic_error");
    expect(JSON.stringify(item)).not.toContain(
      Buffer.from(HOSTILE_SECRET).toString("base64").replace(/=+$/, ""),
    );
    expect(item.error.message).toBe("encoded ***");
  });
  it("nothing in the run log holds a secret", async () => {
    const runs = JSON.stringify(await s.t.store.listRuns({ app: "HOSTILE", limit: 1000 }));
    expect(runs).not.toContain(HOSTILE_SECRET);
    expect(runs).not.toContain(PROBE_SECRET);
  });
  it("one app cannot query another app's records", async () =>
    expect(await note("other_app_records")).toMatch(/^threw:forbidden:/));
  it("one app cannot read another app's record by id", async () => {
    const [probe] = (
      await s.call("POST", "/api/tickets/multi", [
        { transition: "add", app_alias: "PROBE", c_note: "private" },
      ])
    ).json;
    expect(await note("other_app_record_by_id", probe.data.id)).toMatch(/^threw:forbidden:/);
  });
  it("one app cannot import into another app", async () =>
    expect(await note("other_app_import")).toMatch(/^threw:forbidden:/));
});

describe("data", () => {
  it("__proto__ and constructor keys never reach a host prototype", async () => {
    const item = await s.hostile("proto_in_entity");
    expect(item.successful).toBe(true);
    expect(item.data.c_data).toEqual({ ok: 1 });
    expect(({} as any).polluted).toBeUndefined();
  });
  it("__proto__ in importData rows is dropped", async () => {
    expect(await note("proto_in_rows")).toBe('{"created":1,"updated":0}');
    expect(Object.hasOwn(Object.prototype, "polluted")).toBe(false);
  });
  it("functions in entity values are dropped", async () =>
    expect((await s.hostile("function_value")).data.c_data).toEqual({ n: 1 }));
  it("cyclic entity values are a logic error", async () => fails("cyclic_value", "logic_error"));
  it("BigInt entity values are a logic error", async () => fails("bigint_value", "logic_error"));
  it("Dates become ISO strings", async () =>
    expect((await s.hostile("date_value")).data.c_data).toEqual({ when: "2026-01-01T00:00:00.000Z" }));
  it("NaN in a number field is stored as null", async () =>
    expect((await s.hostile("nan_value")).data.c_n).toBeNull());
  it("10,000 unknown fields set by logic: validation_error", async () =>
    fails("many_fields", "validation_error"));
  it("a REST payload with 10,000 fields is refused cleanly", async () => {
    const item = Object.fromEntries(Array.from({ length: 10_000 }, (_, i) => [`c_f${i}`, i]));
    const res = await s.call("POST", "/api/tickets/multi", [
      { transition: "add", app_alias: "HOSTILE", ...item },
    ]);
    expect([400, 413]).toContain(
      res.status === 200 ? res.json[0].error.code === "validation_error" && 400 : res.status,
    );
  });
  it("file references cannot walk the host filesystem", async () => {
    expect(await note("files_traversal")).toMatch(/^threw:not_found:/);
    expect(await note("csv_ref_traversal")).toMatch(/^threw:not_found:/);
  });
});

describe("documents, templates and the runtime's own API", () => {
  it("Liquid templates cannot read files", async () =>
    expect(await note("liquid_file_read")).toMatch(/^threw:forbidden:Liquid templates cannot read files/));
  it("Liquid sees only own properties of the vars", async () =>
    expect(await note("liquid_prototype")).toBe("[]"));
  it("a Liquid render bomb is stopped by its render limit", async () => {
    const item = await fails("liquid_render_bomb", "limit_exceeded");
    expect(item.error.message).toMatch(/LiquidParser\.parse went over a limit/);
  });
  it("setComindAuth never sends the user's token to another server", async () => {
    expect(await note("comind_auth_elsewhere", s.other.url)).toMatch(/^threw:forbidden:.*own REST API only/);
    expect(await note("comind_auth_elsewhere", `${s.forbidden.url}`)).toMatch(/^threw:forbidden:/);
  });
});
