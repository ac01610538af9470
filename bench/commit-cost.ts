/**
 * Time per SQLite commit of a small action (record update + history + commit mark + run log) with
 * random (v4) against time-ordered (v7) run ids, in one run: two fresh stores, rounds alternated.
 * Random ids land on a random leaf of every index keyed by run id, so each commit dirties more
 * pages and each checkpoint copies more (runtime/run-id.ts).
 *
 *   node --no-node-snapshot bench/commit-cost.ts [--commits 40000]
 */
import { randomUUID } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { newRunId } from "../runtime/run-id.ts";
import type { ChangeSet, Store } from "../runtime/store/index.ts";
import { openSqliteStore } from "../runtime/store/sqlite/index.ts";
import { median, round } from "./stats.ts";

const RECORDS = 8;
const ROUNDS = 10;

async function storeWithRecords(dir: string) {
  const store = await openSqliteStore(dir);
  const revisions = new Map<string, number>();
  for (let i = 0; i < RECORDS; i++) {
    const id = randomUUID();
    await store.commit({
      workspace: "default",
      actor: "bench",
      action: "add",
      runId: randomUUID(),
      files: [],
      writes: [{ kind: "insert", id, app: "BENCH", fields: { c_count: 0 }, transition: "add", changes: [] }],
    });
    revisions.set(id, 1);
  }
  return { store, revisions };
}

function bump(revisions: Map<string, number>, n: number, runId: string): ChangeSet {
  const id = [...revisions.keys()][n % RECORDS];
  const revision = revisions.get(id)!;
  revisions.set(id, revision + 1);
  const now = new Date().toISOString();
  return {
    workspace: "default",
    actor: "bench",
    action: "bump",
    runId,
    recordId: id,
    files: [],
    writes: [
      {
        kind: "update",
        id,
        app: "BENCH",
        expectedRevision: revision,
        fields: { c_count: n },
        transition: "bump",
        changes: [{ field: "c_count", old: n - 1, new: n }],
      },
    ],
    run: {
      id: runId,
      workspace: "default",
      app: "BENCH",
      action: "bump",
      recordId: id,
      source: "bench",
      actor: "bench",
      startedAt: now,
      finishedAt: now,
      ok: true,
      errorCode: null,
      errorMessage: null,
      logs: [],
      httpCalls: [],
    },
  };
}

export async function commitCost(commits = 40_000) {
  const dirs = [
    mkdtempSync(join(tmpdir(), "comind-commit-v4-")),
    mkdtempSync(join(tmpdir(), "comind-commit-v7-")),
  ];
  const sides = {
    random_v4: { ...(await storeWithRecords(dirs[0])), id: randomUUID, samples: [] as number[], n: 0 },
    ordered_v7: { ...(await storeWithRecords(dirs[1])), id: newRunId, samples: [] as number[], n: 0 },
  };
  const perRound = Math.ceil(commits / ROUNDS);
  try {
    for (let round = 0; round < ROUNDS; round++) {
      for (const side of Object.values(sides)) {
        const start = performance.now();
        for (let i = 0; i < perRound; i++) await side.store.commit(bump(side.revisions, ++side.n, side.id()));
        side.samples.push(((performance.now() - start) / perRound) * 1000);
      }
    }
  } finally {
    for (const side of Object.values(sides)) await (side.store as Store).close();
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  }
  const v4 = median(sides.random_v4.samples);
  const v7 = median(sides.ordered_v7.samples);
  return {
    commits_per_side: perRound * ROUNDS,
    random_v4_us_per_commit: round(v4, 1),
    ordered_v7_us_per_commit: round(v7, 1),
    ratio_v7_vs_v4: round(median(sides.ordered_v7.samples.map((v, i) => v / sides.random_v4.samples[i])), 2),
  };
}

if (import.meta.main) {
  const { values } = parseArgs({ options: { commits: { type: "string" } } });
  console.log(await commitCost(values.commits ? Number(values.commits) : undefined));
}
