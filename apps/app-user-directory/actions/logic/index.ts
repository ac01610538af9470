/**
 * USERDIR · sync_users — mirrors the users of an external User API (seed 002) into this app.
 *
 * What it demonstrates:
 * - OAuth 2.0 client credentials: a form-encoded POST for a token (RestApi.addParameter), then
 *   `Authorization: Bearer` on every data request (RestApi.setOAuth2AuthorizationHeaderAuth);
 * - page/limit pagination driven by the API's own `meta.total_pages`;
 * - rate limits: when X-RateLimit-Remaining hits 0 the action sleeps until X-RateLimit-Reset
 *   (ComindServer.sleep, capped), and a 429 is retried once after the advertised wait;
 * - ComindServer.importData keyed on c_user_id: the first run creates, later runs update;
 * - a summary written onto the record the action runs on.
 */
import { entity } from "#typings";
import { AppSchema, ComindServer, RestApi } from "@comind/api/server";
import type { HttpResponse } from "@comind/api/server";

interface ApiUser {
  id: number | string;
  username: string;
  email: string | null;
  role: string | null;
  status: string | null;
  created_at: string | null;
  last_login: string | null;
}

interface UsersPage {
  data: ApiUser[];
  meta?: { current_page?: number; total_pages?: number; total_count?: number };
}

interface SyncOptions {
  pageSize: number;
  maxPages: number;
  maxWaitMs: number;
}

// Clocks of two servers never agree exactly: wait a little past the advertised reset.
const CLOCK_SKEW_MS = 200;

/**
 * Vars from settings/index.ts with safe defaults. Read inside the action, not at module level:
 * this runtime installs the vars only when the action starts (getVars() is {} while loading).
 */
function syncOptions(): SyncOptions {
  const vars = ComindServer.getVars();
  return {
    // The API caps `limit` at 100.
    pageSize: Math.min(Number(vars.pageSize) || 100, 100),
    maxPages: Number(vars.maxPages) || 50,
    maxWaitMs: Number(vars.maxRateLimitWaitMs) || 15000,
  };
}

/** One sync run: the connection, its options and how often it had to wait for the rate limit. */
interface SyncRun {
  baseUrl: string;
  token: string;
  options: SyncOptions;
  rateLimitWaits: number;
}

/** The API's error text ({ error: { code, message } } in seed 002), never the whole body. */
function describeError(res: HttpResponse): string {
  try {
    const body = JSON.parse(res.content);
    if (body?.error?.message) return `${body.error.code ?? "error"}: ${body.error.message}`;
  } catch {
    // not JSON: fall through to the raw text
  }
  return res.content.slice(0, 200) || "(empty body)";
}

function requestToken(baseUrl: string, clientId: string, clientSecret: string): string {
  RestApi.createClient(baseUrl);
  RestApi.createRequest("/api/v1/oauth/token", "POST");
  RestApi.addHeader("Accept", "application/json");
  // On a POST, addParameter adds form fields: the body goes out as
  // application/x-www-form-urlencoded, which is what an OAuth token endpoint expects (not JSON).
  RestApi.addParameter("grant_type", "client_credentials");
  RestApi.addParameter("client_id", clientId);
  RestApi.addParameter("client_secret", clientSecret);
  RestApi.setRequestTimeout(30);
  const res = RestApi.executeRequest();
  if (res.statusCode === 400 || res.statusCode === 401) {
    throw `User API rejected the client credentials (HTTP ${res.statusCode}, ${describeError(res)}). Check COMIND_SECRET_USERAPI_CLIENT_ID and COMIND_SECRET_USERAPI_CLIENT_SECRET.`;
  }
  if (!res.isSuccessful)
    throw `User API token request failed with HTTP ${res.statusCode}: ${describeError(res)}`;
  const token = JSON.parse(res.content).access_token;
  if (typeof token !== "string" || token === "") throw "User API token response has no access_token.";
  return token;
}

/** How long until the rate-limit window opens again: Retry-After (s) or X-RateLimit-Reset (Unix s). */
function msUntilReset(res: HttpResponse): number {
  const retryAfter = Number(res.headers["retry-after"]);
  if (retryAfter > 0) return retryAfter * 1000;
  const reset = Number(res.headers["x-ratelimit-reset"]);
  // No usable header: a short pause is better than hammering the API.
  if (!(reset > 0)) return 1000;
  return Math.max(reset * 1000 - Date.now(), 0) + CLOCK_SKEW_MS;
}

/**
 * Sleeps until the window resets, but never longer than maxRateLimitWaitMs: a reset far in the
 * future (or a skewed clock) must not eat the action's 60 s wall-clock budget. If the window is
 * still closed after the capped wait, the next request gets a 429 and the retry below handles it.
 */
