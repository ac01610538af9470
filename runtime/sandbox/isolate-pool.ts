/**
 * Warm isolates per app: each app has its own isolates (never shared between apps), each with one
 * warm, hardened context (warm-context.ts) in which the globals and the app's bundle were compiled
 * once. An isolate that broke a limit is disposed instead of going back to the pool; a context
 * that saw a failure is discarded and rebuilt.
 *
 * Idle isolates: up to `maxIdlePerApp` per app stay warm, so a burst of concurrent actions of one
 * app does not dispose and rebuild isolates on every release (churn); isolates beyond the first
 * that stayed idle longer than `idleTtlMs` are disposed to give memory back.
 *
 * Memory: the heap limits of the isolates running now plus the heap of the idle ones must fit in
 * `memoryBudgetMb` (isolate heaps live outside Node's own heap limit, so without this cap enough
 * concurrent actions take the whole process down). A run that does not fit first evicts idle
 * isolates (longest idle first), else waits its turn for a running one to end, within its
 * deadline, and then fails `resource_exhausted`.
 *
 * Warm isolates (issue 27, "Light per app"): the idle isolates together may take at most
 * `warmBudgetMb`, each counted at its used heap plus what an isolate costs outside its heap
 * (ISOLATE_OVERHEAD_MB, measured in bench/memory.ts). An action that leaves one more idle isolate
 * than fits evicts the least recently used ones, so a server with many apps holds the recently
 * used ones warm and rebuilds the others on their next run. `prewarm` fills the same budget ahead
 * of need (at start, after a deploy) but never evicts for it.
 */
import ivm from "isolated-vm";
import { RuntimeError } from "../errors.ts";
import { type AcquireBound, MemoryQueue } from "./memory-queue.ts";
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
  /** Isolate memory this process hands out, MB (default: no cap); see the top of this file. */
  memoryBudgetMb?: number;
  /** What the idle (warm) isolates may take together, MB (default: no cap); see the top of this file. */
  warmBudgetMb?: number;
  /** Called when an app's last idle isolate was evicted (a worker then forgets the app's code too). */
  onAppCold?: (key: string) => void;
}

/**
 * What a warm isolate costs besides its used heap, MB: its V8 heap reserve, compiled code of the
 * globals and the app, the context. Measured (bench/memory.ts): 2.65 MB RSS per warm app isolate,
 * 0.9 MB of it used heap.
 */
export const ISOLATE_OVERHEAD_MB = 1.75;
/** An isolate whose heap was not sampled yet counts with this much heap (MB). */
const UNSAMPLED_HEAP_MB = 1;
const warmMb = (lease: IsolateLease) => (lease.heapMb || UNSAMPLED_HEAP_MB) + ISOLATE_OVERHEAD_MB;

/** The pool as a whole, for /api/admin/stats. */
export interface PoolSummary {
  /** Idle warm isolates now, and what they count for against `warmBudgetMb`. */
  isolates: number;
  warmMb: number;
  warmBudgetMb: number | null;
  usedHeapMb: number;
  /** Idle isolates disposed to make room (warm budget or a run's memory), since start. */
  evictions: number;
  /** Isolates built ahead of need (prewarm), since start. */
  prewarmed: number;
}

/** An idle isolate counts with its used heap at the last sample, at least this much (MB). */
const IDLE_FLOOR_MB = 2;
const idleMb = (lease: IsolateLease) => Math.max(lease.heapMb, IDLE_FLOOR_MB);

export class IsolatePool {
  private readonly entries = new Map<string, PoolEntry>();
  private readonly maxIdlePerApp: number;
  private readonly idleTtlMs: number;
  private readonly globalsCode: () => Promise<string>;
  private readonly trimTimer: NodeJS.Timeout;
  /** Contexts created and hardened so far (one per warm isolate, plus one after each failure). */
  contextsCreated = 0;
  readonly memoryBudgetMb: number;
  /** Sum of the heap limits of the isolates running now. */
  private runningMb = 0;
  /** Runs waiting for memory, first come first served. */
  private readonly waiting = new MemoryQueue<CompiledApp, { reuse: IsolateLease | undefined }>();
  readonly warmBudgetMb: number;
  private readonly onAppCold: (key: string) => void;
  evictions = 0;
  prewarmed = 0;
  /** Isolates being built ahead of need, by app key: a run of that app waits for it instead of building its own. */
  private readonly warming = new Map<string, Promise<unknown>>();

