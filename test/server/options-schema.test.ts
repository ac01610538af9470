/** createServer's options are checked by their zod schema: a bad one is a bad_request naming it. */
import { describe, expect, it } from "vitest";
import type { ActionRuntime } from "../../runtime/runs/index.ts";
import { createServer, type ServerOptions } from "../../runtime/server/index.ts";
import type { Store } from "../../runtime/store/index.ts";

const base: ServerOptions = {
  runtime: {} as ActionRuntime,
  store: {} as Store,
  workspace: "DEMO",
  dataDir: "./data",
};

describe("server options schema", () => {
  it.each([
    [
      { requestTimeoutMs: 0 },
      "createServer: requestTimeoutMs must be a whole number from 100 to 3,600,000, got 0.",
    ],
    [
      { bodyLimit: -1 },
      "createServer: bodyLimit must be a whole number from 1,024 to 1,073,741,824, got -1.",
    ],
    [{ workspace: "" }, 'createServer: workspace must not be empty, got "".'],
    [{ console: "on" }, 'createServer: console must be true or false, got "on".'],
    [{ bodylimit: 1024 }, "createServer: bodylimit is not a known setting; use runtime, store"],
    [
      { oidc: { issuer: "https://id.example", jwksUrl: "file:///etc/keys" } },
      "createServer: oidc.jwksUrl must be an http(s) URL",
    ],
    [
      { oidc: { issuer: "https://id.example", jwksUrl: "https://id.example/jwks.json" } },
      "createServer: oidc: OIDC_ISSUER is set without OIDC_AUDIENCE",
    ],
  ])("refuses %j", async (options, message) => {
    await expect(createServer({ ...base, ...(options as object) })).rejects.toMatchObject({
      code: "bad_request",
      message: expect.stringContaining(message),
    });
  });
});
