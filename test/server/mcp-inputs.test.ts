/**
 * What an assistant types, read the way the vendor's clients mean it: record references with
 * aliases that end in digits, rich text as markdown or HTML, search queries with phrases and
 * exclusions, saved lists an app declares.
 */
import { describe, expect, it } from "vitest";
import { formatRecordRef, parseRecordRef } from "../../runtime/actions/index.ts";
import { readSavedLists } from "../../runtime/bundle/saved-lists.ts";
import { toHtml } from "../../runtime/server/mcp/rich-text.ts";
import { parseSearch } from "../../runtime/server/mcp/search.ts";

describe("record references", () => {
  it("reads WS/APP123, without the workspace, in any case, and refuses what is not one", () => {
    expect(parseRecordRef("IT/TASK123", "DEMO", ["TASK"])).toEqual({
      workspace: "IT",
      app: "TASK",
      number: 123,
    });
    expect(parseRecordRef(" demo/task7 ", "DEMO", ["TASK"])).toEqual({
      workspace: "DEMO",
      app: "TASK",
      number: 7,
    });
    expect(parseRecordRef("TASK7", "DEMO", ["TASK"])).toEqual({ workspace: "DEMO", app: "TASK", number: 7 });
    expect(parseRecordRef("DEMO/ATTACHMENT31", "DEMO", [])).toEqual({
      workspace: "DEMO",
      app: "ATTACHMENT",
      number: 31,
    });
    for (const text of [
      "5b0c1e6a-8f1c-4c55-9a57-1d9b8c2f0e11",
      "DEMO/TASK",
      "DEMO/123",
      "DEMO/TASK0",
      "a/b/c1",
      "",
    ])
      expect(parseRecordRef(text, "DEMO", ["TASK"]), text).toBeNull();
    expect(formatRecordRef("DEMO", "TASK", 12)).toBe("DEMO/TASK12");
  });

  it("splits an alias that ends in digits by the longest installed alias", () => {
    expect(parseRecordRef("DEMO/APP2123", "DEMO", ["APP", "APP2"])).toMatchObject({
      app: "APP2",
      number: 123,
    });
    expect(parseRecordRef("DEMO/APP2123", "DEMO", ["APP"])).toMatchObject({ app: "APP", number: 2123 });
  });
});

describe("rich text", () => {
  it("keeps HTML and turns markdown or plain text into HTML, escaping what is not markup", () => {
    expect(toHtml("<p>Need a <b>laptop</b></p>")).toBe("<p>Need a <b>laptop</b></p>");
    expect(toHtml("plain line\nsecond line\n\nnext <paragraph> & more")).toBe(
      "<p>plain line<br>second line</p><p>next &lt;paragraph&gt; &amp; more</p>",
    );
    expect(
      toHtml("# Title\n\n- **bold** item\n- *it* with `code`\n\n1. one\n2. [link](https://acme.test/x)"),
    ).toBe(
      '<h1>Title</h1><ul><li><strong>bold</strong> item</li><li><em>it</em> with <code>code</code></li></ul><ol><li>one</li><li><a href="https://acme.test/x">link</a></li></ol>',
    );
    expect(toHtml("[x](javascript:alert(1))")).toBe("<p>[x](javascript:alert(1))</p>");
  });
});

describe("search queries", () => {
  it("splits words, exact phrases and excluded words", () => {
    expect(parseSearch('network "power outage" -printer laptop')).toEqual({
      words: ["network", "laptop", "power", "outage"],
      phrases: ["power outage"],
      excluded: ["printer"],
    });
    expect(() => parseSearch("-printer")).toThrow(/at least one word/);
  });
});

describe("saved lists (comindApp.lists)", () => {
  it("reads aliases, captions, filters and sorts", () => {
    expect(readSavedLists("TASK", undefined)).toEqual([]);
    expect(
      readSavedLists("TASK", [
        { alias: "open", filter: 'state="open"' },
        { alias: "MINE", caption: "Mine", filter: "", sort: "updated desc" },
      ]),
    ).toEqual([
      { alias: "OPEN", caption: "open", filter: 'state="open"', sort: null },
      { alias: "MINE", caption: "Mine", filter: "", sort: "updated desc" },
    ]);
  });

  it("refuses a list it cannot use, naming it (the app is not installed)", () => {
    const refused: [unknown, RegExp][] = [
      [{ alias: "OPEN" }, /./],
      ["OPEN", /must be an array/],
      [[{ alias: "my list" }], /lists\[0\] of app TASK needs an "alias"/],
      [[{ alias: "A" }, { alias: "a" }], /lists\[1\] of app TASK repeats the alias "a"/],
      [[{ alias: "A", filter: 'state="open' }], /lists\[0\] of app TASK has a filter that does not parse/],
      [[{ alias: "A", sort: 3 }], /"sort" that is not a string/],
    ];
    for (const [raw, message] of refused)
      expect(() => readSavedLists("TASK", raw)).toThrow(
        expect.objectContaining({ code: "app_invalid", message: expect.stringMatching(message) }),
      );
  });
});
