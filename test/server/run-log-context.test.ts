/**
 * The server log's lines written during a run carry its `runId`, and with tracing on the trace and
 * span they were written in; the W3C traceparent parser and the endpoint conventions of `serve`.
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { tracesUrl } from "../../runtime/cli/tracing.ts";
import { createServerLog } from "../../runtime/server/index.ts";
import { parseTraceparent } from "../../runtime/tracing.ts";
import { startRuntime } from "../helpers/runtime.ts";
import { withSpans } from "../helpers/spans.ts";
import { removeTempApps, writeTempApp } from "../helpers/temp-app.ts";

const dir = mkdtempSync(join(tmpdir(), "comind-run-log-"));
afterAll(() => {
  removeTempApps();
  rmSync(dir, { recursive: true, force: true });
});

const caller = { kind: "developer", user: { id: "dev", isAdmin: true } } as const;

// An action whose e-mail is only logged (no SMTP, no queue): a server log line written inside the run.
const app = writeTempApp(
  {
    "actions/logic/index.ts": `import { entity } from "#typings";
export default {
  go() { entity.c_text = "went"; },
  __sendNotifications: () => ({ to: "a@example.com", subject: "hello" }),
};
`,
  },
  { alias: "LOGGED" },
);

/** Runs the action once with a server log in a file; its lines. */
async function runLogged(name: string) {
  const path = join(dir, `${name}.log`);
  const log = createServerLog("info", path);
  await new Promise((resolve) => setTimeout(resolve, 50)); // the file is opened asynchronously
  const test = await startRuntime({
    notifications: { log: (level, message, details) => log.logger[level](details, message) },
  });
  try {
    await test.runtime.loadApp(app);
    const result = await test.runtime.run({ app: "LOGGED", action: "go", caller });
    expect(result.ok).toBe(true);
    log.logger.info("after the run");
    log.flush();
    const lines = readFileSync(path, "utf8")
      .split("\n")
      .filter(Boolean)
      .map((line) => JSON.parse(line));
    return { runId: result.runId, lines };
  } finally {
    await test.close();
  }
}

describe("the run id on the server log", () => {
  it("is on every line written during the run, and only there", async () => {
    const { runId, lines } = await runLogged("off");
    const during = lines.find((line) => line.msg === "notification not sent: no SMTP_URL configured");
    expect(during).toMatchObject({ runId });
    expect(during.traceId).toBeUndefined(); // tracing is off
    expect(lines.find((line) => line.msg === "after the run").runId).toBeUndefined();
  });

  it("with tracing on, also the trace and span the line was written in", async () => {
    await withSpans(async (exporter) => {
      const { runId, lines } = await runLogged("on");
      const during = lines.find((line) => line.msg === "notification not sent: no SMTP_URL configured");
      const action = exporter.getFinishedSpans().find((span) => span.name === "action LOGGED.go")!;
      expect(action.attributes["comind.run.id"]).toBe(runId);
      expect(during).toMatchObject({
        runId,
        traceId: action.spanContext().traceId,
        spanId: action.spanContext().spanId,
      });
      // In-process isolates too: the store spans are the action's children.
      const commit = exporter.getFinishedSpans().find((span) => span.name === "store commit")!;
      expect(commit.parentSpanContext?.spanId).toBe(action.spanContext().spanId);
    });
  });
});

describe("traceparent (W3C Trace Context)", () => {
  const TRACE = "0af7651916cd43dd8448eb211c80319c";
  const SPAN = "b7ad6b7169203331";

  it("accepts a well-formed header and keeps the sampled flag", () => {
    expect(parseTraceparent(`00-${TRACE}-${SPAN}-01`)).toMatchObject({
      traceId: TRACE,
      spanId: SPAN,
      traceFlags: 1,
      isRemote: true,
    });
    // A later version may add fields.
    expect(parseTraceparent(`01-${TRACE}-${SPAN}-00-more`)).toMatchObject({ traceFlags: 0 });
  });

  it.each([
    ["version ff", `ff-${TRACE}-${SPAN}-01`],
    ["extra fields in version 00", `00-${TRACE}-${SPAN}-01-x`],
    ["an all-zero trace id", `00-${"0".repeat(32)}-${SPAN}-01`],
    ["an all-zero span id", `00-${TRACE}-${"0".repeat(16)}-01`],
    ["upper-case hex", `00-${TRACE.toUpperCase()}-${SPAN}-01`],
    ["a short trace id", `00-${TRACE.slice(1)}-${SPAN}-01`],
    ["not a string", ["00", TRACE]],
  ])("refuses %s (a new trace starts instead)", (_name, header) => {
    expect(parseTraceparent(header)).toBeUndefined();
  });
});

describe("where traces go (OpenTelemetry's conventions)", () => {
  it("is off with nothing configured", () => {
    expect(tracesUrl(undefined, {})).toBeUndefined();
  });

  it("appends /v1/traces to a base URL (flag or OTEL_EXPORTER_OTLP_ENDPOINT), not to the traces URL", () => {
    expect(tracesUrl("http://127.0.0.1:4318", {})).toBe("http://127.0.0.1:4318/v1/traces");
    expect(tracesUrl(undefined, { OTEL_EXPORTER_OTLP_ENDPOINT: "http://c:4318/otlp/" })).toBe(
      "http://c:4318/otlp/v1/traces",
    );
    expect(tracesUrl(undefined, { OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: "http://c:4318/custom" })).toBe(
      "http://c:4318/custom",
    );
  });

  it("takes the flag first, then the traces variable, then the base variable", () => {
    const env = {
      OTEL_EXPORTER_OTLP_ENDPOINT: "http://base:4318",
      OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: "http://traces:4318/v1/traces",
    };
    expect(tracesUrl("http://flag:4318", env)).toBe("http://flag:4318/v1/traces");
    expect(tracesUrl(undefined, env)).toBe("http://traces:4318/v1/traces");
  });

  it("is off with OTEL_SDK_DISABLED=true or OTEL_TRACES_EXPORTER=none", () => {
    expect(
      tracesUrl(undefined, { OTEL_EXPORTER_OTLP_ENDPOINT: "http://c", OTEL_SDK_DISABLED: "true" }),
    ).toBeUndefined();
    expect(
      tracesUrl(undefined, { OTEL_EXPORTER_OTLP_ENDPOINT: "http://c", OTEL_TRACES_EXPORTER: "none" }),
    ).toBeUndefined();
  });

  it("refuses a URL that is not http(s) without echoing it (it may hold credentials)", () => {
    expect(() => tracesUrl("ftp://user:pw@c", {})).toThrow(/--otel-endpoint must be an http/);
    expect(() => tracesUrl("ftp://user:pw@c", {})).not.toThrow(/pw/);
  });
});
