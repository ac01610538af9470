/**
 * The async host calls of one action, bound to the run they serve. The calls arrive from the
 * sandbox — in-process through the bridge, or from a worker process over IPC (sandbox/worker),
 * where the async context is the IPC message's, not the action's — so the run and the span that
 * was active when the table was built are restored around each call: log lines written during a
 * host call carry the run id, and with tracing on each call is a span `host <call>` (e.g.
 * `host records.get`), a child of the action span or of the host call that fired a nested
 * transition. HTTP calls get no span here: the HTTP client makes one per request, with its host.
 */
import { context } from "@opentelemetry/api";
import type { AsyncCallName } from "../../globals/bridge-contract.ts";
import { currentRunId, inRun } from "../run-context.ts";
import { ASYNC_CALLS, type HostFunctions } from "../sandbox/index.ts";
import { ATTR, inSpan, tracer } from "../tracing.ts";

type AsyncCall = (arg: unknown) => Promise<unknown>;

export function bindHostCalls(host: HostFunctions): HostFunctions {
  const runId = currentRunId();
  const t = tracer();
  if (!runId && !t) return host;
  const parent = context.active();
  const bound: Record<string, unknown> = { ...host };
  for (const name of Object.keys(ASYNC_CALLS) as AsyncCallName[]) {
    const call = host[name] as AsyncCall;
    const inScope: AsyncCall = runId ? (arg) => inRun(runId, () => call(arg)) : call;
    bound[name] =
      !t || name.startsWith("http.")
        ? t
          ? (arg: unknown) => context.with(parent, () => inScope(arg))
          : inScope
        : (arg: unknown) =>
            inSpan(
              t,
              `host ${name}`,
              {
                attributes: runId
                  ? { [ATTR.hostCall]: name, [ATTR.runId]: runId }
                  : { [ATTR.hostCall]: name },
              },
              () => inScope(arg),
              parent,
            );
  }
  return bound as HostFunctions;
}
