/**
 * Quota numbers: an app's settings may only make its limits stricter, bad values fail the build
 * or `serve` (exit 2), and the token bucket refills by the (stepped) clock.
 */
import { Command } from "commander";
import { describe, expect, it } from "vitest";
import { addQuotaOptions, quotasFrom } from "../../runtime/cli/quota-options.ts";
import { DEFAULT_QUOTAS, parseQueueSettings, Quotas } from "../../runtime/queue/index.ts";
import { TokenBuckets } from "../../runtime/queue/token-bucket.ts";
import { runCli } from "../helpers/cli.ts";

const parse = (raw: unknown) => parseQueueSettings(raw, "TEMP", new Set(["go"]));

describe("app quota settings", () => {
  it("makes an app's limits stricter, never looser", () => {
    const quotas = new Quotas({ pendingPerUser: 50 });
    const own = parse({ quotas: { pendingPerUser: 10, pendingPerApp: 1_000_000, ratePerUser: 2 } }).quotas;
    quotas.useAppQuotas((app) => (app === "TEMP" ? own : undefined));
    expect(quotas.limitsOf("TEMP")).toEqual({
      ...DEFAULT_QUOTAS,
      pendingPerUser: 10,
      ratePerUser: 2,
      // 1,000,000 asked, the server's 10,000 kept
      pendingPerApp: DEFAULT_QUOTAS.pendingPerApp,
    });
    expect(quotas.limitsOf("OTHER")).toEqual({ ...DEFAULT_QUOTAS, pendingPerUser: 50 });
  });

  it.each([
    [{ quotas: [] }, "quotas must be an object"],
    [{ quotas: { pendingPerUser: 0 } }, "quotas.pendingPerUser must be a whole number from 1"],
    [{ quotas: { burstPerApp: 2.5 } }, "quotas.burstPerApp must be a whole number"],
    [{ quotas: { ratePerUser: "50" } }, "quotas.ratePerUser must be a number"],
    [
      { quotas: { pendingPerUsr: 5 } },
      "quotas.pendingPerUsr is not a known setting; use pendingPerUser, pendingPerApp",
    ],
  ])("refuses %j", (raw, message) => {
    expect(() => parse(raw)).toThrow(message);
  });
});

describe("server quotas", () => {
  it("refuses a bad server quota by name instead of using it", () => {
    expect(() => new Quotas({ ratePerApp: 0 })).toThrow(
      "quotas.ratePerApp must be a number from 0.001 to 1,000,000, got 0.",
    );
    expect(() => new Quotas({ pendingPerUser: 5, burstPerUsr: 1 } as never)).toThrow(
      "quotas.burstPerUsr is not a known setting",
    );
  });
});

describe("serve quota options", () => {
  const parseArgs = (args: string[]) => {
    const command = addQuotaOptions(new Command().exitOverride());
    command.parse(args, { from: "user" });
    return quotasFrom(command.opts());
  };

  it("reads each option into the server's quotas; unset ones keep the defaults", () => {
    expect(parseArgs(["--max-pending-per-user", "20", "--enqueue-rate-per-app", "0.5"])).toEqual({
      pendingPerUser: 20,
      ratePerApp: 0.5,
    });
    expect(parseArgs([])).toEqual({});
  });

  it("refuses a bad value from an option or its environment variable with exit 2", async () => {
    const flag = await runCli(["serve", "--apps", ".", "--max-pending-per-app", "0"]);
    expect(flag.code).toBe(2);
    expect(flag.stderr).toContain(
      "--max-pending-per-app (COMIND_MAX_PENDING_PER_APP) must be a whole number",
    );
    const env = await runCli(["serve", "--apps", "."], { env: { COMIND_ENQUEUE_BURST_PER_USER: "lots" } });
    expect(env.code).toBe(2);
    expect(env.stderr).toContain(
      '--enqueue-burst-per-user (COMIND_ENQUEUE_BURST_PER_USER) must be a whole number from 1 to 10,000,000, got "lots"',
    );
  });
});

describe("token buckets", () => {
  it("gives a burst, then refills at the rate; says how long to wait", () => {
    let now = 0;
    const buckets = new TokenBuckets(() => now);
    const want = [{ key: "u", rate: 2, burst: 3 }];
    expect([buckets.take(want), buckets.take(want), buckets.take(want)]).toEqual([0, 0, 0]);
    expect(buckets.take(want)).toBe(1); // half a token is missing at 2/s: rounded up to 1 s
    now += 499;
    expect(buckets.take(want)).toBe(1);
    now += 1;
    expect(buckets.take(want)).toBe(0);
    now += 60_000;
    expect([buckets.take(want), buckets.take(want), buckets.take(want), buckets.take(want)]).toEqual([
      0, 0, 0, 1,
    ]);
  });

  it("takes from all buckets or none, and gives tokens back", () => {
    const buckets = new TokenBuckets(() => 0);
    const user = { key: "user", rate: 1, burst: 1 };
    const app = { key: "app", rate: 1, burst: 5 };
    expect(buckets.take([user, app])).toBe(0);
    expect(buckets.take([user, app])).toBe(1);
    // The refused take did not spend the app's token: 4 are left.
    for (let i = 0; i < 4; i++) expect(buckets.take([{ ...user, key: `u${i}` }, app])).toBe(0);
    expect(buckets.take([{ ...user, key: "u9" }, app])).toBe(1);
    buckets.refund([app]);
    expect(buckets.take([{ ...user, key: "u9" }, app])).toBe(0);
  });
});
