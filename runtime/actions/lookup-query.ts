/**
 * `ComindServer.resolveLookup` / `matchLookup` on the host: a value -> its option, or a caption ->
 * its option, from the field's static `options` or from the records of its `lookupApp` (which the
 * app must be allowed to read, as for any query).
 */
import type { AppField } from "../../globals/app-types.ts";
import type { LookupOption } from "../../globals/bridge-contract.ts";
import { RuntimeError } from "../errors.ts";
import type { FilterNode } from "../store/index.ts";
import { lookupValueId, staticOptions } from "./lookups.ts";
import { queryWithPending } from "./pending-query.ts";
import type { UnitOfWork } from "./unit-of-work.ts";

export async function findLookupOption(
  uow: UnitOfWork,
  field: AppField,
  lookupAppAlias: (wksApp: string) => string,
  wanted: { value?: unknown; caption?: string },
): Promise<LookupOption | null> {
  const caption = wanted.caption === undefined ? null : wanted.caption.trim().toLowerCase();
  const id = lookupValueId(wanted.value);
  const options = staticOptions(field);
  if (options)
    return (
      options.find((o) => (caption === null ? o.value === id : o.caption.toLowerCase() === caption)) ?? null
    );
  if (typeof field.lookupApp !== "string")
    throw new RuntimeError(
      "app_invalid",
      `Lookup field "${field.name}" needs "options" or "lookupApp" in fields/index.ts.`,
    );
  if (caption === null && id === null) return null;
  const target = lookupAppAlias(field.lookupApp);
  uow.schema(target);
  // By id: that record. By caption: titles containing it (any case), then the exact one.
  const rlx: FilterNode =
    caption === null
      ? { kind: "compare", field: "id", op: "=", value: id }
      : { kind: "contains", field: "title", value: caption };
  const candidates = await queryWithPending(uow, { appAlias: target, rlx, limit: 10_000 });
  const match = candidates.find(
    (record) => caption === null || String(record.fields.title ?? "").toLowerCase() === caption,
  );
  return match
    ? { value: match.id, caption: String(match.fields.title ?? ""), position: match.stored?.number ?? null }
    : null;
}
