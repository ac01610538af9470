import { describe, expect, it } from "vitest";
import { parseRlx } from "../../runtime/rlx/index.ts";

const ctx = { currentUser: "user-7" };

describe("rlx filter parser", () => {
  it("parses every operator", () => {
    expect(parseRlx('state="active"', ctx)).toEqual({
      kind: "compare",
      field: "state",
      op: "=",
      value: "active",
    });
    expect(parseRlx("total>1000", ctx)).toEqual({ kind: "compare", field: "total", op: ">", value: 1000 });
    expect(parseRlx('state!="closed"', ctx)).toMatchObject({ op: "!=", value: "closed" });
    expect(parseRlx("c_n>=1.5", ctx)).toMatchObject({ op: ">=", value: 1.5 });
    expect(parseRlx("c_n<=-2", ctx)).toMatchObject({ op: "<=", value: -2 });
    expect(parseRlx("c_n<3", ctx)).toMatchObject({ op: "<", value: 3 });
    expect(parseRlx("c_flag=true", ctx)).toMatchObject({ value: true });
    expect(parseRlx("c_x=null", ctx)).toMatchObject({ value: null });
    expect(parseRlx('title~"acme"', ctx)).toEqual({ kind: "contains", field: "title", value: "acme" });
  });

  it("parses in-lists with casts", () => {
    expect(parseRlx('state in "a,b":string[]', ctx)).toEqual({
      kind: "in",
      field: "state",
      values: ["a", "b"],
      negate: false,
    });
    expect(parseRlx('c_n IN "1, 2":number[]', ctx)).toEqual({
      kind: "in",
      field: "c_n",
      values: [1, 2],
      negate: false,
    });
    expect(parseRlx('state not in "x"', ctx)).toEqual({
      kind: "in",
      field: "state",
      values: ["x"],
      negate: true,
    });
  });

  it("gives AND precedence over OR and honours parentheses", () => {
    expect(parseRlx('a="1" OR b="2" AND c="3"', ctx)).toEqual({
      kind: "or",
      items: [
        { kind: "compare", field: "a", op: "=", value: "1" },
        {
          kind: "and",
          items: [
            { kind: "compare", field: "b", op: "=", value: "2" },
            { kind: "compare", field: "c", op: "=", value: "3" },
          ],
        },
      ],
    });
    expect(parseRlx('(a="1" OR b="2") AND c="3"', ctx)).toMatchObject({
      kind: "and",
      items: [{ kind: "or" }, { field: "c" }],
    });
  });

  it("unescapes quoted strings and substitutes {current-user}", () => {
    expect(parseRlx('title="say \\"hi\\" \\\\ ok"', ctx)).toMatchObject({ value: 'say "hi" \\ ok' });
    expect(parseRlx('owner="{current-user}"', ctx)).toMatchObject({ value: "user-7" });
    expect(parseRlx('owner in "{current-user},x"', ctx)).toMatchObject({ values: ["user-7", "x"] });
  });

  it("treats an empty filter as no filter", () => {
    expect(parseRlx("", ctx)).toBeUndefined();
    expect(parseRlx("   ", ctx)).toBeUndefined();
  });

  it.each([
    ['state="open', 7, /unterminated string/],
    ["state=open", 7, /expected a value/],
    ['state="a" AND', 14, /expected a field name/],
    ['(state="a"', 11, /missing "\)"/],
    ['state="a" state="b"', 11, /unexpected text/],
    ['state @ "a"', 7, /unexpected character/],
    ['"x"="y"', 1, /expected a field name/],
    ['state in "a":bogus[]', 10, /unknown list type/],
    ['c_n in "1,x":number[]', 8, /not a number/],
  ])("reports %s at position %i", (text, position, message) => {
    try {
      parseRlx(text as string, ctx);
      throw new Error("should have failed");
    } catch (error: any) {
      expect(error.code).toBe("bad_request");
      expect(error.message).toMatch(message as RegExp);
      expect(error.message).toContain(`position ${position}`);
    }
  });

  it("refuses pathological input instead of recursing forever", () => {
    expect(() => parseRlx(`${"(".repeat(100)}a="1"${")".repeat(100)}`, ctx)).toThrow(/nested too deeply/);
    expect(() => parseRlx(Array.from({ length: 300 }, (_, i) => `f${i}="x"`).join(" AND "), ctx)).toThrow(
      /more than 200 conditions/,
    );
  });
});
