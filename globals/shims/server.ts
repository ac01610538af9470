// Run-time face of `@comind/api/server`: the single instances installed by the bootstrap.
const installed = globalThis as any;
export const RestApi = installed.RestApi;
export const Files = installed.Files;
export const AppSchema = installed.AppSchema;
export const ComindServer = installed.ComindServer;
export const Utils = installed.Utils;
export const LiquidParser = installed.LiquidParser;
