/**
 * POST /api/hooks/{WS}/{APP}/{action}: inbound webhooks. No API token: the sender proves itself
 * with an HMAC-SHA256 signature over method, path, timestamp and raw body (queue/webhook-signature;
 * the app's settings name the COMIND_SECRET_* that holds the shared secret), a timestamp within
 * 5 minutes and a signature never seen before.
 * Answers 202 with the run id at once; the action runs on the queue and reads ComindServer.request.
 */
import type { FastifyInstance } from "fastify";
import type { RunCaller } from "../../access/index.ts";
import { RuntimeError } from "../../errors.ts";
import { SIGNATURE_HEADER, TOLERANCE_MS, verifyWebhook } from "../../queue/index.ts";
import { appByAlias, checkWorkspace, type ServerContext } from "../context.ts";
import { queueOf } from "../context.ts";

/** Webhook runs act as this system user (like the scheduler): the signature is their proof. */
/** Webhooks run as the system caller `system:webhook` (an admin grants it rights like a group). */
export const WEBHOOK_CALLER: RunCaller = { kind: "system", name: "webhook" };
/** Headers the logic never sees (credentials of whatever sits in front of the server). */
const HIDDEN_HEADERS = new Set(["authorization", "cookie", "proxy-authorization"]);

function visibleHeaders(headers: Record<string, string | string[] | undefined>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined || HIDDEN_HEADERS.has(name)) continue;
    out[name] = Array.isArray(value) ? value.join(", ") : value;
  }
  return out;
}

export async function registerHookRoutes(server: FastifyInstance, ctx: ServerContext): Promise<void> {
  await server.register(async (hooks) => {
    // The signature covers the exact bytes sent: keep the body raw, whatever its content type.
    hooks.removeAllContentTypeParsers();
    hooks.addContentTypeParser("*", { parseAs: "buffer" }, (_request, body, done) => done(null, body));
    hooks.post<{ Params: { ws: string; app: string; action: string } }>(
      "/api/hooks/:ws/:app/:action",
      { schema: { tags: ["webhooks"] }, config: { access: "signature" } },
      async (request, reply) => {
        checkWorkspace(ctx, request.params.ws);
        const app = appByAlias(ctx, request.params.app);
        const hook = app.queue.webhooks.find((entry) => entry.action === request.params.action);
        if (!hook)
          throw new RuntimeError(
            "not_found",
            `App ${app.alias} has no webhook for action "${request.params.action.slice(0, 64)}" (settings/index.ts webhooks).`,
          );
        const secret = ctx.runtime.config.secretSource[hook.secret];
        if (typeof secret !== "string" || secret === "")
          throw new RuntimeError(
            "queue_unavailable",
            `The webhook's secret ${hook.secret} is not set on this server.`,
          );
        const body = Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0);
        // The path as received (request.url: path and query string), so a delivery signed for
        // another app or action sharing the secret does not verify here.
        verifyWebhook(secret, { method: request.method, path: request.url, headers: request.headers, body });
        const delivery = `${app.alias}:${hook.action}:${String(request.headers[SIGNATURE_HEADER])}`;
        if (!(await queueOf(ctx).rememberDelivery(delivery, 2 * TOLERANCE_MS)))
          throw new RuntimeError(
            "conflict",
            "This webhook delivery was received before (same signature); it is not run twice.",
          );
        const { runId } = await ctx.runtime
          .enqueue({
            app: app.alias,
            action: hook.action,
            caller: WEBHOOK_CALLER,
            source: "webhook",
            request: {
              headers: visibleHeaders(request.headers),
              body: body.toString("utf8"),
              receivedAt: new Date().toISOString(),
            },
          })
          .catch(async (error) => {
            // Refused (a quota, no grant): the sender may retry the same delivery; it ran nowhere.
            await queueOf(ctx).forgetDelivery(delivery);
            throw error;
          });
        reply.code(202);
        return { queued: true, runId };
      },
    );
  });
}
