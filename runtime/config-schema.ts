/**
 * Building blocks of the configuration schemas (zod), one schema per concern next to what it
 * configures: sandbox/limits-schema.ts, runs/options-schema.ts, server/options-schema.ts,
 * queue/options-schema.ts, queue/settings-schema.ts, cli/option-schema.ts. One wording for number ranges, and one way a
 * refused value becomes a message naming it: nothing is clamped or dropped silently.
 */
import { z } from "zod";
import { type ErrorCode, RuntimeError } from "./errors.ts";

/** Accepted values of a number setting; `whole` refuses fractions. */
export interface NumberRange {
  min: number;
  max: number;
  whole: boolean;
}

/** "must be a whole number from 1 to 10,000,000": the wording of every number setting. */
export function rangeText(range: NumberRange): string {
  const shown = (n: number) => n.toLocaleString("en-US", { maximumFractionDigits: 6 });
  return `must be ${range.whole ? "a whole number" : "a number"} from ${shown(range.min)} to ${shown(range.max)}`;
}

/** A number in `range` (finite: zod refuses NaN and Infinity), every refusal worded by rangeText. */
export function numberIn(range: NumberRange) {
  const error = rangeText(range);
  const number = z.number({ error }).min(range.min, { error }).max(range.max, { error });
  return range.whole ? number.int({ error }) : number;
}

/**
 * Any value that passes `check` (stores, loggers, callbacks, secrets): typed, kept as it is. A
 * refusal does not show the value: it may be a secret passed in the wrong place.
 */
export function instance<T>(what: string, check: (value: unknown) => boolean) {
  return z.custom<T>(check, { error: `must be ${what}`, params: { hideValue: true } });
}

export const callback = <T extends (...args: never[]) => unknown>() =>
  instance<T>("a function", (value) => typeof value === "function");

function shownValue(value: unknown): string {
  if (typeof value === "function") return "a function";
  if (typeof value === "number") return String(value); // NaN, Infinity: JSON would say null
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 40 ? `${text.slice(0, 40)}…` : text;
}

function valueAt(input: unknown, path: PropertyKey[]): unknown {
  let value = input;
  for (const key of path) {
    if (value === null || typeof value !== "object") return undefined;
    value = (value as Record<PropertyKey, unknown>)[key];
  }
  return value;
}

/** `retries.maxAttempts`, `schedules[0].cron`: where a refused value sits, as the user wrote it. */
export function pathText(root: string, path: PropertyKey[]): string {
  let text = root;
  for (const key of path) text += typeof key === "number" ? `[${key}]` : `${text ? "." : ""}${String(key)}`;
  return text;
}

interface SchemaDef {
  type: string;
  innerType?: z.ZodType;
  in?: z.ZodType;
  element?: z.ZodType;
  shape?: Record<string, z.ZodType>;
}

/** The keys the object schema at `path` knows, through optional/default wrappers and arrays. */
function knownKeys(schema: z.ZodType, path: PropertyKey[]): string[] {
  let current: z.ZodType | undefined = schema;
  const rest = [...path];
  while (current) {
    const def = current.def as unknown as SchemaDef;
    if (def.innerType) current = def.innerType;
    else if (def.type === "pipe") current = def.in;
    else if (def.type === "array" && rest.length) {
      rest.shift();
      current = def.element;
    } else if (def.type === "object" && def.shape) {
      if (!rest.length) return Object.keys(def.shape);
      current = def.shape[String(rest.shift())];
    } else return [];
  }
  return [];
}

/** One line for the first problem of a failed parse: what, where, the value refused. */
export function problemText(error: z.ZodError, input: unknown, root: string, schema?: z.ZodType): string {
  const issue = error.issues[0];
  if (!issue) return `${root} is not valid.`;
  if (issue.code === "unrecognized_keys") {
    const where = pathText(root, [...issue.path, issue.keys[0] ?? ""]);
    const known = schema ? knownKeys(schema, issue.path) : [];
    return `${where} is not a known setting${known.length ? `; use ${known.join(", ")}` : ""}.`;
  }
  const where = pathText(root, issue.path);
  const value = valueAt(input, issue.path);
  if (value === undefined && issue.code !== "invalid_union") return `${where} is required: ${issue.message}.`;
  if (issue.code === "custom" && issue.params?.hideValue) return `${where} ${issue.message}.`;
  return `${where} ${issue.message}, got ${shownValue(value)}.`;
}

/** Parses `input`; a refusal is a RuntimeError with `code` and the message of problemText. */
export function parseConfig<S extends z.ZodType>(
  schema: S,
  input: unknown,
  code: ErrorCode,
  root: string,
  prefix = "",
): z.infer<S> {
  const parsed = schema.safeParse(input);
  if (parsed.success) return parsed.data;
  throw new RuntimeError(code, `${prefix}${problemText(parsed.error, input, root, schema)}`);
}
