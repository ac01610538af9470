/**
 * A test OIDC issuer: an RS256 key pair whose JWKS is served on 127.0.0.1, and JWTs signed with
 * it (issuer ISSUER, key id k1), for the tests of bearer tokens (server, reliability, apps).
 */
import { exportJWK, generateKeyPair, SignJWT } from "jose";
import { startLoopbackServer } from "./http-test-servers.ts";

export const ISSUER = "https://issuer.example.test";

export interface TestIssuer {
  /** What the server's `oidc.jwksUrl` is set to. */
  jwksUrl: string;
  /**
   * A JWT with these claims signed by the issuer's key; `configure` adds exp, iat, sub, aud (or
   * another issuer) — nothing else is set.
   */
  sign(claims: Record<string, unknown>, configure?: (jwt: SignJWT) => SignJWT): Promise<string>;
  close(): Promise<void>;
}

export async function startIssuer(): Promise<TestIssuer> {
  const { privateKey, publicKey } = await generateKeyPair("RS256");
  const jwk = { ...(await exportJWK(publicKey)), kid: "k1", alg: "RS256", use: "sig" };
  const jwks = await startLoopbackServer((_req, res) =>
    res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ keys: [jwk] })),
  );
  return {
    jwksUrl: `${jwks.url}/jwks.json`,
    sign: (claims, configure = (jwt) => jwt) =>
      configure(new SignJWT(claims).setProtectedHeader({ alg: "RS256", kid: "k1" }).setIssuer(ISSUER)).sign(
        privateKey,
      ),
    close: () => jwks.close(),
  };
}
