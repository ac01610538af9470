/**
 * Rich text sent by an assistant as HTML, markdown or plain text -> the HTML a rich-text field
 * keeps. HTML passes unchanged; anything else is read as markdown (plain text is markdown without
 * marks): paragraphs, line breaks, `#` headings, `-`/`1.` lists, **bold**, *italic*, `code` and
 * [links](https://...). Text is escaped first, so no markup is made from what was not markdown.
 */

const HTML = /^\s*<(p|div|h[1-6]|ul|ol|li|br|b|i|strong|em|span|a|table|pre|blockquote|img)\b[^>]*>/i;

const escapeHtml = (text: string) =>
  text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");

function inline(text: string): string {
  return escapeHtml(text)
    .replace(/`([^`]+)`/g, "<code>$1</code>")
    .replace(/\*\*([^*]+)\*\*/g, "<strong>$1</strong>")
    .replace(/(^|[^*])\*([^*\s][^*]*)\*/g, "$1<em>$2</em>")
    .replace(/\[([^\]]+)\]\((https?:\/\/[^\s)]+)\)/g, '<a href="$2">$1</a>');
}

function block(lines: string[]): string {
  const heading = /^(#{1,6})\s+(.*)$/.exec(lines[0]);
  if (heading && lines.length === 1)
    return `<h${heading[1].length}>${inline(heading[2])}</h${heading[1].length}>`;
  if (lines.every((line) => /^\s*[-*+]\s+/.test(line)))
    return `<ul>${lines.map((line) => `<li>${inline(line.replace(/^\s*[-*+]\s+/, ""))}</li>`).join("")}</ul>`;
  if (lines.every((line) => /^\s*\d+[.)]\s+/.test(line)))
    return `<ol>${lines.map((line) => `<li>${inline(line.replace(/^\s*\d+[.)]\s+/, ""))}</li>`).join("")}</ol>`;
  return `<p>${lines.map(inline).join("<br>")}</p>`;
}

/** HTML unchanged; markdown or plain text converted. */
export function toHtml(text: string): string {
  if (HTML.test(text)) return text;
  return text
    .replace(/\r\n?/g, "\n")
    .split(/\n\s*\n/)
    .map((part) => part.split("\n").filter((line) => line.trim() !== ""))
    .filter((lines) => lines.length > 0)
    .map(block)
    .join("");
}
