/**
 * A fake SchedulerClock: time moves only when a test advances it, and each due timer's callback
 * (a tick's claim) is awaited, so a test sees every tick enqueued without sleeping through it.
 * Timers due at the same moment (the same tick on several nodes) fire together, as they would.
 */
import type { SchedulerClock } from "../../runtime/jobs/index.ts";

interface Timer {
  at: number;
  fire: () => Promise<void>;
}

export class FakeClock implements SchedulerClock {
  private time: number;
  private readonly timers = new Set<Timer>();
  private waiters: { count: number; resolve: () => void }[] = [];

  constructor(start: number) {
    this.time = start;
  }

  now(): number {
    return this.time;
  }

  setTimer(fire: () => Promise<void>, ms: number): unknown {
    const timer = { at: this.time + ms, fire };
    this.timers.add(timer);
    for (const waiter of this.waiters.filter((w) => this.timers.size >= w.count)) waiter.resolve();
    this.waiters = this.waiters.filter((w) => this.timers.size < w.count);
    return timer;
  }

  clearTimer(timer: unknown): void {
    this.timers.delete(timer as Timer);
  }

  /** Resolves once `count` timers are set (schedulers start asynchronously). */
  whenTimers(count: number): Promise<void> {
    if (this.timers.size >= count) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push({ count, resolve }));
  }

  /** Moves time to `until`, firing (and awaiting) every timer that falls due on the way. */
  async advanceTo(until: number): Promise<void> {
    for (;;) {
      const due = [...this.timers].filter((timer) => timer.at <= until);
      if (due.length === 0) break;
      const at = Math.min(...due.map((timer) => timer.at));
      const now = due.filter((timer) => timer.at === at);
      this.time = at;
      for (const timer of now) this.timers.delete(timer);
      await Promise.all(now.map((timer) => timer.fire()));
    }
    this.time = until;
  }
}
