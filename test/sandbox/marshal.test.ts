import { describe, expect, it } from "vitest";
import { parseFromIsolate } from "../../runtime/sandbox/marshal.ts";

const parse = (text: string) => parseFromIsolate<Record<string, unknown>>(text, 1024, "The argument");

describe("parseFromIsolate", () => {
  it("drops __proto__, constructor and prototype keys at any depth", () => {
    const value = parse(
      '{"a":1,"__proto__":{"polluted":true},"b":{"constructor":{"x":1},"prototype":2,"c":3}}',
    );
    expect(value).toEqual({ a: 1, b: { c: 3 } });
    expect(Object.hasOwn(value, "__proto__")).toBe(false);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it("drops forbidden keys spelled with \\u escapes", () => {
    const value = parse('{"\\u005f_proto__":{"polluted":true},"\\u0063onstructor":1,"ok":"\\u00e9"}');
    expect(value).toEqual({ ok: "é" });
    expect(Object.getPrototypeOf(value)).toBe(Object.prototype);
  });

  it("keeps those words where they are values, not keys", () => {
    expect(parse('{"note":"the constructor of a prototype","k":"__proto__"}')).toEqual({
      note: "the constructor of a prototype",
      k: "__proto__",
    });
  });

  it("parses ordinary text as JSON.parse does", () => {
    const text = '{"baseUrl":"http://127.0.0.1:1","path":"/x","headers":[["a","b"]],"n":1.5,"z":null}';
    expect(parse(text)).toEqual(JSON.parse(text));
  });

  it("refuses text over the limit and anything that is not text", () => {
    expect(() => parseFromIsolate("x".repeat(2000), 1024, "The argument")).toThrow(
      expect.objectContaining({ code: "limit_exceeded" }),
    );
    expect(() => parseFromIsolate(42, 1024, "The argument")).toThrow(
      expect.objectContaining({ code: "bad_request" }),
    );
  });
});
