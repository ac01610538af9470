/**
 * A worker's HTTP client is made by its first request (runtime/sandbox/worker/worker-http.ts): a
 * count the server hands back before that (a forwarded call that sent requests) still counts.
 */
import { describe, expect, it } from "vitest";
import { spec } from "../helpers/http-test-servers.ts";
import { WorkerHttp } from "../../runtime/sandbox/worker/worker-http.ts";

const handOff = {
  policy: {
    allowHosts: ["127.0.0.1"],
    maxResponseBytes: 1024,
    maxDownloadBytes: 1024,
    defaultTimeoutMs: 1_000,
    maxRequests: 2,
    maxRedirects: 0,
  },
  used: 0,
};
const request = spec("http://127.0.0.1:9", "/x");

describe("WorkerHttp", () => {
  it("counts a budget resumed before its first request", async () => {
    const http = new WorkerHttp(handOff, new AbortController().signal, (text) => text);
    http.resume(2);
    await expect(http.execute(request)).rejects.toMatchObject({ code: "limit_exceeded" });
    expect((await http.finish())?.map((call) => call.error)).toEqual(["limit_exceeded"]);
  });

  it("has nothing to hand back when the logic sent nothing", async () => {
    const http = new WorkerHttp({ ...handOff, record: true }, new AbortController().signal, (text) => text);
    expect(await http.finish()).toBeUndefined();
    expect(http.takeAnswers()).toBeUndefined();
  });
});
