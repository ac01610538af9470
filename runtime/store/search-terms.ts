/** Free text -> words safe to hand to a full-text engine (no operators, no syntax errors). */
export function searchWords(text: string): string[] {
  return String(text ?? "")
    .normalize("NFKC")
    .split(/[^\p{L}\p{N}_]+/u)
    .filter(Boolean)
    .slice(0, 20);
}

/** FTS5 MATCH expression: every word must occur, the last one as a prefix. */
export function fts5Query(text: string): string | null {
  const words = searchWords(text);
  if (words.length === 0) return null;
  return words.map((word, i) => `"${word}"${i === words.length - 1 ? "*" : ""}`).join(" ");
}