  /**
   * @param globalsCode the bundled globals (runtime/bundle/globals-bundle.ts)
   */
  constructor(globalsCode: () => Promise<string>, options: PoolOptions = {}) {
    this.globalsCode = globalsCode;
    this.maxIdlePerApp = options.maxIdlePerApp ?? 16;
    this.idleTtlMs = options.idleTtlMs ?? 60_000;
    this.memoryBudgetMb = options.memoryBudgetMb ?? Number.POSITIVE_INFINITY;
    this.warmBudgetMb = options.warmBudgetMb ?? Number.POSITIVE_INFINITY;
    this.onAppCold = options.onAppCold ?? (() => undefined);
    this.trimTimer = setInterval(() => this.trimIdle(), Math.max(this.idleTtlMs / 2, 100));
    this.trimTimer.unref();
  }

  /**
   * A warm isolate of `app` (or a new one) once its heap limit fits in the memory budget;
   * `waitedMs` is how long the run waited for room (it counts against its wall-clock limit).
   */
  async acquire(
    app: CompiledApp,
    bound: AcquireBound = { deadline: Date.now() + 60_000 },
  ): Promise<{ lease: IsolateLease; waitedMs: number }> {
    const started = Date.now();
    // Its isolate is being built ahead of need: wait for it rather than pay a second cold start.
    const warming = this.warming.get(app.key);
    if (warming) await warming;
    const slot = this.waiting.size === 0 ? this.admit(app) : null;
    let lease = slot ? slot.reuse : (await this.waitForRoom(app, bound)).reuse;
    const waitedMs = slot ? 0 : Date.now() - started;
    try {
      lease ??= await this.newIsolate(app);
      if (!lease.start) this.contextsCreated += 1;
      await ensureContext(lease, SETUP_TIMEOUT_MS);
      return { lease, waitedMs };
    } catch (error) {
      if (lease) disposeQuietly(lease.isolate);
      this.runningMb -= app.memoryMb;
      this.wake();
      throw error;
    }
  }

  /** Room for `app` now (evicting idle isolates if that makes it), or null: counts it as running. */
  private admit(app: CompiledApp): { reuse: IsolateLease | undefined } | null {
    const entry = this.entries.get(app.key);
    while (entry?.idle.length && entry.idle[entry.idle.length - 1].isolate.isDisposed) entry.idle.pop();
    // Its own warm isolate is taken, not evicted: it stops counting as idle and counts as running.
    const reuse = entry?.idle[entry.idle.length - 1];
    if (!this.makeRoom(app.memoryMb - (reuse ? idleMb(reuse) : 0), reuse)) return null;
    if (reuse) entry!.idle.pop();
    this.runningMb += app.memoryMb;
    return { reuse };
  }

  /** Whether `needMb` more fit, after evicting idle isolates other than `keep` (longest idle first). */
  private makeRoom(needMb: number, keep: IsolateLease | undefined): boolean {
    const idle = [...this.entries.values()].flatMap((entry) =>
      entry.idle
        .filter((lease) => lease !== keep && !lease.isolate.isDisposed)
        .map((lease) => ({ lease, entry })),
    );
    let used =
      this.runningMb + idle.reduce((sum, { lease }) => sum + idleMb(lease), 0) + (keep ? idleMb(keep) : 0);
    if (used + needMb <= this.memoryBudgetMb) return true;
    // Evicting helps only if it makes enough room; otherwise keep the warm isolates and wait.
    const evictable = idle.reduce((sum, { lease }) => sum + idleMb(lease), 0);
    if (used - evictable + needMb > this.memoryBudgetMb) return false;
    idle.sort((a, b) => a.lease.idleSince - b.lease.idleSince);
    for (const { lease, entry } of idle) {
      if (used + needMb <= this.memoryBudgetMb) break;
      this.evictIdle(lease, entry);
      used -= idleMb(lease);
    }
    return true;
  }

  private waitForRoom(app: CompiledApp, bound: AcquireBound) {
    if (app.memoryMb > this.memoryBudgetMb)
      return Promise.reject(
        new RuntimeError(
          "resource_exhausted",
          `The action's isolate heap (${app.memoryMb} MB) is larger than the isolate memory of a sandbox process (${this.memoryBudgetMb} MB); an admin can raise --worker-memory-mb or lower --memory-mb.`,
        ),
      );
    return this.waiting.wait(
      app,
      bound,
      () =>
        new RuntimeError(
          "resource_exhausted",
          `No room for the action's ${app.memoryMb} MB isolate heap before its deadline: the ${this.memoryBudgetMb} MB of isolate memory of its sandbox process were in use by other actions. Retry shortly; an admin can raise --worker-memory-mb or --workers.`,
        ),
    );
  }

