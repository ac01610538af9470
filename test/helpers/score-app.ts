/**
 * The app of the replay tests: `rate` asks a scoring service (a real HTTP server on 127.0.0.1)
 * with an API key from the secrets, the record's IBAN in the query, and a random token; the
 * service echoes the key in its body. `rate` as first written expects `{ result: { score } }` and
 * fails on the service's `{ score }`; `fixed` reads both; `otherPath` asks another path.
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { writeTempApp } from "./temp-app.ts";

export const SCORE_KEY = "sk-live-7f3a9c2e-replay-secret";
export const IBAN = "DE89370400440532013000";

const LOGIC = (path: string, read: string) => `import { entity } from "#typings";
import { AppSchema, RestApi } from "@comind/api/server";

function rate() {
  const { COMIND_SECRET_SCORE_KEY, COMIND_SECRET_SCORE_URL } = AppSchema.getSecrets();
  entity.c_token = Math.random().toString(36).slice(2);
  RestApi.createClient(COMIND_SECRET_SCORE_URL);
  RestApi.createRequest("${path}", "GET");
  RestApi.addHeader("X-API-Key", COMIND_SECRET_SCORE_KEY);
  RestApi.addQueryParameter("customer", String(entity.c_customer));
  RestApi.addQueryParameter("iban", String(entity.c_iban));
  const res = RestApi.executeRequest();
  console.log("score service answered " + res.statusCode);
  const body = JSON.parse(res.content);
  entity.c_score = ${read};
}

export default { rate };
`;

export const SCORE_LOGIC = {
  broken: LOGIC("/score", "body.result.score.toUpperCase()"),
  fixed: LOGIC("/score", "(body.result?.score ?? body.score).toUpperCase()"),
  otherPath: LOGIC("/v2/score", "(body.result?.score ?? body.score).toUpperCase()"),
};

/** A new folder of the app with `logic`. */
export function writeScoreApp(logic: string): string {
  return writeTempApp(
    {
      "fields/index.ts": `export default [
  { name: "c_customer", caption: "Customer", type: "text" },
  { name: "c_iban", caption: "IBAN", type: "text" },
  { name: "c_score", caption: "Score", type: "text" },
  { name: "c_token", caption: "Token", type: "text" },
] as const;
`,
      "actions/index.ts": 'export default [{ uid: "rate", caption: "Rate" }] as const;\n',
      "settings/secrets.ts":
        "export const secrets = { key: process.env.COMIND_SECRET_SCORE_KEY, url: process.env.COMIND_SECRET_SCORE_URL };\n",
      "actions/logic/index.ts": logic,
    },
    { alias: "SCORE" },
  );
}

/** The scoring service: `{ score: "low", key: <the X-API-Key it got> }` on any path. */
export async function startScoreService(): Promise<{
  url: string;
  requests: string[];
  close(): Promise<void>;
}> {
  const requests: string[] = [];
  const server: Server = createServer((req, res) => {
    requests.push(req.url ?? "");
    res.setHeader("content-type", "application/json");
    res.end(JSON.stringify({ score: "low", key: req.headers["x-api-key"] ?? null }));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
