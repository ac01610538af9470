/** Tracing on for one piece of test work, with the finished spans kept in memory. */
import { context } from "@opentelemetry/api";
import { AsyncLocalStorageContextManager } from "@opentelemetry/context-async-hooks";
import { InMemorySpanExporter, SimpleSpanProcessor, TracerProvider } from "@opentelemetry/sdk-trace";
import { useTracer } from "../../runtime/tracing.ts";

export async function withSpans<T>(work: (exporter: InMemorySpanExporter) => Promise<T>): Promise<T> {
  const exporter = new InMemorySpanExporter();
  const provider = new TracerProvider({ spanProcessors: [new SimpleSpanProcessor({ exporter })] });
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  useTracer(provider.getTracer("test"));
  try {
    return await work(exporter);
  } finally {
    useTracer(null);
    await provider.shutdown();
    context.disable();
  }
}
