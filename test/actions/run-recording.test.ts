/**
 * The recorder's caps and the replayer's matching, on the host-function table itself: an argument
 * or answer over the cap is kept as its size and hash (and the recording marked truncated past the
 * total), a replayed call with the same large argument matches by that hash, and a call whose
 * answer was not kept fails `replay_mismatch` unless it may go live.
 */
import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import type { ActionInit } from "../../globals/bridge-contract.ts";
import { RunRecorder, RunReplayer } from "../../runtime/actions/index.ts";
import { MAX_RECORDED_DEPTH, TOO_DEEP } from "../../runtime/actions/run-recording.ts";
import { createRedactor } from "../../runtime/host/index.ts";
import type { HostFunctions } from "../../runtime/sandbox/index.ts";

const init: ActionInit = {
  action: "go",
  appAlias: "T",
  workspaceAlias: "DEMO",
  entity: { id: "r1", c_note: "hello" },
  entityOld: null,
  currentUser: { id: "u1", groups: ["sales"] },
  isNew: true,
  vars: {},
};

/** A host table whose `records.query` answers `answer` and counts its calls. */
function hostAnswering(answer: unknown) {
  const counter = { calls: 0 };
  const host = {
    "records.query": async () => {
      counter.calls++;
      return answer;
    },
    "utils.sha256": () => "pure",
  } as unknown as HostFunctions;
  return { host, counter };
}

async function record(arg: unknown, answer: unknown, caps = { maxValueBytes: 100, maxTotalBytes: 150 }) {
  const recorder = new RunRecorder({ redact: createRedactor([]), sensitiveFields: [], caps });
  recorder.init(init);
  const tapped = recorder.host(hostAnswering(answer).host);
  for (let i = 0; i < 3; i++) await tapped["records.query"](arg as never);
  return recorder.finish({
    runId: "run-1",
    workspace: "DEMO",
    app: "T",
    action: "go",
    recordId: "r1",
    bundleHash: "abc",
    values: null,
    outcome: { ok: true, entity: init.entity },
  })!;
}

describe("a recording's size caps", () => {
  it("keeps a value over the cap as its size and hash, and marks the recording truncated past the total", async () => {
    const arg = { filter: "x".repeat(200) };
    const big = await record(arg, [{ id: "a" }]);
    expect(big.calls[0].arg).toEqual({
      "~omitted": {
        bytes: JSON.stringify(arg).length,
        sha256: createHash("sha256").update(JSON.stringify(arg)).digest("hex"),
      },
    });
    expect(big.calls[0].answer).toEqual([{ id: "a" }]);
    expect(big.truncated).toBeUndefined();
    const many = await record({ filter: "small" }, [{ id: "y".repeat(40) }]);
    expect(many.calls[0].answer).toEqual([{ id: "y".repeat(40) }]);
    expect(many.calls[2].answer).toHaveProperty("~omitted");
    expect(many.truncated).toBe(true);
    // Pure helpers are answered locally, not recorded.
    expect(many.calls.map((call) => call.name)).toEqual(["records.query", "records.query", "records.query"]);
  });

  it("matches a replayed call with the same large argument by its hash; an answer not kept needs --live", async () => {
    const arg = { filter: "x".repeat(200) };
    const recording = await record(arg, [{ id: "z".repeat(120) }]);
    const live = hostAnswering(["live"]);
    const strict = new RunReplayer(recording, { live: false, redact: createRedactor([]) });
    await expect(async () => strict.host(live.host)["records.query"](arg as never)).rejects.toMatchObject({
      code: "replay_mismatch",
      message: expect.stringContaining("too large to record"),
    });
    expect(strict.mismatches).toEqual([]);
    const lenient = new RunReplayer(recording, { live: true, redact: createRedactor([]) });
    expect(await lenient.host(live.host)["records.query"](arg as never)).toEqual(["live"]);
    expect(live.counter.calls).toBe(1);
    const other = new RunReplayer(recording, { live: false, redact: createRedactor([]) });
    await expect(async () =>
      other.host(live.host)["records.query"]({ filter: "y".repeat(200) } as never),
    ).rejects.toMatchObject({ code: "replay_mismatch" });
    expect(other.mismatches[0]).toMatchObject({ index: 0, replayed: { name: "records.query" } });
  });
});

describe("a recording of deeply nested values", () => {
  const nested = (depth: number): unknown => {
    let value: unknown = "leaf";
    for (let i = 0; i < depth; i++) value = { next: value };
    return value;
  };

  it("keeps what lies deeper than its depth as a marker instead of overflowing, and replays it", async () => {
    const deep = nested(20_000);
    const recording = await record(
      { where: deep },
      { found: deep },
      { maxValueBytes: 1e9, maxTotalBytes: 1e9 },
    );
    let kept: unknown = recording.calls[0].arg;
    let depth = 0;
    while (typeof kept === "object" && kept !== null) {
      kept = Object.values(kept)[0];
      depth++;
    }
    expect(kept).toBe(TOO_DEEP);
    expect(depth).toBe(MAX_RECORDED_DEPTH);
    // The replayed call with the same deep argument matches the recording.
    const replayer = new RunReplayer(recording, { live: false, redact: createRedactor([]) });
    const { host, counter } = hostAnswering("live");
    const tapped = replayer.host(host);
    await tapped["records.query"]({ where: deep } as never);
    expect(replayer.mismatches).toEqual([]);
    expect(counter.calls).toBe(0);
  });
});
