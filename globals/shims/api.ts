// Run-time face of `@comind/api`: makeEntity reads the record globals of the running action.
export * from "./server.ts";
const installed = globalThis as any;

export function makeEntity() {
  // Outside an action (the manifest isolate reading fields/actions) there are no records.
  const records = installed.records ?? [];
  // The documented `records` is the array of selected records; `query` / `get` are ours.
  if (!Object.hasOwn(records, "query")) {
    Object.defineProperty(records, "query", {
      value: (filter?: Record<string, unknown>, limit?: number) =>
        installed.ComindServer.queryAppRecords({ filter, limit }),
    });
    Object.defineProperty(records, "get", { value: (id: string) => installed.ComindServer.getAppRecord(id) });
  }
  return { entity: installed.entity, entityOld: installed.entityOld, records };
}
