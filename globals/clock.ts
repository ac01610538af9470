/**
 * The realm's clock (`Date.now()`, `new Date()`, `Date()`), so that a run can be replayed as it
 * ran (runtime/actions/run-recording.ts): a recorded action keeps every reading of the clock, in
 * order, and a replayed one is given those readings back, in the same order (then the real time,
 * should the edited code read the clock more often). Any other action reads the real time and
 * nothing is kept. `Date` stays the same class to app code: one prototype (`instanceof Date`,
 * subclasses), the same statics; only a reading of "now" goes through here. Installed before
 * the realm is hardened (harden.ts then freezes the new constructor); the mode and the readings
 * live in this closure only.
 */

/** At most this many readings are kept per action: a clock read in a hot loop must not fill the heap. */
export const MAX_CLOCK_READINGS = 10_000;

/** What an action's clock does: `record` keeps its readings, an array replays them. */
export type ClockMode = "real" | "record" | number[];

export interface ActionClock {
  /** Before an action: its mode. */
  begin(mode: ClockMode): void;
  /** After it: the readings kept (record mode), else null. */
  end(): number[] | null;
}

/** Replaces Date with the action clock's (run before hardening). */
export function installClock(): ActionClock {
  const RealDate = Date;
  const realNow = RealDate.now;
  const construct = Reflect.construct;
  let recorded: number[] | null = null;
  let replay: number[] | null = null;
  let cursor = 0;
  const now = (): number => {
    if (replay !== null && cursor < replay.length) return replay[cursor++];
    const time = realNow();
    if (recorded !== null && recorded.length < MAX_CLOCK_READINGS) recorded.push(time);
    return time;
  };
  // A function, not a class: `Date()` without `new` is legal and answers a string.
  const ClockDate = function ClockDate(this: unknown, ...args: unknown[]): unknown {
    if (new.target === undefined) return construct(RealDate, [now()]).toString();
    return construct(RealDate, args.length === 0 ? [now()] : args, new.target);
  } as unknown as DateConstructor;
  Object.defineProperty(ClockDate, "name", { value: "Date", configurable: true });
  for (const key of Reflect.ownKeys(RealDate)) {
    if (key === "prototype" || key === "name" || key === "length") continue;
    Object.defineProperty(ClockDate, key, Object.getOwnPropertyDescriptor(RealDate, key)!);
  }
  Object.defineProperty(ClockDate, "length", { value: RealDate.length, configurable: true });
  Object.defineProperty(ClockDate, "prototype", { value: RealDate.prototype, writable: false });
  Object.defineProperty(ClockDate, "now", {
    value: { now: () => now() }.now,
    writable: true,
    enumerable: false,
    configurable: true,
  });
  Object.defineProperty(RealDate.prototype, "constructor", {
    value: ClockDate,
    writable: true,
    enumerable: false,
    configurable: true,
  });
  Object.defineProperty(globalThis, "Date", {
    value: ClockDate,
    writable: true,
    enumerable: false,
    configurable: true,
  });
  return {
    begin(mode) {
      recorded = mode === "record" ? [] : null;
      replay = Array.isArray(mode) ? mode.filter((value) => typeof value === "number") : null;
      cursor = 0;
    },
    end() {
      const kept = recorded;
      recorded = null;
      replay = null;
      return kept;
    },
  };
}
