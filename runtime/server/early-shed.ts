/**
 * Sheds load at the door: a request to a route that runs an action (`config: { runsActions }`)
 * is answered `503 overloaded` with Retry-After before its body is read or its credential
 * checked, while every running and waiting place of admission (runs/admission.ts) is taken.
 * Under a flood the event loop is the bottleneck; a refusal that first parsed, authenticated
 * and validated the request cost nearly as much as running it, so refusals crowded out the
 * admitted work and the server took seconds to recover (docs/performance.md, "the admission
 * knee"). Admission itself still decides for the requests that pass: this is only its fast path.
 * Queuing (`?async=true`) needs no place and is never shed here.
 */
import type { FastifyInstance } from "fastify";
import type { ActionRuntime } from "../runs/index.ts";

declare module "fastify" {
  interface FastifyContextConfig {
    /** The route runs actions on request: shed at the door while admission is full (early-shed.ts). */
    runsActions?: boolean;
  }
}

export function installEarlyShed(server: FastifyInstance, runtime: ActionRuntime): void {
  server.addHook("onRequest", async (request) => {
    if (!request.routeOptions.config?.runsActions) return;
    if ((request.query as { async?: string } | undefined)?.async === "true") return;
    const refusal = runtime.refuseIfFull();
    if (refusal) throw refusal;
  });
}
