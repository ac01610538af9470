/**
 * Warm isolates per app: each app has its own isolates (never shared between apps), each with one
 * warm, hardened context (warm-context.ts) in which the globals and the app's bundle were compiled
 * once. An isolate that broke a limit is disposed instead of going back to the pool; a context
 * that saw a failure is discarded and rebuilt.
 *
 * Idle isolates: up to `maxIdlePerApp` per app stay warm, so a burst of concurrent actions of one
 * app does not dispose and rebuild isolates on every release (churn); isolates beyond the first
 * that stayed idle longer than `idleTtlMs` are disposed to give memory back.
 */
import ivm from "isolated-vm";
import { ensureContext, newLease, type IsolateLease } from "./warm-context.ts";

export type { IsolateLease } from "./warm-context.ts";

export interface CompiledApp {
  key: string;
  logicCode: string;
  memoryMb: number;
}

/** What happens to a lease when its action ends. */
export type LeaseVerdict = "keep" | "discard-context" | "dispose";

interface PoolEntry {
  idle: IsolateLease[];
}

export const LOGIC_FILENAME = "comind-app:///logic.js";
/** Recycle an isolate after this many runs so slow leaks in app code cannot pile up. */
const MAX_RUNS_PER_ISOLATE = 5_000;
/** CPU allowed to create and harden a context (once per isolate, not per action). */
const SETUP_TIMEOUT_MS = 5_000;

export interface PoolOptions {
  /** Idle warm isolates kept per app (default 16: more than the concurrency one server sees). */
  maxIdlePerApp?: number;
  /** An idle isolate beyond the first of its app is disposed after this long (default 60 s). */
  idleTtlMs?: number;
}

export class IsolatePool {
  private readonly entries = new Map<string, PoolEntry>();
  private readonly maxIdlePerApp: number;
  private readonly idleTtlMs: number;
  private readonly globalsCode: () => Promise<string>;
  private readonly trimTimer: NodeJS.Timeout;
  /** Contexts created and hardened so far (one per warm isolate, plus one after each failure). */
  contextsCreated = 0;

  /**
   * @param globalsCode the bundled globals (runtime/bundle/globals-bundle.ts)
   */
  constructor(globalsCode: () => Promise<string>, options: PoolOptions = {}) {
    this.globalsCode = globalsCode;
    this.maxIdlePerApp = options.maxIdlePerApp ?? 16;
    this.idleTtlMs = options.idleTtlMs ?? 60_000;
    this.trimTimer = setInterval(() => this.trimIdle(), Math.max(this.idleTtlMs / 2, 100));
    this.trimTimer.unref();
  }

  async acquire(app: CompiledApp): Promise<IsolateLease> {
    const entry = this.entries.get(app.key);
    let lease: IsolateLease | undefined;
    while (entry && entry.idle.length > 0 && !lease) {
      const candidate = entry.idle.pop()!;
      if (!candidate.isolate.isDisposed) lease = candidate;
    }
    lease ??= await this.newIsolate(app);
    try {
      if (!lease.start) this.contextsCreated += 1;
      await ensureContext(lease, SETUP_TIMEOUT_MS);
      return lease;
    } catch (error) {
      disposeQuietly(lease.isolate);
      throw error;
    }
  }

  private async newIsolate(app: CompiledApp): Promise<IsolateLease> {
    const isolate = new ivm.Isolate({ memoryLimit: app.memoryMb });
    try {
      const { code, appLineOffset } = isolateScript(await this.globalsCode(), app.logicCode);
      const script = await isolate.compileScript(code, { filename: LOGIC_FILENAME });
      return newLease(isolate, script, appLineOffset);
    } catch (error) {
      isolate.dispose();
      throw error;
    }
  }

  /** Puts a lease back: kept warm, kept without its context, or disposed. */
  release(app: CompiledApp, lease: IsolateLease, verdict: LeaseVerdict): void {
    lease.runs += 1;
    lease.route.bridge = null;
    const entry = this.entries.get(app.key) ?? { idle: [] };
    this.entries.set(app.key, entry);
    if (
      verdict !== "dispose" &&
      !lease.isolate.isDisposed &&
      lease.runs < MAX_RUNS_PER_ISOLATE &&
      entry.idle.length < this.maxIdlePerApp
    ) {
      lease.idleSince = Date.now();
      entry.idle.push(lease);
      return;
    }
    disposeQuietly(lease.isolate);
  }

  /** Disposes idle isolates beyond the first of each app that waited longer than idleTtlMs. */
  trimIdle(now = Date.now()): void {
    for (const entry of this.entries.values()) {
      // idle is a stack: index 0 waited longest; keep the most recently used one.
      while (entry.idle.length > 1 && now - entry.idle[0].idleSince > this.idleTtlMs)
        disposeQuietly(entry.idle.shift()!.isolate);
    }
  }

  /** Drops the isolates of apps whose key starts with `prefix` (an app was rebuilt). */
  evict(prefix: string): void {
    for (const [key, entry] of this.entries) {
      if (!key.startsWith(prefix)) continue;
      for (const lease of entry.idle) disposeQuietly(lease.isolate);
      this.entries.delete(key);
    }
  }

  dispose(): void {
    clearInterval(this.trimTimer);
    this.evict("");
  }

  /** Heap and CPU of the idle isolates per app (busy ones are counted by their runs). */
  stats(): { key: string; isolates: number; usedHeapMb: number; cpuMs: number }[] {
    return [...this.entries].map(([key, entry]) => {
      const live = entry.idle.filter((lease) => !lease.isolate.isDisposed);
      const heap = live.reduce((sum, lease) => sum + lease.isolate.getHeapStatisticsSync().used_heap_size, 0);
      const cpu = live.reduce((sum, lease) => sum + Number(lease.isolate.cpuTime) / 1e6, 0);
      return {
        key,
        isolates: live.length,
        usedHeapMb: Math.round((heap / 1024 / 1024) * 10) / 10,
        cpuMs: Math.round(cpu),
      };
    });
  }
}

/**
 * One script per app isolate, run once per context. It wraps the globals bundle in a factory
 * (`freshGlobals`, evaluated again for every action so the globals' module state is new) and the
 * app bundle in another (`loadApp`, likewise: module-level variables of the app are new every
 * action). The app's factory is defined at the script's top level, so app code sees only
 * globalThis, none of the bootstrap's locals. Its value is `connect(sync, async)` (see
 * globals/bootstrap.ts). `appLineOffset` is the number of lines before the app bundle, for
 * source-mapping stack frames.
 */
export function isolateScript(globalsCode: string, appCode: string): { code: string; appLineOffset: number } {
  const prefix = `(function (loadApp) {\nconst freshGlobals = function () {\n${globalsCode}\nreturn __comindGlobals;\n};\nreturn freshGlobals().setupRealm(freshGlobals, loadApp);\n})(function () {\n`;
  return {
    code: `${prefix}${appCode}\nreturn __comindApp;\n})`,
    appLineOffset: prefix.split("\n").length - 1,
  };
}

export function disposeQuietly(isolate: ivm.Isolate): void {
  try {
    if (!isolate.isDisposed) isolate.dispose();
  } catch {
    // already being torn down
  }
}
