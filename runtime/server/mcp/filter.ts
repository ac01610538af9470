/**
 * An RLX filter from an assistant -> the store's filter tree for one app's records. Field names
 * are checked (a typo is an error, never an empty answer); people are matched by name, links by
 * slug and lookups by caption; `=` on a list field (people, links, tags) means "holds".
 */
import { type LoadedApp, READ_ONLY_FIELDS } from "../../actions/index.ts";
import type { FilterNode } from "../../store/index.ts";
import { parseRlx } from "../../rlx/index.ts";
import { fieldNamed } from "./app-fields.ts";
import type { Caller } from "./caller.ts";
import type { ValueResolver } from "./values.ts";

const LIST_TYPES = new Set(["peoplelist", "linkslist", "lookupMulti", "fileslist"]);

async function resolve(node: FilterNode, app: LoadedApp, values: ValueResolver): Promise<FilterNode> {
  if (node.kind === "and" || node.kind === "or")
    return {
      kind: node.kind,
      items: await Promise.all(node.items.map((item) => resolve(item, app, values))),
    };
  if (READ_ONLY_FIELDS.has(node.field) && node.field !== "attachments__list") return node;
  const field = fieldNamed(app, node.field, { columns: true });
  if (node.kind === "contains") return { ...node, field: field.name };
  if (node.kind === "compare") {
    const named = { ...node, field: field.name };
    const value = await values.scalar(field, named.value);
    if (LIST_TYPES.has(field.type) && value !== null && (named.op === "=" || named.op === "!="))
      return { kind: "has", field: field.name, values: [value as string], negate: named.op === "!=" };
    return { ...named, value: value as never };
  }
  const resolved = (await Promise.all(node.values.map((v) => values.scalar(field, v)))) as string[];
  if (LIST_TYPES.has(field.type))
    return { kind: "has", field: field.name, values: resolved, negate: node.negate };
  return { ...node, field: field.name, values: resolved };
}

/** @throws RuntimeError bad_request (syntax, with the position) or validation_error (fields, values) */
export async function recordFilter(
  app: LoadedApp,
  caller: Caller,
  values: ValueResolver,
  ...texts: (string | undefined)[]
): Promise<FilterNode | undefined> {
  const trees = texts
    .map((text) => parseRlx(text ?? "", { currentUser: caller.user.id }))
    .filter((tree): tree is FilterNode => tree !== undefined);
  if (trees.length === 0) return undefined;
  const resolved = await Promise.all(trees.map((tree) => resolve(tree, app, values)));
  return resolved.length === 1 ? resolved[0] : { kind: "and", items: resolved };
}
