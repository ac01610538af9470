/**
 * list_history / aggregate_history filters: RLX over the history's own fields only
 * (`version_account`, `version_timestamp`, `transition`, `comment`, plus `app`, `action`,
 * `record_id`), people by name, time stamps with offsets compared in UTC, and always limited to
 * the apps the caller may read.
 */
import { RuntimeError } from "../../errors.ts";
import { parseRlx } from "../../rlx/index.ts";
import type { FilterNode, FilterValue } from "../../store/index.ts";
import type { Caller } from "./caller.ts";
import type { People } from "./people.ts";

const FIELDS = [
  "version_account",
  "version_timestamp",
  "transition",
  "comment",
  "app",
  "action",
  "record_id",
];
const OFFSET = /(Z|[+-]\d{2}:?\d{2})$/i;

async function value(field: string, raw: FilterValue, people: People): Promise<FilterValue> {
  if (typeof raw !== "string") return raw;
  if (field === "version_account") return people.idOf(raw, "version_account");
  if (field === "version_timestamp" && OFFSET.test(raw) && !Number.isNaN(Date.parse(raw)))
    return new Date(raw).toISOString();
  if (field === "app") return raw.toUpperCase();
  return raw;
}

async function resolve(node: FilterNode, people: People): Promise<FilterNode> {
  if (node.kind === "and" || node.kind === "or")
    return { kind: node.kind, items: await Promise.all(node.items.map((item) => resolve(item, people))) };
  if (!FIELDS.includes(node.field))
    throw new RuntimeError(
      "bad_request",
      `History filters name only ${FIELDS.join(", ")}; "${node.field.slice(0, 64)}" is an app field (filter records with list_records instead).`,
    );
  if (node.kind === "contains") return node;
  if (node.kind === "compare") return { ...node, value: await value(node.field, node.value, people) };
  return { ...node, values: await Promise.all(node.values.map((v) => value(node.field, v, people))) };
}

/** The filter, narrowed to `apps` (one app named by the tool, or every app the caller may read). */
export async function historyFilter(
  caller: Caller,
  people: People,
  text: string | undefined,
  apps: string[],
): Promise<FilterNode> {
  const scope: FilterNode = { kind: "in", field: "app", values: apps, negate: false };
  const tree = parseRlx(text ?? "", { currentUser: caller.user.id });
  return tree ? { kind: "and", items: [scope, await resolve(tree, people)] } : scope;
}
