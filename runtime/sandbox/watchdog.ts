/**
 * The host's own deadline for one run. isolated-vm's `timeout` counts CPU only and pauses while
 * the isolate waits on the host, so a loop of host calls or sleeps would never stop: this timer
 * checks wall clock and CPU, aborts in-flight host work and disposes the isolate.
 */
import type ivm from "isolated-vm";
import { disposeQuietly } from "./isolate-pool.ts";

export type Breach = { kind: "wall"; limitMs: number } | { kind: "cpu"; limitMs: number };

const CPU_POLL_MS = 25;

export class Watchdog {
  breach: Breach | null = null;
  readonly deadline: number;
  private readonly wallTimer: NodeJS.Timeout;
  private readonly cpuTimer: NodeJS.Timeout;
  private readonly cpuStartNs: bigint;

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
    this.cpuTimer = setInterval(() => {
      if (!isolate.isDisposed && isolate.cpuTime - this.cpuStartNs > cpuLimitNs)
        this.trip({ kind: "cpu", limitMs: limits.cpuMs });
    }, CPU_POLL_MS);
  }

  get expired(): boolean {
    return this.breach !== null || Date.now() > this.deadline;
  }

  trip(breach: Breach): void {
    if (this.breach) return;
    this.breach = breach;
    this.abort.abort(new Error("action deadline"));
    disposeQuietly(this.isolate);
  }

  stop(): void {
    clearTimeout(this.wallTimer);
    clearInterval(this.cpuTimer);
  }
}
