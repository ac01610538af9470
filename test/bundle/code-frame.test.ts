// A build error carries a code frame: where (1-based, as editors count) and the source line with a
// caret under the spot, kept readable for long (minified) lines and lines indented with tabs.
import { afterAll, describe, expect, it } from "vitest";
import type { Message } from "esbuild";
import { BuildError, buildApp, codeFrameOf } from "../../runtime/bundle/index.ts";
import { codeFrame } from "../../runtime/bundle/code-frame.ts";
import { removeTempApps, writeTempApp } from "../helpers/temp-app.ts";

afterAll(removeTempApps);

const at = (lineText: string, column: number, length = 1): Message =>
  ({
    id: "",
    pluginName: "",
    text: "Unexpected thing",
    location: { file: "a.ts", namespace: "file", line: 7, column, length, lineText, suggestion: "" },
    notes: [],
    detail: undefined,
  }) as Message;

describe("the code frame of a build error", () => {
  it("comes with the error of a broken app: file:line:column, the line and a caret", async () => {
    const dir = writeTempApp({ "actions/logic/index.ts": "export default {\n  go() { const = ; },\n};\n" });
    const error = await buildApp(dir).then(
      () => undefined,
      (thrown: unknown) => thrown,
    );
    expect(error).toBeInstanceOf(BuildError);
    expect((error as BuildError).message).toBe(
      'actions/logic/index.ts:2:16: Expected identifier but found "="',
    );
    expect(codeFrameOf(error)).toBe(
      [
        'actions/logic/index.ts:2:16: Expected identifier but found "="',
        "  2 │   go() { const = ; },",
        "    │                ^",
      ].join("\n"),
    );
    expect(codeFrameOf(new Error("other"))).toBeUndefined();
  });

  it("keeps tabs under the code so the caret lines up", () => {
    expect(codeFrame([at("\t\tx y", 4)])).toBe("a.ts:7:5: Unexpected thing\n  7 │ \t\tx y\n    │ \t\t  ^");
  });

  it("shows a window of a long line around the spot", () => {
    const line = `${"a".repeat(500)}@${"b".repeat(500)}`;
    const [, source, caret] = codeFrame([at(line, 500)]).split("\n");
    expect(source).toBe(`  7 │ …${"a".repeat(60)}@${"b".repeat(59)}…`);
    expect(caret).toBe(`    │ ${" ".repeat(61)}^`);
  });
});
