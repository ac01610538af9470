/**
 * The host's own deadline for one run. isolated-vm's `timeout` counts CPU only and pauses while
 * the isolate waits on the host, so a loop of host calls or sleeps would never stop: this timer
 * checks wall clock and CPU, aborts in-flight host work and disposes the isolate.
 */
import type ivm from "isolated-vm";
import { disposeQuietly } from "./isolate-pool.ts";

export type Breach = { kind: "wall"; limitMs: number } | { kind: "cpu"; limitMs: number };

const CPU_POLL_MS = 25;
/** CPU an isolate may still spend after its CPU limit fired, to run into its heap limit (see trip). */
const GRACE_CPU_MS = 1_000;

export class Watchdog {
  breach: Breach | null = null;
  readonly deadline: number;
  private readonly wallTimer: NodeJS.Timeout;
  private readonly cpuTimer: NodeJS.Timeout;
  private readonly cpuStartNs: bigint;
  private readonly processCpuStart = process.cpuUsage();
  /** Set while a CPU-breached isolate is given its grace: dispose once its CPU passes this. */
  private graceEndNs: bigint | null = null;

  private readonly isolate: ivm.Isolate;
  private readonly abort: AbortController;

  constructor(
    isolate: ivm.Isolate,
    limits: { cpuMs: number; wallMs: number; wallLimitMs?: number },
    abort: AbortController,
  ) {
    this.isolate = isolate;
    this.abort = abort;
    this.deadline = Date.now() + limits.wallMs;
    this.cpuStartNs = isolate.cpuTime;
    const named = limits.wallLimitMs ?? limits.wallMs;
    this.wallTimer = setTimeout(() => this.trip({ kind: "wall", limitMs: named }), limits.wallMs);
    const cpuLimitNs = BigInt(limits.cpuMs) * 1_000_000n;
    const graceNs = BigInt(GRACE_CPU_MS) * 1_000_000n;
    this.cpuTimer = setInterval(() => {
      if (isolate.isDisposed) return;
      const usedNs = this.cpuUsedNs();
      if (this.graceEndNs !== null && usedNs > this.graceEndNs) this.dispose();
      else if (!this.breach && usedNs > cpuLimitNs) {
        this.graceEndNs = usedNs + graceNs;
        this.trip({ kind: "cpu", limitMs: limits.cpuMs });
      }
    }, CPU_POLL_MS);
  }

  get expired(): boolean {
    return this.breach !== null || Date.now() > this.deadline;
  }

  /**
   * A wall-clock breach disposes the isolate at once. A CPU breach first aborts host work and
   * lets the isolate run one more second of CPU: near its heap limit V8 spends about a second
   * collecting garbage before it gives up, so a memory bomb that the CPU limit caught there
   * reaches its heap limit in that grace and is reported as out of memory (isolated-vm's own
   * message says so), not as a CPU timeout. An isolate that is not at its heap limit is disposed
   * when the grace is used up, or at the wall-clock limit.
   */
  trip(breach: Breach): void {
    if (this.breach) {
      this.dispose();
      return;
    }
    this.breach = breach;
    this.abort.abort(new Error("action deadline"));
    if (breach.kind === "wall") this.dispose();
  }

  /**
   * CPU this run used so far. isolated-vm's `cpuTime` counts a segment of JavaScript that is
   * still running in wall-clock time (it reads thread CPU time only when a segment ends), so on a
   * busy machine a long loop or a garbage-collecting memory bomb "uses" CPU as fast as the clock
   * ticks. The CPU of this whole process since the run started is also an upper bound of the
   * run's CPU, and an exact one in a worker running only this action: the smaller of the two.
   */
  private cpuUsedNs(): bigint {
    const isolateNs = this.isolate.cpuTime - this.cpuStartNs;
    const { user, system } = process.cpuUsage(this.processCpuStart);
    const processNs = BigInt(user + system) * 1_000n;
    return processNs < isolateNs ? processNs : isolateNs;
  }

  stop(): void {
    clearTimeout(this.wallTimer);
    clearInterval(this.cpuTimer);
  }

  private dispose(): void {
    this.graceEndNs = null;
    disposeQuietly(this.isolate);
  }
}
