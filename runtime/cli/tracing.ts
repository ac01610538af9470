/**
 * OpenTelemetry traces of `serve` / `dev`, off unless an OTLP endpoint is configured: the SDK's
 * tracer provider with a batch span processor and the OTLP/HTTP (JSON) exporter, handed to
 * runtime/tracing.ts. The endpoint follows the OpenTelemetry conventions:
 * `--otel-endpoint <url>` (a base URL, like OTEL_EXPORTER_OTLP_ENDPOINT), else
 * OTEL_EXPORTER_OTLP_TRACES_ENDPOINT (used as it is), else OTEL_EXPORTER_OTLP_ENDPOINT (+ /v1/traces);
 * OTEL_SDK_DISABLED=true or OTEL_TRACES_EXPORTER=none turns it off. The service is named by
 * OTEL_SERVICE_NAME (default `comind-runtime`); OTEL_RESOURCE_ATTRIBUTES and
 * OTEL_EXPORTER_OTLP_HEADERS are read too (the exporter reads the headers itself).
 *
 * @example
 *   const tracing = startTracing(flags.otelEndpoint); // null when off
 *   ...; await tracing?.shutdown(); // exports the spans still in the batch
 */
import { context, trace } from "@opentelemetry/api";
import { AsyncLocalStorageContextManager } from "@opentelemetry/context-async-hooks";
import { OTLPTraceExporter } from "@opentelemetry/exporter-trace-otlp-http";
import { detectResources, envDetector, resourceFromAttributes } from "@opentelemetry/resources";
import { BatchSpanProcessor, TracerProvider } from "@opentelemetry/sdk-trace";
import { ATTR_SERVICE_NAME, ATTR_SERVICE_VERSION } from "@opentelemetry/semantic-conventions";
import { useTracer } from "../tracing.ts";
import { VERSION } from "../version.ts";
import { UsageError } from "./output.ts";

export const DEFAULT_SERVICE_NAME = "comind-runtime";

/** Variables read here (for --help and the docs). */
export const TRACING_ENV: Record<string, string> = {
  OTEL_EXPORTER_OTLP_ENDPOINT: "OTLP/HTTP collector base URL: traces on, sent to <url>/v1/traces",
  OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: "OTLP/HTTP traces URL, used as it is (wins over the base URL)",
  OTEL_SERVICE_NAME: `service.name of the traces (default ${DEFAULT_SERVICE_NAME})`,
};

const SIGNAL_PATH = "/v1/traces";
/** How long a stop waits for the last batch to be exported. */
const SHUTDOWN_EXPORT_MS = 5_000;

function httpUrl(text: string, name: string): URL {
  let url: URL;
  try {
    url = new URL(text.trim());
  } catch {
    url = new URL("invalid:");
  }
  // Never the value in the message: a collector URL may carry credentials.
  if (url.protocol !== "http:" && url.protocol !== "https:")
    throw new UsageError(`${name} must be an http:// or https:// URL of an OTLP/HTTP collector.`);
  return url;
}

/** A base URL plus /v1/traces (unless it already ends so). */
function withSignalPath(url: URL): string {
  if (url.pathname.endsWith(SIGNAL_PATH)) return url.href;
  url.pathname = `${url.pathname.replace(/\/+$/, "")}${SIGNAL_PATH}`;
  return url.href;
}

/** Where traces go, or undefined when tracing is off. */
export function tracesUrl(
  flag: string | undefined,
  env: NodeJS.ProcessEnv = process.env,
): string | undefined {
  if (flag) return withSignalPath(httpUrl(flag, "--otel-endpoint"));
  if (env.OTEL_SDK_DISABLED?.trim().toLowerCase() === "true") return undefined;
  if (env.OTEL_TRACES_EXPORTER?.trim().toLowerCase() === "none") return undefined;
  const signal = env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT?.trim();
  if (signal) return httpUrl(signal, "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT").href;
  const base = env.OTEL_EXPORTER_OTLP_ENDPOINT?.trim();
  if (base) return withSignalPath(httpUrl(base, "OTEL_EXPORTER_OTLP_ENDPOINT"));
  return undefined;
}

/** OTEL_BSP_* (the batch processor's standard variables); a bad value is refused, not ignored. */
function batchOptions(env: NodeJS.ProcessEnv) {
  const read = (name: string, min: number): number | undefined => {
    const text = env[name]?.trim();
    if (!text) return undefined;
    const value = Number(text);
    if (!Number.isInteger(value) || value < min)
      throw new UsageError(
        `${name} must be a whole number of at least ${min}, got ${JSON.stringify(text.slice(0, 20))}.`,
      );
    return value;
  };
  return {
    scheduledDelayMillis: read("OTEL_BSP_SCHEDULE_DELAY", 0),
    exportTimeoutMillis: read("OTEL_BSP_EXPORT_TIMEOUT", 1),
    maxQueueSize: read("OTEL_BSP_MAX_QUEUE_SIZE", 1),
    maxExportBatchSize: read("OTEL_BSP_MAX_EXPORT_BATCH_SIZE", 1),
  };
}

export interface Tracing {
  /** Where the spans go (for the start line): the collector's host only, never credentials or a path. */
  host: string;
  /** Stops tracing and exports the spans still waiting in the batch. */
  shutdown(): Promise<void>;
}

/** Starts tracing when an endpoint is configured; null (and nothing started) otherwise. */
export function startTracing(flag: string | undefined, env: NodeJS.ProcessEnv = process.env): Tracing | null {
  const url = tracesUrl(flag, env);
  if (!url) return null;
  const resource = resourceFromAttributes({
    [ATTR_SERVICE_NAME]: DEFAULT_SERVICE_NAME,
    [ATTR_SERVICE_VERSION]: VERSION,
  }).merge(detectResources({ detectors: [envDetector] }));
  const provider = new TracerProvider({
    resource,
    spanProcessors: [
      new BatchSpanProcessor({ exporter: new OTLPTraceExporter({ url }), ...batchOptions(env) }),
    ],
  });
  // Spans follow the async work of a request or run (the API's default context manager keeps none).
  const contextManager = new AsyncLocalStorageContextManager().enable();
  context.setGlobalContextManager(contextManager);
  trace.setGlobalTracerProvider(provider);
  useTracer(provider.getTracer(DEFAULT_SERVICE_NAME, VERSION));
  let stopped: Promise<void> | undefined;
  return {
    host: new URL(url).host,
    shutdown: () =>
      (stopped ??= (async () => {
        useTracer(null);
        // What the collector takes within a few seconds: an unreachable one must not hold up the stop.
        let timer: NodeJS.Timeout | undefined;
        await Promise.race([
          provider.shutdown().catch(() => undefined),
          new Promise<void>((resolve) => {
            timer = setTimeout(resolve, SHUTDOWN_EXPORT_MS);
          }),
        ]);
        clearTimeout(timer);
        trace.disable();
        context.disable();
      })()),
  };
}
