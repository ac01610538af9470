import { describe, expect, it } from "vitest";
import { FieldSchema, type JsonRecord } from "../../runtime/actions/fields.ts";
import { toEntity } from "../../runtime/actions/record-shape.ts";
import type { StoredRecord } from "../../runtime/store/index.ts";

// The entity that logic and API clients see: every field at the top level, in a fixed key order.
const schema = new FieldSchema("FORMS", [
  { name: "c_note", type: "text" },
  { name: "c_level", type: "lookup", options: ["low", "high"] },
  { name: "c_files", type: "fileslist" },
] as never);
const stored = {
  id: "r1",
  workspace: "DEMO",
  app: "FORMS",
  number: 7,
  revision: 2,
  fields: {},
  creationDate: "2026-12-01T00:00:00.000Z",
  updateDate: "2026-12-02T00:00:00.000Z",
} satisfies StoredRecord;

describe("toEntity", () => {
  it("puts id and number first, every field (null when unset), the __list mirrors, lookups resolved, dates last", () => {
    const files = [{ file_uid: "f1", title: "a.pdf" }];
    const entity = toEntity("r1", { c_note: "hi", c_level: "high", c_files: files }, stored, schema);
    expect(Object.keys(entity)).toEqual([
      "id",
      "number",
      "title",
      "state",
      "description",
      "assignees_list",
      "attachments",
      "c_json_data",
      "c_note",
      "c_level",
      "c_files",
      "attachments__list",
      "c_files__list",
      "c_level__resolved",
      "creation_date",
      "update_date",
    ]);
    expect(entity).toMatchObject({
      id: "r1",
      number: 7,
      title: null,
      c_note: "hi",
      c_files__list: files,
      attachments__list: null,
      c_level__resolved: { caption: "high" },
      creation_date: stored.creationDate,
      update_date: stored.updateDate,
    });
  });

  it("lets stored values of id and number win, but never the store's dates", () => {
    const fields: JsonRecord = { id: "other", number: 99, creation_date: "1999", c_note: "x" };
    const entity = toEntity("r1", fields, stored, schema);
    expect(entity.id).toBe("other");
    expect(entity.number).toBe(99);
    expect(entity.creation_date).toBe(stored.creationDate);
    expect(Object.keys(entity).filter((key) => key === "creation_date")).toHaveLength(1);
    expect(toEntity("new", {}, null, schema)).toMatchObject({ id: "new", number: null, creation_date: null });
  });

  it("keeps a __proto__ key of stored fields as data: the entity's prototype stays Object's", () => {
    const fields = JSON.parse('{"__proto__": {"polluted": true}, "c_note": "x"}') as JsonRecord;
    const entity = toEntity("r1", fields, stored, schema);
    expect(Object.getPrototypeOf(entity)).toBe(Object.prototype);
    expect((entity as { polluted?: unknown }).polluted).toBeUndefined();
    expect(Object.keys(entity)).toContain("__proto__");
    expect(Object.getOwnPropertyDescriptor(entity, "__proto__")?.value).toEqual({ polluted: true });
  });
});
