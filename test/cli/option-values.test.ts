/**
 * CLI option and environment values go through one parser (runtime/cli/option-schema.ts) with
 * the ranges of what they configure: a bad value is bad usage (exit 2) in one line naming the
 * option, its variable and the accepted range — never clamped or replaced by a default.
 */
import { Command } from "commander";
import { afterEach, describe, expect, it, vi } from "vitest";
import { poolSettingsFromEnv } from "../../runtime/cli/database-env.ts";
import { addSandboxOptions, limitsFrom, type SandboxFlags } from "../../runtime/cli/options.ts";
import { envNumber, parseBoolean } from "../../runtime/cli/option-schema.ts";
import { defaultWorkerCount, parseRetentionDays } from "../../runtime/cli/serve.ts";
import { runCli } from "../helpers/cli.ts";

const parseSandbox = (args: string[]) => {
  const command = addSandboxOptions(new Command().exitOverride());
  command.parse(args, { from: "user" });
  return command.opts() as SandboxFlags;
};

const refusal = (run: () => unknown) => {
  try {
    run();
  } catch (error) {
    return (error as Error).message;
  }
  throw new Error("expected a refusal");
};

afterEach(() => vi.unstubAllEnvs());

describe("CLI option values", () => {
  it("reads limits within the ranges of runtime/limits.ts", () => {
    expect(limitsFrom(parseSandbox(["--cpu-ms", "300", "--memory-mb", "64"]))).toEqual({
      cpuMs: 300,
      wallMs: undefined,
      memoryMb: 64,
    });
  });

  it.each([
    [
      ["--memory-mb", "4"],
      '--memory-mb (COMIND_MEMORY_MB) must be a whole number from 8 to 65,536, got "4".',
    ],
    [["--cpu-ms", "1.5"], '--cpu-ms (COMIND_CPU_MS) must be a whole number from 1 to 86,400,000, got "1.5".'],
    [["--wall-ms", ""], '--wall-ms (COMIND_WALL_MS) must be a whole number from 1 to 86,400,000, got "".'],
    [
      ["--max-image-pixels", "2e9"],
      '--max-image-pixels (COMIND_MAX_IMAGE_PIXELS) must be a whole number from 1 to 1,000,000,000, got "2e9".',
    ],
  ])("refuses %j naming the option, its variable and the range", (args, message) => {
    expect(refusal(() => parseSandbox(args))).toBe(message);
  });

  it("refuses an out-of-range environment variable the same way", () => {
    vi.stubEnv("COMIND_CPU_MS", "0");
    expect(refusal(() => parseSandbox([]))).toBe(
      '--cpu-ms (COMIND_CPU_MS) must be a whole number from 1 to 86,400,000, got "0".',
    );
  });

  it("refuses database and token variables out of range", () => {
    vi.stubEnv("COMIND_DB_POOL_SIZE", "0");
    expect(refusal(() => poolSettingsFromEnv(2))).toBe(
      'COMIND_DB_POOL_SIZE must be a whole number from 1 to 1,000, got "0".',
    );
    expect(envNumber("OIDC_MAX_TOKEN_AGE", { min: 1, max: 10, whole: true }, {})).toBeUndefined();
    expect(
      refusal(() =>
        envNumber("OIDC_MAX_TOKEN_AGE", { min: 1, max: 10, whole: true }, { OIDC_MAX_TOKEN_AGE: "ten" }),
      ),
    ).toBe('OIDC_MAX_TOKEN_AGE must be a whole number from 1 to 10, got "ten".');
  });

  it("reads on/off switches in one way", () => {
    expect(["on", "TRUE", "1", "yes"].map((text) => parseBoolean("--console", text))).toEqual([
      true,
      true,
      true,
      true,
    ]);
    expect(["off", "false", "0", "No"].map((text) => parseBoolean("--console", text))).toEqual([
      false,
      false,
      false,
      false,
    ]);
    expect(refusal(() => parseBoolean("--console (COMIND_CONSOLE)", "maybe"))).toBe(
      '--console (COMIND_CONSOLE) must be "true" or "false" (also on/off, yes/no, 1/0), got "maybe".',
    );
  });

  it("serve exits 2 with one line for a bad --workers or variable", async () => {
    const flag = await runCli(["serve", "--apps", ".", "--workers", "65"], { killAfterMs: 90_000 });
    expect(flag.code).toBe(2);
    expect(flag.stderr.trim()).toBe(
      'comind-runtime: --workers (COMIND_WORKERS) must be a whole number from 0 to 64, got "65".',
    );
    const env = await runCli(["serve", "--apps", "."], {
      env: { COMIND_JOB_LOCK_TIMEOUT_MS: "500" },
      killAfterMs: 90_000,
    });
    expect(env.code).toBe(2);
    expect(env.stderr.trim()).toBe(
      'comind-runtime: --job-lock-timeout-ms (COMIND_JOB_LOCK_TIMEOUT_MS) must be a whole number from 1,000 to 86,400,000, got "500".',
    );
  });

  it("serve exits 2 when a job node would be taken for dead before missing three heartbeats", async () => {
    const result = await runCli(["serve", "--apps", ".", "--job-heartbeat-ms", "20000"], {
      killAfterMs: 90_000,
    });
    expect(result.code).toBe(2);
    expect(result.stderr.trim()).toBe(
      "comind-runtime: --job-dead-after-ms (COMIND_JOB_DEAD_AFTER_MS) must be at least 3 × --job-heartbeat-ms (COMIND_JOB_HEARTBEAT_MS), got 30000 and 20000: a node is taken for dead only after missing 3 beats.",
    );
  });

  it("reads --run-retention-days as days, with off (and 0) for keep-everything", () => {
    expect([
      parseRetentionDays("30"),
      parseRetentionDays("off"),
      parseRetentionDays(" OFF "),
      parseRetentionDays("0"),
    ]).toEqual([30, 0, 0, 0]);
  });

  it("serve exits 2 with one line for a bad --run-retention-days, naming off", async () => {
    const result = await runCli(["serve", "--apps", "."], {
      env: { COMIND_RUN_RETENTION_DAYS: "1.5" },
      killAfterMs: 20_000,
    });
    expect(result.code).toBe(2);
    expect(result.stderr.trim()).toBe(
      'comind-runtime: --run-retention-days (COMIND_RUN_RETENTION_DAYS) must be a whole number of days from 0 to 36,500, or "off" (0 and off keep everything), got "1.5".',
    );
  });
});

describe("serve's default --workers", () => {
  it("is one per core but one, so the server's main thread keeps a core, and at least one", () => {
    expect([1, 2, 3, 8, 64].map((cores) => defaultWorkerCount(cores))).toEqual([1, 1, 2, 7, 63]);
  });
});
