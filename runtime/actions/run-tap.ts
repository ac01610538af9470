/**
 * A tap on the top-level logic of one run: sees (and may replace) the init the isolate gets,
 * wraps the host functions the isolate calls, and may fix Math.random's seed. The run recorder
 * (run-recording.ts) and the replayer (replay-host.ts) are its two users; nested transitions
 * are not tapped: their work is inside the host call (`records.update`) that fired them.
 */
import type { ActionInit } from "../../globals/bridge-contract.ts";
import type { HostFunctions, WorkerHttpAnswer } from "../sandbox/index.ts";

export interface RunTap {
  /** Math.random's seed (32 hex digits). */
  readonly seed: string;
  /** The clock (globals/clock.ts): `record` keeps the logic's readings, an array replays them. */
  readonly clock: "record" | number[];
  /** Told the readings of a `record` clock once the logic ran. */
  clockRead?(readings: number[]): void;
  init(init: ActionInit): ActionInit;
  host(host: HostFunctions): HostFunctions;
  /**
   * Keeps the requests a sandbox worker sent itself (they never pass `host`). A tap without it
   * (the replayer answers every call) makes the worker send all requests through the server.
   */
  recordWorkerHttp?(calls: WorkerHttpAnswer[]): void;
}
