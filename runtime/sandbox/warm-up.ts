/**
 * Prewarm of one app (issue 27, "Ready when it says so"): build its warm isolate within the warm
 * budget (IsolatePool.prewarm), then run it once in a way that changes nothing — a transitions
 * query for no records — so the app's modules load and the run path (bridge, watchdog,
 * marshalling, the worker's side of it) is compiled before a user's first action rather than
 * during it. The warm-up has no host: a host call in it fails the warm-up, never anything else.
 */
import { RuntimeError } from "../errors.ts";
import { executeInSandbox, type SandboxApp, type SandboxRun } from "./execute.ts";
import type { HostFunctions } from "./bridge.ts";
import type { IsolatePool } from "./isolate-pool.ts";
import { withLimits } from "./limits-schema.ts";

/**
 * A warm-up run's host: no secrets (the worker protocol asks for them with every run), and any
 * other host call fails the warm-up, never anything else.
 */
const WARM_UP_HOST = new Proxy({} as HostFunctions, {
  get: (_target, name) =>
    name === "app.secrets"
      ? () => ({})
      : () => {
          throw new RuntimeError("internal_error", "A warm-up run makes no host calls.");
        },
});

/**
 * A run of `app` that changes nothing and runs no action: a transitions query for no records.
 * Its app module loads, and the run path on both sides of the sandbox is exercised.
 */
export function warmUpRun(app: SandboxApp): SandboxRun {
  return {
    app,
    init: {
      action: "",
      appAlias: "",
      workspaceAlias: "",
      entity: {},
      entityOld: null,
      currentUser: {},
      isNew: false,
      vars: {},
      transitionsFor: { records: [], actions: [] },
    },
    host: WARM_UP_HOST,
    limits: withLimits({ memoryMb: app.memoryMb }),
    abort: new AbortController(),
    describeError: () => ({ code: "internal_error", message: "warm-up" }),
    redact: (text) => text,
  };
}

/** Resolves to whether a warm isolate was built (and warmed up); never throws. */
export async function prewarmApp(pool: IsolatePool, app: SandboxApp, lastUsedAt: number): Promise<boolean> {
  if (!(await pool.prewarm(app, lastUsedAt))) return false;
  try {
    await executeInSandbox(pool, warmUpRun(app));
  } catch {
    // a warm-up that failed leaves a cold start for the first action, nothing worse
  }
  // The warm-up was no use: the app keeps its place in the least-recently-used order.
  pool.markUsedAt(app.key, lastUsedAt);
  return true;
}
