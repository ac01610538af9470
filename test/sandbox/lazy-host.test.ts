import { beforeEach, describe, expect, it } from "vitest";
import { lazyHostTable } from "../../runtime/sandbox/lazy-host.ts";
import type { HostFunctions } from "../../runtime/host-functions.ts";

describe("lazyHostTable", () => {
  const secrets = { "app.secrets": () => ({ KEY: "v" }) } as unknown as Partial<HostFunctions>;
  let builds = 0;
  const full = () => {
    builds += 1;
    return { ...secrets, "console.write": () => null } as unknown as HostFunctions;
  };
  beforeEach(() => {
    builds = 0;
  });

  it("answers its ready calls without building the table", () => {
    const host = lazyHostTable(secrets, full);
    expect(host["app.secrets"]({})).toEqual({ KEY: "v" });
    expect(host["app.secrets"]).toBe(secrets["app.secrets"]);
    expect(builds).toBe(0);
  });

  it("builds the table once, on the first other look-up, listing or `in`", () => {
    const host = lazyHostTable(secrets, full);
    expect("console.write" in host).toBe(true);
    expect(builds).toBe(1);
    expect(host["console.write"]({ level: "info", message: "x" })).toBeNull();
    expect(Object.keys(host).sort()).toEqual(["app.secrets", "console.write"]);
    expect({ ...host }["console.write"]).toBeTypeOf("function");
    expect(builds).toBe(1);
  });

  it("builds at once when asked to", () => {
    lazyHostTable(secrets, full, true);
    expect(builds).toBe(1);
  });
});
