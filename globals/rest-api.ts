/**
 * `RestApi` inside the isolate: the seed-001 builder collects one request, the host
 * (runtime/host/http) sends it. What app developers see is the `RestApiBuilder` type below.
 */
import type { DownloadResponse, HttpRequestSpec, HttpResponse } from "./bridge-contract.ts";
import { callAsync, safeJson } from "./host-call.ts";

export type HttpMethod = "GET" | "POST" | "PUT" | "PATCH" | "DELETE" | "HEAD" | "OPTIONS";
type FileRefLike = string | { ref: string };

let baseUrl: string | null = null;
let request: HttpRequestSpec | null = null;

function current(): HttpRequestSpec {
  if (baseUrl === null) throw new Error("RestApi: call RestApi.createClient(baseUrl) first.");
  if (request === null) throw new Error("RestApi: call RestApi.createRequest(path, method) first.");
  return request;
}

function text(value: unknown, what: string): string {
  if (value === undefined || value === null) return "";
  if (typeof value === "object") throw new TypeError(`RestApi: ${what} must be a string, got an object.`);
  return String(value);
}

function refOf(file: FileRefLike): string {
  const ref = typeof file === "string" ? file : file?.ref;
  if (typeof ref !== "string" || ref === "")
    throw new TypeError("RestApi.addFile: pass a file reference from Files.getFileRef() or downloadFile().");
  return ref;
}

// The builder's type is written out, not inferred: an inferred type of an object whose methods
// return the object refers to itself, and tsc's declaration output (the published .d.ts) cuts
// every chained call's type to `any`, so a misspelled chained call would type-check.
/**
 * `RestApi` inside the isolate: the fluent builder of seed 001. It only collects the request;
 * the host (runtime/host/http) checks egress, sends it with undici and caps the response. Every
 * configuring call returns the builder, so calls can also be chained.
 *
 * @example
 *   RestApi.createClient("https://api.example.com");
 *   RestApi.createRequest("/v1/contacts", "GET");
 *   RestApi.addHeader("Accept", "application/json");
 *   const res = RestApi.executeRequest(); // { statusCode, content, headers }
 *   // or: RestApi.createClient(url).createRequest("/v1/contacts").addHeader("Accept", "application/json").executeRequest()
 */
export interface RestApiBuilder {
  /** Sets the base URL of the following requests (http or https). */
  createClient(url: string): RestApiBuilder;
  /** Starts a new request; every builder call after it configures this request. */
  createRequest(path: string, method?: HttpMethod | Lowercase<HttpMethod>): RestApiBuilder;
  addHeader(name: string, value: string): RestApiBuilder;
  addQueryParameter(name: string, value: string | number | boolean): RestApiBuilder;
  /** RestSharp semantics: a query parameter on GET/HEAD/DELETE, a form field otherwise. */
  addParameter(name: string, value: string | number | boolean): RestApiBuilder;
  /** Replaces `{name}` in the request path with the URL-encoded value. */
  addUrlSegment(name: string, value: string | number): RestApiBuilder;
  addJsonBody(body: unknown): RestApiBuilder;
  /** Sends the file as a multipart/form-data part called `name`. */
  addFile(name: string, file: FileRefLike): RestApiBuilder;
  setHttpBasicAuth(user: string, password: string): RestApiBuilder;
  /**
   * Signs the request in to THIS runtime's REST API as the user running the action (a
   * short-lived token the host adds; logic never sees it). Only for requests to the runtime's own
   * public URL; anything else fails with code "forbidden".
   * @example RestApi.createClient(runtimeUrl).createRequest("/api/tickets/list", "POST").setComindAuth()
   */
  setComindAuth(): RestApiBuilder;
  setOAuth2AuthorizationHeaderAuth(token: string): RestApiBuilder;
  setRequestTimeout(seconds: number): RestApiBuilder;
  /** Sends the request. Non-2xx statuses are returned; network errors and timeouts throw. */
  executeRequest(): HttpResponse;
  /** Sends the request and streams the body to a temporary file (persist it with Files.persistFileRef). */
  downloadFile(): DownloadResponse;
}

export const RestApi: RestApiBuilder = {
  createClient(url: string) {
    if (typeof url !== "string" || url.trim() === "")
      throw new TypeError('RestApi.createClient: pass the base URL, e.g. "https://api.example.com".');
    baseUrl = url;
    request = null;
    return RestApi;
  },
  createRequest(path: string, method: HttpMethod | Lowercase<HttpMethod> = "GET") {
    if (baseUrl === null) throw new Error("RestApi: call RestApi.createClient(baseUrl) first.");
    request = {
      baseUrl,
      path: text(path, "path"),
      method: text(method, "method").toUpperCase(),
      headers: [],
      query: [],
      params: [],
      segments: [],
      files: [],
    };
    return RestApi;
  },
  addHeader(name: string, value: string) {
    current().headers.push([text(name, "header name"), text(value, "header value")]);
    return RestApi;
  },
  addQueryParameter(name: string, value: string | number | boolean) {
    current().query.push([text(name, "parameter name"), text(value, "parameter value")]);
    return RestApi;
  },
  addParameter(name: string, value: string | number | boolean) {
    current().params.push([text(name, "parameter name"), text(value, "parameter value")]);
    return RestApi;
  },
  addUrlSegment(name: string, value: string | number) {
    current().segments.push([text(name, "segment name"), text(value, "segment value")]);
    return RestApi;
  },
  addJsonBody(body: unknown) {
    const json = safeJson.stringify(body);
    if (json === undefined) throw new TypeError("RestApi.addJsonBody: the body is not JSON-serialisable.");
    current().jsonBody = json;
    return RestApi;
  },
  addFile(name: string, file: FileRefLike) {
    current().files.push({ name: text(name, "file field name"), ref: refOf(file) });
    return RestApi;
  },
  setHttpBasicAuth(user: string, password: string) {
    current().basicAuth = { user: text(user, "user"), password: text(password, "password") };
    return RestApi;
  },
  setComindAuth() {
    current().comindAuth = true;
    return RestApi;
  },
  setOAuth2AuthorizationHeaderAuth(token: string) {
    current().bearerToken = text(token, "token");
    return RestApi;
  },
  setRequestTimeout(seconds: number) {
    const value = Number(seconds);
    if (!(value > 0))
      throw new TypeError("RestApi.setRequestTimeout: pass a number of seconds greater than 0.");
    current().timeoutSeconds = value;
    return RestApi;
  },
  executeRequest(): HttpResponse {
    return callAsync("http.execute", current());
  },
  downloadFile(): DownloadResponse {
    return callAsync("http.download", current());
  },
};
