/**
 * The platform globals of ONE action. The globals bundle is evaluated afresh for every action
 * (see bootstrap.ts), so every module-level variable behind these objects (the RestApi builder,
 * the entity, the vars, the secrets cache, the transports) starts new: per-action state needs no
 * reset code, and a global added here is reset the same way. globalThis has one getter per name
 * that reads the running action's object.
 */
import { AppSchema, getSecrets } from "./app-settings.ts";
import { ComindServer } from "./comind-server.ts";
import { createConsole } from "./console.ts";
import { crypto } from "./crypto.ts";
import { currentEntity, currentEntityOld, currentRecords, currentUser } from "./entity.ts";
import { Files } from "./files.ts";
import { LiquidParser } from "./liquid-parser.ts";
import { RestApi } from "./rest-api.ts";
import { markThrowSite } from "./throw-site.ts";
import { Utils } from "./utils.ts";

export const PLATFORM_GLOBAL_NAMES = [
  "RestApi",
  "Files",
  "AppSchema",
  "ComindServer",
  "Utils",
  "LiquidParser",
  "console",
  "crypto",
  "entity",
  "entityOld",
  "records",
  "currentUser",
  "__comindEnv",
  "__comindThrowSite",
] as const;

export type PlatformGlobals = Record<(typeof PLATFORM_GLOBAL_NAMES)[number], unknown>;

export function platformGlobals(): PlatformGlobals {
  const freeze = Object.freeze;
  return freeze({
    RestApi: freeze(RestApi),
    Files: freeze(Files),
    AppSchema: freeze(AppSchema),
    ComindServer: freeze(ComindServer),
    Utils: freeze(Utils),
    LiquidParser: freeze(LiquidParser),
    console: createConsole(),
    crypto: freeze(crypto),
    get entity() {
      return currentEntity();
    },
    get entityOld() {
      return currentEntityOld();
    },
    get records() {
      return currentRecords();
    },
    get currentUser() {
      return currentUser();
    },
    // `process.env.X` in app code is compiled to `__comindEnv.X`: only declared secrets have values.
    __comindEnv: new Proxy(Object.create(null), {
      get: (_target, key) => (typeof key === "string" ? getSecrets()[key] : undefined),
    }),
    // Called by the build's mark on every throw statement (runtime/bundle/throw-sites.ts).
    __comindThrowSite: freeze(() => markThrowSite()),
  });
}
