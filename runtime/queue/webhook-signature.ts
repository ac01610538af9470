/**
 * Webhook signatures (scheme v1): HMAC-SHA256, with the app's shared secret, over
 *
 *     v1:<timestamp>:<METHOD>:<path>:<raw body>
 *
 * where `<timestamp>` is Unix seconds (as sent in `X-Comind-Timestamp`), `<METHOD>` is the
 * upper-case HTTP method, `<path>` is the request target exactly as the server receives it (path
 * and query string, e.g. `/api/hooks/DEMO/ORDERS/paid?x=1`), and the body is the raw bytes. Sent as
 * `X-Comind-Signature: v1=<lower-case hex>`. Binding method and path means a delivery signed for
 * one app or action cannot be replayed to another that shares the secret; the timestamp must be
 * within 5 minutes (replays within that window are caught by the delivery log,
 * Queue.rememberDelivery). Compared in constant time. docs/jobs.md, "Webhooks", has a worked
 * example (and test/queue/webhook-signature.test.ts pins it as a fixed vector).
 *
 * @example
 *   const ts = Math.floor(Date.now() / 1000);
 *   const path = "/api/hooks/DEMO/ORDERS/paid";
 *   fetch(base + path, { method: "POST", body, headers: { "x-comind-timestamp": String(ts),
 *     "x-comind-signature": signWebhook(secret, { timestamp: ts, method: "POST", path, body }) } });
 */
import { createHmac, timingSafeEqual } from "node:crypto";
import { RuntimeError } from "../errors.ts";

export const SIGNATURE_HEADER = "x-comind-signature";
export const TIMESTAMP_HEADER = "x-comind-timestamp";
export const TOLERANCE_MS = 5 * 60 * 1000;
const SCHEME = "v1";

export interface WebhookDelivery {
  timestamp: number | string;
  method: string;
  /** Path and query string as the server receives them. */
  path: string;
  body: Buffer | string;
}

/** The `X-Comind-Signature` value for a delivery: `v1=<hex>`. */
export function signWebhook(secret: string, delivery: WebhookDelivery): string {
  const mac = createHmac("sha256", secret)
    .update(`${SCHEME}:${delivery.timestamp}:${delivery.method.toUpperCase()}:${delivery.path}:`)
    .update(delivery.body)
    .digest("hex");
  return `${SCHEME}=${mac}`;
}

function refuse(message: string): RuntimeError {
  return new RuntimeError("unauthorized", message);
}

/** Throws `unauthorized` unless the signature (over method, path, timestamp, body) and timestamp are right. */
export function verifyWebhook(
  secret: string,
  request: {
    method: string;
    path: string;
    headers: Record<string, string | string[] | undefined>;
    body: Buffer;
  },
  now = Date.now(),
): void {
  const timestamp = request.headers[TIMESTAMP_HEADER];
  const signature = request.headers[SIGNATURE_HEADER];
  if (typeof timestamp !== "string" || typeof signature !== "string")
    throw refuse(
      `Send the ${TIMESTAMP_HEADER} and ${SIGNATURE_HEADER} headers (HMAC-SHA256, see docs/jobs.md, "Webhooks").`,
    );
  if (!/^\d{1,12}$/.test(timestamp) || Math.abs(now - Number(timestamp) * 1000) > TOLERANCE_MS)
    throw refuse(`${TIMESTAMP_HEADER} must be the current time in Unix seconds (5 minutes tolerance).`);
  if (!signature.startsWith(`${SCHEME}=`))
    throw refuse(
      `${SIGNATURE_HEADER} must be "${SCHEME}=<hex HMAC-SHA256 of v1:<timestamp>:<METHOD>:<path>:<body>>" (the older body-only "sha256=" signature is no longer accepted).`,
    );
  const expected = Buffer.from(signWebhook(secret, { ...request, timestamp }));
  const given = Buffer.from(signature);
  if (given.length !== expected.length || !timingSafeEqual(given, expected))
    throw refuse(
      "The webhook signature does not match this delivery (method, path, timestamp and body); check the shared secret and the signed path.",
    );
}
