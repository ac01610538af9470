// Benchmark app: trivial logic (record read + write + history) and N outbound requests.
import { entity } from "#typings";
import { RestApi } from "@comind/api/server";

function bump() {
  entity.c_count = (entity.c_count ?? 0) + 1;
}

function call_api() {
  for (let i = 0; i < (entity.c_requests ?? 1); i++) {
    RestApi.createClient(entity.c_url!);
    RestApi.createRequest("/ping", "GET");
    const res = RestApi.executeRequest();
    if (res.statusCode !== 200) throw `ping failed: ${res.statusCode}`;
  }
}

/** Burns CPU until the action's CPU limit stops it (bench/worker-nice.ts: cores kept busy). */
function spin() {
  for (;;) {}
}

export default { bump, call_api, spin } satisfies ActionLogic<typeof entity>;
