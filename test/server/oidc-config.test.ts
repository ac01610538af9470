/**
 * OIDC is configuration, not convention (issue 22): an issuer needs an audience unless the admin
 * explicitly skips the check, and which claim makes an admin (or lists groups) is configured; by
 * default no claim makes an admin. Tokens come from a local JWKS served on 127.0.0.1.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { oidcFromEnv } from "../../runtime/cli/oidc-env.ts";
import { createAuthenticator, type OidcConfig } from "../../runtime/server/auth.ts";
import { openStore, type Store } from "../../runtime/store/index.ts";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runCli } from "../helpers/cli.ts";
import { ISSUER, startIssuer, type TestIssuer } from "../helpers/oidc-issuer.ts";

const AUDIENCE = "comind-runtime-test";
let jwks: TestIssuer;
let store: Store;
let dataDir: string;

beforeAll(async () => {
  jwks = await startIssuer();
  dataDir = mkdtempSync(join(tmpdir(), "comind-oidc-"));
  store = await openStore({ dataDir });
});
afterAll(async () => {
  await jwks?.close();
  await store?.close();
  rmSync(dataDir, { recursive: true, force: true });
});

const token = (claims: Record<string, unknown>, audience?: string) =>
  jwks.sign(claims, (jwt) => {
    jwt.setSubject("sam").setIssuedAt().setExpirationTime("5m");
    return audience ? jwt.setAudience(audience) : jwt;
  });
const authenticator = (config: Partial<OidcConfig>) =>
  createAuthenticator(store, { issuer: ISSUER, jwksUrl: jwks.jwksUrl, ...config });

describe("the audience", () => {
  it("is required: an authenticator with an issuer but no audience is refused", () => {
    expect(() => authenticator({})).toThrow(/OIDC_AUDIENCE/);
    expect(() => authenticator({ audience: AUDIENCE, skipAudience: true })).toThrow(/not both/);
  });

  it("is checked: a token for another audience, or for none, is refused", async () => {
    const authenticate = authenticator({ audience: AUDIENCE });
    expect(await authenticate(`Bearer ${await token({}, AUDIENCE)}`)).toMatchObject({ id: "sam" });
    for (const other of [await token({}, "another-service"), await token({})])
      await expect(authenticate(`Bearer ${other}`)).rejects.toMatchObject({ code: "unauthorized" });
  });

  it("is not checked only when explicitly skipped", async () => {
    const authenticate = authenticator({ skipAudience: true });
    expect(await authenticate(`Bearer ${await token({}, "another-service")}`)).toMatchObject({ id: "sam" });
    expect(await authenticate(`Bearer ${await token({})}`)).toMatchObject({ id: "sam" });
  });
});

describe("admin and groups claims", () => {
  it("makes no one an admin by default, whatever roles the token claims", async () => {
    const authenticate = authenticator({ audience: AUDIENCE });
    const user = await authenticate(`Bearer ${await token({ roles: ["admin"], admin: true }, AUDIENCE)}`);
    expect(user.isAdmin).toBe(false);
  });

  it("makes an admin from the configured claim path and value only", async () => {
    const authenticate = authenticator({
      audience: AUDIENCE,
      adminClaim: { claim: "realm_access.roles", value: "runtime-admin" },
    });
    const as = async (claims: Record<string, unknown>) =>
      (await authenticate(`Bearer ${await token(claims, AUDIENCE)}`)).isAdmin;
    expect(await as({ realm_access: { roles: ["user", "runtime-admin"] } })).toBe(true);
    expect(await as({ realm_access: { roles: "runtime-admin" } })).toBe(true);
    expect(await as({ realm_access: { roles: ["user"] } })).toBe(false);
    expect(await as({ roles: ["runtime-admin", "admin"] })).toBe(false);
    expect(await as({ realm_access: {} })).toBe(false);
  });

  it("reads groups from the configured claim (default groups)", async () => {
    const byDefault = authenticator({ audience: AUDIENCE });
    const claims = { groups: ["support"], "cognito:groups": ["sales"] };
    expect((await byDefault(`Bearer ${await token(claims, AUDIENCE)}`)).groups).toEqual(["support"]);
    const configured = authenticator({ audience: AUDIENCE, groupsClaim: "cognito:groups" });
    expect((await configured(`Bearer ${await token(claims, AUDIENCE)}`)).groups).toEqual(["sales"]);
  });
});

describe("serve's OIDC environment", () => {
  it("reads the audience switch and the claim settings", () => {
    expect(oidcFromEnv({})).toBeUndefined();
    expect(
      oidcFromEnv({
        OIDC_ISSUER: ISSUER,
        OIDC_AUDIENCE: AUDIENCE,
        OIDC_ADMIN_CLAIM: "realm_access.roles",
        OIDC_ADMIN_VALUE: "admin",
        OIDC_GROUPS_CLAIM: "cognito:groups",
      }),
    ).toMatchObject({
      audience: AUDIENCE,
      skipAudience: false,
      adminClaim: { claim: "realm_access.roles", value: "admin" },
      groupsClaim: "cognito:groups",
    });
    expect(oidcFromEnv({ OIDC_ISSUER: ISSUER, OIDC_SKIP_AUDIENCE: "true" })).toMatchObject({
      skipAudience: true,
    });
    expect(() => oidcFromEnv({ OIDC_ISSUER: ISSUER })).toThrow(/OIDC_AUDIENCE/);
    expect(() => oidcFromEnv({ OIDC_ISSUER: ISSUER, OIDC_SKIP_AUDIENCE: "maybe" })).toThrow(
      /true" or "false/,
    );
    expect(() =>
      oidcFromEnv({ OIDC_ISSUER: ISSUER, OIDC_AUDIENCE: AUDIENCE, OIDC_ADMIN_CLAIM: "roles" }),
    ).toThrow(/OIDC_ADMIN_VALUE/);
  });

  it("serve exits 2 with one line saying what to set when an issuer has no audience", async () => {
    const apps = mkdtempSync(join(tmpdir(), "comind-oidc-apps-"));
    try {
      const result = await runCli(["serve", "--apps", apps, "--data", join(apps, "data"), "--port", "0"], {
        env: { OIDC_ISSUER: ISSUER },
        killAfterMs: 90_000,
      });
      expect(result.code).toBe(2);
      const lines = result.stderr.trim().split("\n");
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatch(/OIDC_AUDIENCE/);
      expect(lines[0]).toMatch(/OIDC_SKIP_AUDIENCE=true/);
    } finally {
      rmSync(apps, { recursive: true, force: true });
    }
  });
});
