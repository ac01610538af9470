/**
 * Warm isolates per app: each app has its own isolates (never shared between apps), with the
 * globals and the app's logic compiled once per isolate. A run gets a fresh context; an isolate
 * that broke a limit is disposed instead of going back to the pool.
 */
import ivm from "isolated-vm";

export interface CompiledApp {
  key: string;
  logicCode: string;
  memoryMb: number;
}

export interface IsolateLease {
  isolate: ivm.Isolate;
  /** Globals + app bundle; evaluates to the entry function of one action (see isolateScript). */
  script: ivm.Script;
  /** Lines of the script before the app bundle starts. */
  appLineOffset: number;
  runs: number;
  /** Used heap at the last sample (MB). */
  heapMb: number;
}

interface PoolEntry {
  idle: IsolateLease[];
}

export const LOGIC_FILENAME = "comind-app:///logic.js";
/** Recycle an isolate after this many runs so slow leaks in app code cannot pile up. */
const MAX_RUNS_PER_ISOLATE = 5_000;

export class IsolatePool {
  private readonly entries = new Map<string, PoolEntry>();
  private readonly maxIdlePerApp: number;
  private readonly globalsCode: () => Promise<string>;

  /**
   * @param globalsCode the bundled globals (runtime/bundle/globals-bundle.ts)
   */
  constructor(globalsCode: () => Promise<string>, options: { maxIdlePerApp?: number } = {}) {
    this.globalsCode = globalsCode;
    this.maxIdlePerApp = options.maxIdlePerApp ?? 4;
  }

  async acquire(app: CompiledApp): Promise<IsolateLease> {
    const idle = this.entries.get(app.key)?.idle.pop();
    if (idle && !idle.isolate.isDisposed) return idle;
    const isolate = new ivm.Isolate({ memoryLimit: app.memoryMb });
    try {
      const { code, appLineOffset } = isolateScript(await this.globalsCode(), app.logicCode);
      const script = await isolate.compileScript(code, { filename: LOGIC_FILENAME });
      return { isolate, script, appLineOffset, runs: 0, heapMb: 0 };
    } catch (error) {
      isolate.dispose();
      throw error;
    }
  }

  /** Returns a healthy isolate for reuse; anything else is disposed. */
  release(app: CompiledApp, lease: IsolateLease, healthy: boolean): void {
    lease.runs += 1;
    const entry = this.entries.get(app.key) ?? { idle: [] };
    this.entries.set(app.key, entry);
    if (
      healthy &&
      !lease.isolate.isDisposed &&
      lease.runs < MAX_RUNS_PER_ISOLATE &&
      entry.idle.length < this.maxIdlePerApp
    ) {
      entry.idle.push(lease);
      return;
    }
    disposeQuietly(lease.isolate);
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
 * One script per app isolate. Its value is `start(sync, async, initJson)`: the globals' bootstrap
 * with the app loader bound. The app bundle sits in a function defined at the script's top level,
 * so app code sees only globalThis — none of the bootstrap's locals. `appLineOffset` is the number
 * of lines before the app bundle, for source-mapping stack frames.
 */
export function isolateScript(globalsCode: string, appCode: string): { code: string; appLineOffset: number } {
  const prefix = `(function (loadApp) {\n${globalsCode}\nconst bootstrap = __comindGlobals.bootstrap;\nreturn function start(syncCallback, asyncRef, initJson) { return bootstrap(syncCallback, asyncRef, initJson, loadApp); };\n})(function () {\n`;
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
