/**
 * Ambient globals of action logic, as on the platform: usable without an import.
 * (Seed 001 uses `ActionLogic` without importing it.)
 */
import type { ActionLogicOf, CurrentUser } from "./app-types.ts";
import type { RestApi as RestApiValue } from "./rest-api.ts";
import type { Files as FilesValue } from "./files.ts";
import type { AppSchema as AppSchemaValue } from "./app-settings.ts";
import type { ComindServer as ComindServerValue } from "./comind-server.ts";
import type { Utils as UtilsValue } from "./utils.ts";
import type { LiquidParser as LiquidParserValue } from "./liquid-parser.ts";
import type { NotifyContext as NotifyContextType } from "./notify-context.ts";

declare global {
  /** `export default { my_action } satisfies ActionLogic<typeof entity>` */
  type ActionLogic<E = any> = ActionLogicOf<E>;
  /** `export default { my_action: () => entity.state === "open" } satisfies ActionPreconditions<typeof entity>` */
  type ActionPreconditions<E = any> = Record<string, (entity: E) => boolean>;
  /** The documented name of ActionPreconditions. */
  type PreconditionLogic<E = any> = ActionPreconditions<E>;
  const RestApi: typeof RestApiValue;
  const Files: typeof FilesValue;
  const AppSchema: typeof AppSchemaValue;
  const ComindServer: typeof ComindServerValue;
  const Utils: typeof UtilsValue;
  const LiquidParser: typeof LiquidParserValue;
  /** What `__sendNotifications` returns (also exported by "@comind/api/server"). */
  type NotifyContext = NotifyContextType;
  const currentUser: CurrentUser;
  /** The selected records of a mass action (the running record alone otherwise). */
  const records: Record<string, any>[];
  /** Captured per action: shown by the CLI, kept in the run log (1 MB per action, then truncated). */
  interface Console {
    log(...args: unknown[]): void;
    info(...args: unknown[]): void;
    warn(...args: unknown[]): void;
    error(...args: unknown[]): void;
    debug(...args: unknown[]): void;
    /** Starts a timer; `profileEnd(label)` logs "[profile] label: N ms". */
    profile(label?: string): void;
    profileEnd(label?: string): void;
  }
  const console: Console;
  /** Integer typed arrays `crypto.getRandomValues` fills. */
  type RandomValuesArray =
    | Int8Array
    | Uint8Array
    | Uint8ClampedArray
    | Int16Array
    | Uint16Array
    | Int32Array
    | Uint32Array
    | BigInt64Array
    | BigUint64Array;
  /** The Web Crypto subset of browsers and Node; the bytes come from the host's CSPRNG. */
  interface Crypto {
    /**
     * Fills the array with cryptographically strong random values and returns it. At most 65,536
     * bytes per call (QuotaExceededError beyond); float arrays and DataView: TypeMismatchError.
     */
    getRandomValues<T extends RandomValuesArray>(array: T): T;
    /** A random (version 4) UUID, e.g. "3b241101-e2bb-4255-8caf-4136c566a962". */
    randomUUID(): `${string}-${string}-${string}-${string}-${string}`;
  }
  const crypto: Crypto;
  /** Only `process.env.COMIND_SECRET_*` names that settings/secrets.ts declares have values. */
  const process: { env: Record<string, string | undefined> };
}
