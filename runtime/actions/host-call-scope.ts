/**
 * With tracing on, the async host calls of one action bound to the run they serve. The calls
 * arrive from the sandbox — in-process through the bridge, or from a worker process over IPC
 * (sandbox/worker), where the async context is the IPC message's, not the action's — so the run
 * and the span that was active when the table was built are restored around each call: each call
 * is a span `host <call>` (e.g. `host records.get`), a child of the action span or of the host call
 * that fired a nested transition, and log lines written during it carry the run id. HTTP calls get
 * no span here: the HTTP client makes one per request, with its host. Tracing off: the table as it
 * is (nothing per call, nothing per action).
 */
import { context } from "@opentelemetry/api";
import type { AsyncCallName } from "../../globals/bridge-contract.ts";
import { currentRunId, inRun } from "../run-context.ts";
import { ASYNC_CALLS, type HostFunctions } from "../sandbox/index.ts";
import { ATTR, inSpan, tracer } from "../tracing.ts";

type AsyncCall = (arg: unknown) => Promise<unknown>;

export function traceHostCalls(host: HostFunctions): HostFunctions {
  const t = tracer();
  if (!t) return host;
  const runId = currentRunId();
  const parent = context.active();
  const attributes = (name: string) =>
    runId ? { [ATTR.hostCall]: name, [ATTR.runId]: runId } : { [ATTR.hostCall]: name };
  const bound: Record<string, unknown> = { ...host };
  for (const name of Object.keys(ASYNC_CALLS) as AsyncCallName[]) {
    const call = host[name] as AsyncCall;
    const inScope: AsyncCall = runId ? (arg) => inRun(runId, () => call(arg)) : call;
    bound[name] = name.startsWith("http.")
      ? (arg: unknown) => context.with(parent, () => inScope(arg))
      : (arg: unknown) =>
          inSpan(t, `host ${name}`, { attributes: attributes(name) }, () => inScope(arg), parent);
  }
  return bound as HostFunctions;
}
