/**
 * Webhook signatures (scheme v1) against FIXED vectors computed outside this code, with
 *   printf 'v1:1700000000:POST:/api/hooks/DEMO/ORDERS/on_paid:{"id":42}' | openssl dgst -sha256 -hmac 'whsec_test_123'
 * (docs/jobs.md, "Webhooks", shows the same example), so a signer that leaves a part out
 * fails here even though it would still agree with its own verifier.
 */
import { describe, expect, it } from "vitest";
import { signWebhook, verifyWebhook } from "../../runtime/queue/index.ts";

const SECRET = "whsec_test_123";
const TIMESTAMP = 1_700_000_000;
const NOW = TIMESTAMP * 1000 + 30_000;
const BODY = '{"id":42}';
const PATH_A = "/api/hooks/DEMO/ORDERS/on_paid";
/** openssl over `v1:1700000000:POST:/api/hooks/DEMO/ORDERS/on_paid:{"id":42}`. */
const SIGNED_A = "v1=e7e8b988c876e4ca0c1d53f966dbf20fdc78a8eea96171acc99a8ae60ce62def";
/** openssl over the same delivery for another app's path (`.../INVOICES/on_paid`). */
const SIGNED_B = "v1=40bcfa107f74d777b720deb548a8f5adf2af3f33fcd5422d8fc6a5647cb544cf";
/** openssl over the old body-only string `1700000000.{"id":42}`. */
const OLD_BODY_ONLY = "sha256=fed9ed722af94ecf6a6487c2d450386269fd726e2bc456020c80bcb586ab2f2c";

const headers = (signature: string, timestamp = TIMESTAMP) => ({
  "x-comind-timestamp": String(timestamp),
  "x-comind-signature": signature,
});
const verify = (
  signature: string,
  overrides: { method?: string; path?: string; body?: string; timestamp?: number; now?: number } = {},
) =>
  verifyWebhook(
    SECRET,
    {
      method: overrides.method ?? "POST",
      path: overrides.path ?? PATH_A,
      headers: headers(signature, overrides.timestamp),
      body: Buffer.from(overrides.body ?? BODY),
    },
    overrides.now ?? NOW,
  );

describe("webhook signatures (v1: method, path, timestamp, body)", () => {
  it("signs the fixed vectors", () => {
    expect(signWebhook(SECRET, { timestamp: TIMESTAMP, method: "POST", path: PATH_A, body: BODY })).toBe(
      SIGNED_A,
    );
    expect(
      signWebhook(SECRET, {
        timestamp: String(TIMESTAMP),
        method: "post",
        path: "/api/hooks/DEMO/INVOICES/on_paid",
        body: Buffer.from(BODY),
      }),
    ).toBe(SIGNED_B);
  });

  it("verifies the fixed vector", () => {
    expect(() => verify(SIGNED_A)).not.toThrow();
    expect(() => verify(SIGNED_B, { path: "/api/hooks/DEMO/INVOICES/on_paid" })).not.toThrow();
  });

  it.each([
    ["another app's path, same secret", SIGNED_A, { path: "/api/hooks/DEMO/INVOICES/on_paid" }],
    ["another action's path", SIGNED_A, { path: "/api/hooks/DEMO/ORDERS/on_refund" }],
    ["a query string added", SIGNED_A, { path: `${PATH_A}?again=1` }],
    ["a signature for another path", SIGNED_B, {}],
    ["another method", SIGNED_A, { method: "PUT" }],
    ["another body", SIGNED_A, { body: '{"id":43}' }],
    ["another timestamp (within tolerance)", SIGNED_A, { timestamp: TIMESTAMP + 1 }],
    ["the old body-only signature", OLD_BODY_ONLY, {}],
    ["the old body-only hex under the new scheme name", OLD_BODY_ONLY.replace("sha256=", "v1="), {}],
  ])("refuses %s", (_name, signature, overrides) => {
    expect(() => verify(signature, overrides)).toThrow(expect.objectContaining({ code: "unauthorized" }));
  });

  it("refuses a right signature whose timestamp is outside the 5 minutes", () => {
    expect(() => verify(SIGNED_A, { now: TIMESTAMP * 1000 + 5 * 60_000 + 1 })).toThrow(/5 minutes/);
    expect(() => verify(SIGNED_A, { now: TIMESTAMP * 1000 - 5 * 60_000 - 1 })).toThrow(/5 minutes/);
    expect(() => verify(SIGNED_A, { now: TIMESTAMP * 1000 + 5 * 60_000 })).not.toThrow();
  });
});
