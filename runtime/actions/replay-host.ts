/**
 * Replaying a recorded run (run-recording.ts): the logic gets the recorded init and seed, and
 * every host call that reaches the world is answered from the recording, in order. A call that
 * differs from the recording at that point (another call, or the same call with another argument:
 * the code changed) is a mismatch, reported with both sides; it fails into the logic as
 * `replay_mismatch`, or with `live` goes to the real host (the egress allow-list applies).
 */
import type { ActionInit } from "../../globals/bridge-contract.ts";
import { createHash } from "node:crypto";
import { RuntimeError } from "../errors.ts";
import type { Redactor } from "../host/index.ts";
import type { HostFunctions } from "../sandbox/index.ts";
import {
  argJson,
  isOmitted,
  isRecordedCall,
  REDACTED,
  type RecordedCall,
  type RunRecording,
} from "./run-recording.ts";
import type { RunTap } from "./run-tap.ts";

export interface ReplayMismatch {
  /** Position (0-based) in the recording's calls where the replay diverged. */
  index: number;
  /** The recorded call at that point; null when the recording had no more calls. */
  recorded: RecordedCall | null;
  /** The call the replayed code made. */
  replayed: { name: string; arg: unknown };
  /** Whether the call went to the real host (`live`). */
  live: boolean;
}

function sameArg(recorded: unknown, replayedJson: string): boolean {
  if (isOmitted(recorded))
    return createHash("sha256").update(replayedJson, "utf8").digest("hex") === recorded["~omitted"].sha256;
  return JSON.stringify(recorded) === replayedJson;
}

export class RunReplayer implements RunTap {
  readonly seed: string;
  /** The recorded run's clock readings, given back in order (then the real time). */
  readonly clock: number[];
  readonly mismatches: ReplayMismatch[] = [];
  private cursor = 0;
  private readonly recording: RunRecording;
  private readonly options: { live: boolean; redact: Redactor };

  constructor(recording: RunRecording, options: { live: boolean; redact: Redactor }) {
    this.recording = recording;
    this.options = options;
    this.seed = recording.seed;
    this.clock = Array.isArray(recording.clock) ? recording.clock : [];
  }

  /** Recorded calls the replay never made (the code now stops earlier or skips them). */
  get unusedCalls(): RecordedCall[] {
    return this.recording.calls.slice(this.cursor);
  }

  init(init: ActionInit): ActionInit {
    // The record, caller, vars and request exactly as the recorded run saw them.
    return { ...this.recording.init, action: init.action, appAlias: init.appAlias };
  }

  host(host: HostFunctions): HostFunctions {
    const wrapped: Record<string, unknown> = { ...host };
    for (const [name, fn] of Object.entries(host) as [string, (arg: unknown) => unknown][]) {
      if (name === "app.secrets") {
        // Values never travel in a recording: `***` stands for each, unless a live replay has its own.
        const recorded = Object.fromEntries(this.recording.secretNames.map((key) => [key, REDACTED]));
        wrapped[name] = (arg: unknown) =>
          this.options.live ? { ...recorded, ...(fn(arg) as Record<string, string>) } : recorded;
      } else if (isRecordedCall(name)) {
        wrapped[name] = (arg: unknown) => this.answer(name, arg, fn);
      }
    }
    return wrapped as unknown as HostFunctions;
  }

  private answer(name: string, arg: unknown, real: (arg: unknown) => unknown): unknown {
    const recorded = this.recording.calls[this.cursor] ?? null;
    const json = argJson(arg, this.options.redact);
    if (recorded && recorded.name === name && sameArg(recorded.arg, json)) {
      this.cursor++;
      if (recorded.error) throw new RuntimeError(recorded.error.code, recorded.error.message);
      if (isOmitted(recorded.answer)) {
        if (this.options.live) return real(arg);
        throw new RuntimeError(
          "replay_mismatch",
          `The answer of host call #${this.cursor} (${name}) was too large to record (${recorded.answer["~omitted"].bytes} bytes); replay with --live to fetch it.`,
        );
      }
      return recorded.answer ?? null;
    }
    this.mismatches.push({
      index: this.cursor,
      recorded,
      replayed: { name, arg: JSON.parse(json) },
      live: this.options.live,
    });
    if (this.options.live) return real(arg);
    const expected = recorded
      ? `the recording has ${recorded.name} there`
      : "the recording has no more calls";
    throw new RuntimeError(
      "replay_mismatch",
      `Host call #${this.cursor + 1} (${name}) does not match the recording (${expected}); the replay report shows both sides. Replay with --live to let it through.`,
    );
  }
}
