/**
 * How often a job node's heartbeat is written and how old it may get before the node is taken for
 * dead (Postgres queue, graphile-heartbeat.ts). One zod schema checks the server's options and
 * gives the CLI its ranges.
 *
 * The defaults: a beat every 5 s, dead after 30 s. A killed node's jobs run again within about
 * 36 s (30 s, plus at most one beat until a node judges, plus one poll), well under a minute; 30 s
 * is six missed beats, which rides out a garbage-collection pause, a slow or failed connection and
 * its retry, and a busy database without taking a live node for dead. A beat is one small UPDATE
 * per node every 5 s.
 */
import { z } from "zod";
import { numberIn, parseConfig } from "../config-schema.ts";

export const HEARTBEAT_RANGES = {
  heartbeatMs: { min: 100, max: 60_000, whole: true },
  deadAfterMs: { min: 1_000, max: 86_400_000, whole: true },
} as const;

export const DEFAULT_HEARTBEAT = { heartbeatMs: 5_000, deadAfterMs: 30_000 } as const;

/** A node must miss this many beats in a row before it is taken for dead. */
export const MIN_MISSED_BEATS = 3;

export const heartbeatOptionsSchema = z
  .strictObject({
    /** How often each node writes its heartbeat (and judges the others'). */
    heartbeatMs: numberIn(HEARTBEAT_RANGES.heartbeatMs).default(DEFAULT_HEARTBEAT.heartbeatMs),
    /** A node whose heartbeat is older than this is dead: its jobs are released. */
    deadAfterMs: numberIn(HEARTBEAT_RANGES.deadAfterMs).default(DEFAULT_HEARTBEAT.deadAfterMs),
  })
  .refine((options) => options.deadAfterMs >= MIN_MISSED_BEATS * options.heartbeatMs, {
    error: `must have deadAfterMs at least ${MIN_MISSED_BEATS} × heartbeatMs (a node is taken for dead only after missing ${MIN_MISSED_BEATS} beats)`,
  });

export type HeartbeatOptions = z.infer<typeof heartbeatOptionsSchema>;

/** The server's heartbeat options (openQueue's), checked: a bad one is a bad_request naming it. */
export function parseHeartbeatOptions(raw: unknown = {}): HeartbeatOptions {
  return parseConfig(heartbeatOptionsSchema, raw, "bad_request", "heartbeat");
}
