/**
 * The options of createServer as a zod schema, the ServerOptions and OidcConfig types inferred
 * from it. Unknown keys and numbers out of range are refused (bad_request naming the option), as
 * is an OIDC setting that does not add up (oidcConfigProblem: an issuer without an audience...).
 */
import type { FastifyBaseLogger } from "fastify";
import { z } from "zod";
import type { ActionRuntime } from "../runs/index.ts";
import { instance, numberIn, parseConfig } from "../config-schema.ts";
import { RuntimeError } from "../errors.ts";
import type { Queue } from "../queue/index.ts";
import type { Store } from "../store/index.ts";
import type { PrometheusMetrics } from "../metrics/index.ts";

const isObject = (value: unknown) => typeof value === "object" && value !== null;
const text = z.string({ error: "must be a string" }).min(1, { error: "must not be empty" });
const url = z.url({ error: "must be an http(s) URL", protocol: /^https?$/ });

export const oidcConfigSchema = z.strictObject({
  issuer: text,
  jwksUrl: url,
  /** The `aud` a token must carry. Required unless `skipAudience` says, explicitly, not to check it. */
  audience: text.optional(),
  /** Accept tokens for any audience (`OIDC_SKIP_AUDIENCE=true`): only for an issuer that mints tokens for this server alone. */
  skipAudience: z.boolean({ error: "must be true or false" }).optional(),
  /**
   * Which claim makes a global admin: `claim` is a dotted path into the token (`roles`,
   * `realm_access.roles`), `value` the string it must equal or, for a list, contain. Absent (the
   * default): no claim makes an admin; admins come from the store (`comind-runtime users add --admin`).
   */
  adminClaim: z.strictObject({ claim: z.string(), value: z.string() }).optional(),
  /** Dotted path of the claim that lists the caller's groups (default `groups`). */
  groupsClaim: text.optional(),
  /**
   * Longest token lifetime accepted, in seconds (default 86,400 = 24 h): a token must have `exp`,
   * and `exp` may be at most this far after its `iat` (or after now, without `iat`).
   */
  maxTokenAgeSeconds: numberIn({ min: 1, max: 31_536_000, whole: true }).optional(),
});

export type OidcConfig = z.infer<typeof oidcConfigSchema>;

/** Accepted ranges of the server's own numbers. */
export const SERVER_RANGES = {
  requestTimeoutMs: { min: 100, max: 3_600_000, whole: true },
  bodyLimit: { min: 1_024, max: 1_073_741_824, whole: true },
} as const;

export const serverOptionsSchema = z.strictObject({
  runtime: instance<ActionRuntime>("an ActionRuntime (createActionRuntime)", isObject),
  store: instance<Store>("a store (openStore)", isObject),
  workspace: text,
  /** Folder of uploaded files ("" in tests that upload nothing). */
  dataDir: z.string({ error: "must be a folder path" }),
  oidc: oidcConfigSchema.optional(),
  /** Whole-request limit (default 30 s): 504 after it; actions get only what is left of it. */
  requestTimeoutMs: numberIn(SERVER_RANGES.requestTimeoutMs).optional(),
  /** Request body limit (default 100 KB): 413 above it. */
  bodyLimit: numberIn(SERVER_RANGES.bodyLimit).optional(),
  /** A pino logger (see request-log.ts): one line per request at info. Default: no logging. */
  logger: instance<FastifyBaseLogger>("a pino logger", isObject).optional(),
  /** The job queue: async triggers, GET /api/runs, webhooks. */
  queue: instance<Queue>("a job queue (openQueue)", isObject).optional(),
  /** Serve the run console at /console (serve: on by default on loopback, off elsewhere). */
  console: z.boolean({ error: "must be true or false" }).optional(),
  /**
   * Serve GET /metrics from this registry (the one the runtime records into). `token`: scrapers
   * need it as a bearer token, from anywhere; without it only loopback clients get the metrics.
   * Absent: no /metrics route.
   */
  metrics: z
    .strictObject({
      registry: instance<PrometheusMetrics>("a Prometheus registry (createPrometheusMetrics)", isObject),
      token: text.optional(),
    })
    .optional(),
});

export type ServerOptions = z.infer<typeof serverOptionsSchema>;

/** The options, checked; `oidcProblem` adds the OIDC rules that span several fields. */
export function parseServerOptions(
  raw: unknown,
  oidcProblem: (oidc: OidcConfig) => string | null,
): ServerOptions {
  const options = parseConfig(serverOptionsSchema, raw, "bad_request", "", "createServer: ");
  const problem = options.oidc && oidcProblem(options.oidc);
  if (problem) throw new RuntimeError("bad_request", `createServer: oidc: ${problem}`);
  return options;
}
