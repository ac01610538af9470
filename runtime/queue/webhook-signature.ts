/**
 * Webhook signatures: HMAC-SHA256 over `<timestamp>.<raw body>` with the app's secret, sent as
 * `X-Comind-Signature: sha256=<hex>` with `X-Comind-Timestamp: <unix seconds>`. Compared in
 * constant time; a timestamp more than 5 minutes away is refused (replays are caught by the
 * delivery log, see Queue.rememberDelivery).
 *
 * @example
 *   const ts = Math.floor(Date.now() / 1000);
 *   fetch(url, { method: "POST", body, headers: { "x-comind-timestamp": String(ts), "x-comind-signature": signWebhook(secret, ts, body) } });
 */
import { createHmac, timingSafeEqual } from "node:crypto";
import { RuntimeError } from "../errors.ts";

export const SIGNATURE_HEADER = "x-comind-signature";
export const TIMESTAMP_HEADER = "x-comind-timestamp";
export const TOLERANCE_MS = 5 * 60 * 1000;

export function signWebhook(secret: string, timestamp: number | string, body: Buffer | string): string {
  const mac = createHmac("sha256", secret).update(`${timestamp}.`).update(body).digest("hex");
  return `sha256=${mac}`;
}

function refuse(message: string): RuntimeError {
  return new RuntimeError("unauthorized", message);
}

/** Throws `unauthorized` unless the signature and timestamp are right. */
export function verifyWebhook(
  secret: string,
  headers: Record<string, string | string[] | undefined>,
  body: Buffer,
  now = Date.now(),
): void {
  const timestamp = headers[TIMESTAMP_HEADER];
  const signature = headers[SIGNATURE_HEADER];
  if (typeof timestamp !== "string" || typeof signature !== "string")
    throw refuse(
      `Send the ${TIMESTAMP_HEADER} and ${SIGNATURE_HEADER} headers (HMAC-SHA256, see the README).`,
    );
  if (!/^\d{1,12}$/.test(timestamp) || Math.abs(now - Number(timestamp) * 1000) > TOLERANCE_MS)
    throw refuse(`${TIMESTAMP_HEADER} must be the current time in Unix seconds (5 minutes tolerance).`);
  const expected = Buffer.from(signWebhook(secret, timestamp, body));
  const given = Buffer.from(signature);
  if (given.length !== expected.length || !timingSafeEqual(given, expected))
    throw refuse("The webhook signature does not match the body; check the shared secret.");
}
