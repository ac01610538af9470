// Run-time face of `@comind/api`: makeEntity reads the record globals of the running action.
export * from "./server.ts";
const installed = globalThis as any;

export function makeEntity() {
  return {
    entity: installed.entity,
    entityOld: installed.entityOld,
    records: {
      query: (filter?: Record<string, unknown>, limit?: number) =>
        installed.ComindServer.queryAppRecords({ filter, limit }),
      get: (id: string) => installed.ComindServer.getAppRecord(id),
    },
  };
}
