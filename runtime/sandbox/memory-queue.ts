/**
 * The runs waiting for isolate memory in one sandbox process (isolate-pool.ts), first come first
 * served: a run leaves the queue when the pool lets it in, or fails at its deadline or abort.
 */
import type { RuntimeError } from "../errors.ts";

/** How long a run may wait for memory: its deadline, and its abort signal. */
export interface AcquireBound {
  deadline: number;
  signal?: AbortSignal;
}

interface Waiter<K, T> {
  key: K;
  admit(slot: T): void;
}

export class MemoryQueue<K, T> {
  private readonly waiting: Waiter<K, T>[] = [];

  get size(): number {
    return this.waiting.length;
  }

  /** Waits until `wake` lets `key` in; fails with `tooLate()` at the deadline or abort. */
  wait(key: K, bound: AcquireBound, tooLate: () => RuntimeError): Promise<T> {
    return new Promise((resolve, reject) => {
      const stop = () => {
        clearTimeout(timer);
        bound.signal?.removeEventListener("abort", giveUp);
      };
      const giveUp = () => {
        stop();
        const at = this.waiting.indexOf(waiter);
        if (at >= 0) this.waiting.splice(at, 1);
        reject(tooLate());
      };
      const waiter: Waiter<K, T> = {
        key,
        admit: (slot) => {
          stop();
          resolve(slot);
        },
      };
      const timer = setTimeout(giveUp, Math.max(bound.deadline - Date.now(), 0));
      bound.signal?.addEventListener("abort", giveUp, { once: true });
      this.waiting.push(waiter);
    });
  }

  /** Lets waiting runs in, in order, while `admit` finds room for the first one. */
  wake(admit: (key: K) => T | null): void {
    while (this.waiting.length > 0) {
      const slot = admit(this.waiting[0].key);
      if (slot === null) return;
      this.waiting.shift()!.admit(slot);
    }
  }
}