  /** Runs waiting for isolate memory now. */
  get waitingRuns(): number {
    return this.waiting.size;
  }

  private wake(): void {
    this.waiting.wake((app) => this.admit(app));
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
    this.runningMb -= app.memoryMb;
    try {
      this.keepOrDispose(app, lease, verdict);
    } finally {
      this.wake();
    }
  }

  private keepOrDispose(app: CompiledApp, lease: IsolateLease, verdict: LeaseVerdict): void {
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
      this.keepWarmBudget();
      return;
    }
    disposeQuietly(lease.isolate);
  }

  private evictIdle(lease: IsolateLease, entry: PoolEntry): void {
    entry.idle.splice(entry.idle.indexOf(lease), 1);
    disposeQuietly(lease.isolate);
    this.evictions += 1;
    if (entry.idle.length > 0) return;
    for (const [key, candidate] of this.entries) if (candidate === entry) this.onAppCold(key);
  }

  /** Idle isolates of every app (in no particular order). */
  private idleLeases(): { lease: IsolateLease; entry: PoolEntry }[] {
    return [...this.entries.values()]
      .flatMap((entry) => entry.idle.map((lease) => ({ lease, entry })))
      .filter(({ lease }) => !lease.isolate.isDisposed);
  }

  private warmTotalMb(): number {
    let total = 0;
    for (const entry of this.entries.values())
      for (const lease of entry.idle) if (!lease.isolate.isDisposed) total += warmMb(lease);
    return total;
  }

  /** Evicts the least recently used idle isolates until the warm ones fit in `warmBudgetMb`. */
  private keepWarmBudget(): void {
    let total = this.warmTotalMb();
    if (total <= this.warmBudgetMb) return;
    const idle = this.idleLeases().sort((a, b) => a.lease.idleSince - b.lease.idleSince);
    for (const { lease, entry } of idle) {
      if (total <= this.warmBudgetMb) break;
      this.evictIdle(lease, entry);
      total -= warmMb(lease);
    }
  }

  /** Whether one more warm isolate (of a typical size) fits in the warm budget. */
  hasWarmRoom(): boolean {
    return this.warmTotalMb() + UNSAMPLED_HEAP_MB + ISOLATE_OVERHEAD_MB <= this.warmBudgetMb;
  }

  /**
   * Builds a warm isolate of `app` ahead of its first action, if it has none and one more fits in
   * the warm budget (a prewarm never evicts). Resolves to whether it built one; never throws
   * (an app whose setup fails fails again, with its error, on its first run). `lastUsedAt` (ms
   * since epoch, e.g. the app's last run) places it in the least-recently-used order of eviction.
   */
  async prewarm(app: CompiledApp, lastUsedAt = 0): Promise<boolean> {
    const pending = this.warming.get(app.key);
    if (pending) {
      await pending;
      return false;
    }
    const entry = this.entries.get(app.key);
    if (entry?.idle.some((lease) => !lease.isolate.isDisposed)) return false;
    if (!this.hasWarmRoom()) return false;
    const build = (async () => {
      const lease = await this.newIsolate(app);
      try {
        await ensureContext(lease, SETUP_TIMEOUT_MS);
        lease.heapMb = Math.round(lease.isolate.getHeapStatisticsSync().used_heap_size / 104_857.6) / 10;
      } catch (error) {
        disposeQuietly(lease.isolate);
        throw error;
      }
      this.contextsCreated += 1;
      this.prewarmed += 1;
      // keepOrDispose counts a run; building it was none.
      lease.runs -= 1;
      this.keepOrDispose(app, lease, "keep");
      lease.idleSince = lastUsedAt;
      return true;
    })();
    this.warming.set(app.key, build);
    try {
      return await build;
    } catch {
      return false;
    } finally {
      this.warming.delete(app.key);
    }
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

  /** Sets when the idle isolates of `key` were last used (the prewarm's warm-up run is not a use). */
  markUsedAt(key: string, usedAt: number): void {
    for (const lease of this.entries.get(key)?.idle ?? []) lease.idleSince = usedAt;
  }

  /** The warm isolates as a whole: how many, their share of the warm budget, evictions. */
  summary(): PoolSummary {
    const idle = this.idleLeases();
    return {
      isolates: idle.length,
      warmMb: Math.round(this.warmTotalMb() * 10) / 10,
      warmBudgetMb: Number.isFinite(this.warmBudgetMb) ? this.warmBudgetMb : null,
      usedHeapMb: Math.round(idle.reduce((sum, { lease }) => sum + lease.heapMb, 0) * 10) / 10,
      evictions: this.evictions,
      prewarmed: this.prewarmed,
    };
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