function waitForRateLimit(run: SyncRun, res: HttpResponse, reason: string): void {
  const wait = Math.min(msUntilReset(res), run.options.maxWaitMs);
  console.log(`User API rate limit ${reason}; waiting ${wait} ms`);
  ComindServer.sleep(wait);
  run.rateLimitWaits += 1;
}

function fetchUsersPage(run: SyncRun, page: number): { body: UsersPage; res: HttpResponse } {
  for (let attempt = 1; ; attempt++) {
    // Each request needs its own createClient/createRequest pair (seed 001).
    RestApi.createClient(run.baseUrl);
    RestApi.createRequest("/api/v1/users", "GET");
    RestApi.addHeader("Accept", "application/json");
    RestApi.setOAuth2AuthorizationHeaderAuth(run.token);
    RestApi.addQueryParameter("page", page);
    RestApi.addQueryParameter("limit", run.options.pageSize);
    RestApi.setRequestTimeout(30);
    const res = RestApi.executeRequest();

    if (res.statusCode === 429) {
      // One retry only: a second 429 means the API is busier than one action should wait for.
      if (attempt > 1)
        throw `User API rate limit exceeded twice on page ${page} (${describeError(res)}); try the sync again later.`;
      waitForRateLimit(run, res, `exceeded on page ${page} (HTTP 429)`);
      continue;
    }
    if (res.statusCode === 401)
      throw `User API refused the access token on page ${page} (${describeError(res)}).`;
    if (!res.isSuccessful)
      throw `GET /api/v1/users?page=${page} failed with HTTP ${res.statusCode}: ${describeError(res)}`;

    const body = JSON.parse(res.content) as UsersPage;
    if (!Array.isArray(body?.data)) throw `GET /api/v1/users?page=${page} returned no "data" array.`;
    return { body, res };
  }
}

function toRecord(user: ApiUser) {
  return {
    title: user.username,
    c_user_id: String(user.id),
    c_username: user.username,
    c_email: user.email ?? null,
    c_role: user.role ?? null,
    c_status: user.status ?? null,
    c_created_at: user.created_at ?? null,
    c_last_login: user.last_login ?? null,
    c_source: "userapi",
  };
}

function sync_users() {
  const {
    COMIND_SECRET_USERAPI_CLIENT_ID: clientId,
    COMIND_SECRET_USERAPI_CLIENT_SECRET: clientSecret,
    COMIND_SECRET_USERAPI_BASE_URL: baseUrl,
  } = AppSchema.getSecrets();
  if (!clientId || !clientSecret || !baseUrl) {
    throw "Missing User API credentials. Configure COMIND_SECRET_USERAPI_CLIENT_ID, COMIND_SECRET_USERAPI_CLIENT_SECRET and COMIND_SECRET_USERAPI_BASE_URL in app secrets.";
  }
  const startedAt = new Date().toISOString();
  const run: SyncRun = {
    baseUrl,
    token: requestToken(baseUrl, clientId, clientSecret),
    options: syncOptions(),
    rateLimitWaits: 0,
  };

  const users: ApiUser[] = [];
  let totalPages = 1;
  let page = 1;
  for (; page <= totalPages; page++) {
    if (page > run.options.maxPages) {
      console.warn(
        `Stopping after ${run.options.maxPages} pages (meta.total_pages = ${totalPages}); raise vars.maxPages to fetch more.`,
      );
      break;
    }
    const { body, res } = fetchUsersPage(run, page);
    users.push(...body.data);
    totalPages = Number(body.meta?.total_pages ?? 1);
    // Spend the last request of the window on data, then wait instead of provoking a 429.
    if (page < totalPages && res.headers["x-ratelimit-remaining"] === "0")
      waitForRateLimit(run, res, "budget used up");
  }
  const pagesFetched = page - 1;
  console.log(`Fetched ${users.length} users in ${pagesFetched} page(s)`);

  // Upsert: records already imported (same c_user_id) are updated, new users are created.
  const { created, updated } = ComindServer.importData({
    data: users.map(toRecord),
    keyFields: ["c_user_id"],
  });
  console.log(`Import complete: ${created} created, ${updated} updated`);

  entity.c_synced_count = users.length;
  entity.c_pages_fetched = pagesFetched;
  entity.c_rate_limit_waits = run.rateLimitWaits;
  entity.c_last_sync_status = `Synced ${users.length} users: ${created} created, ${updated} updated (${pagesFetched} pages)`;
  entity.c_last_sync_date = startedAt;
}

export default {
  sync_users,
} satisfies ActionLogic<typeof entity>;
