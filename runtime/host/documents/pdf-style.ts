/**
 * Fonts and inline styles of the HTML-to-PDF renderer: which DejaVu face a run of text uses, and
 * the few CSS properties and tags that change it.
 */
import { createRequire } from "node:module";
import type { parseDocument } from "htmlparser2";

export interface Run {
  text: string;
  bold: boolean;
  italic: boolean;
  underline: boolean;
  mono: boolean;
  link?: string;
  color?: string;
}
export type InlineStyle = Omit<Run, "text">;

export type ChildNode = ReturnType<typeof parseDocument>["children"][number];
export type Element = ChildNode & { name: string; attribs: Record<string, string>; children: ChildNode[] };
export const isTag = (node: ChildNode): node is Element => "name" in node && "attribs" in node;
export const isText = (node: ChildNode): node is ChildNode & { data: string } => node.type === "text";
const fontFile = (name: string) => createRequire(import.meta.url).resolve(`dejavu-fonts-ttf/ttf/${name}.ttf`);
export const FONTS: Record<string, string> = {
  Sans: fontFile("DejaVuSans"),
  "Sans-Bold": fontFile("DejaVuSans-Bold"),
  "Sans-Oblique": fontFile("DejaVuSans-Oblique"),
  "Sans-BoldOblique": fontFile("DejaVuSans-BoldOblique"),
  Mono: fontFile("DejaVuSansMono"),
  "Mono-Bold": fontFile("DejaVuSansMono-Bold"),
};

export function fontOf(run: InlineStyle): string {
  if (run.mono) return run.bold ? "Mono-Bold" : "Mono";
  if (run.bold && run.italic) return "Sans-BoldOblique";
  if (run.bold) return "Sans-Bold";
  if (run.italic) return "Sans-Oblique";
  return "Sans";
}

export function styleOf(element: Element): Record<string, string> {
  const styles: Record<string, string> = {};
  for (const declaration of (element.attribs.style ?? "").split(";")) {
    const [name, ...value] = declaration.split(":");
    if (name && value.length) styles[name.trim().toLowerCase()] = value.join(":").trim().toLowerCase();
  }
  return styles;
}

export function inlineStyle(element: Element, base: InlineStyle): InlineStyle {
  const css = styleOf(element);
  const name = element.name;
  const color = css.color && /^#[0-9a-f]{3,6}$|^[a-z]+$/.test(css.color) ? css.color : base.color;
  return {
    bold: base.bold || name === "b" || name === "strong" || name === "th" || css["font-weight"] === "bold",
    italic: base.italic || name === "i" || name === "em" || css["font-style"] === "italic",
    underline: base.underline || name === "u" || name === "a",
    mono: base.mono || name === "code" || name === "pre" || name === "tt" || name === "kbd",
    link:
      name === "a" && /^(https?:|mailto:)/i.test(element.attribs.href ?? "")
        ? element.attribs.href
        : base.link,
    color,
  };
}
