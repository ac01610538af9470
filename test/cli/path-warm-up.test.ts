import { afterAll, describe, expect, it } from "vitest";
import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { warmRequestPath } from "../../runtime/cli/path-warm-up.ts";
import { tracer } from "../../runtime/tracing.ts";
import { withSpans } from "../helpers/spans.ts";

const root = mkdtempSync(join(tmpdir(), "comind-warm-up-test-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe("serve's warm-up of its request path", () => {
  it("runs the built-in app's actions on a store of its own and leaves nothing behind", async () => {
    const problems: unknown[] = [];
    const warmedUp = await warmRequestPath({
      workspace: "DEMO",
      actions: 3,
      tmpRoot: root,
      onProblem: (error) => problems.push(error),
    });
    expect(problems).toEqual([]);
    expect(warmedUp).toMatchObject({ actions: 3 });
    expect(warmedUp!.ms).toBeGreaterThan(0);
    // Its store, app and files lived in one temporary folder, which is gone.
    expect(readdirSync(root)).toEqual([]);
  });

  it("exports no span of its requests while the process traces, and other spans still are", async () => {
    await withSpans(async (exporter) => {
      expect(await warmRequestPath({ workspace: "DEMO", actions: 2, tmpRoot: root })).not.toBeNull();
      tracer()?.startSpan("outside the warm-up").end();
      expect(exporter.getFinishedSpans().map((span) => span.name)).toEqual(["outside the warm-up"]);
    });
  });

  it("gives up with the reason, never throwing, when it cannot run", async () => {
    const problems: unknown[] = [];
    const warmedUp = await warmRequestPath({
      workspace: "DEMO",
      tmpRoot: join(root, "missing", "folder"),
      onProblem: (error) => problems.push(error),
    });
    expect(warmedUp).toBeNull();
    expect(problems).toHaveLength(1);
    expect(String(problems[0])).toContain("ENOENT");
  });
});
