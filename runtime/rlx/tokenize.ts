/**
 * Tokens of the rlx filter language: identifiers, quoted strings (with \" and \\ escapes),
 * numbers, operators, parentheses, AND/OR/IN/NOT keywords and `:type[]` casts.
 */
import { RlxError } from "./error.ts";

export type Token =
  | { type: "ident"; value: string; pos: number }
  | { type: "string"; value: string; pos: number }
  | { type: "number"; value: number; pos: number }
  | { type: "op"; value: string; pos: number }
  | { type: "lparen" | "rparen" | "end"; pos: number }
  | { type: "cast"; value: string; pos: number };

const OPERATORS = ["!=", ">=", "<=", "=", ">", "<", "~"];

function readString(text: string, start: number): { value: string; end: number } {
  let value = "";
  let i = start + 1;
  while (i < text.length) {
    const ch = text[i];
    if (ch === "\\") {
      const next = text[i + 1];
      if (next === undefined) break;
      value += next === "n" ? "\n" : next === "t" ? "\t" : next;
      i += 2;
      continue;
    }
    if (ch === '"') return { value, end: i + 1 };
    value += ch;
    i += 1;
  }
  throw new RlxError("unterminated string: add the closing quote", start);
}

export function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const ch = text[i];
    if (/\s/.test(ch)) {
      i += 1;
      continue;
    }
    if (ch === "(") {
      tokens.push({ type: "lparen", pos: i });
      i += 1;
      continue;
    }
    if (ch === ")") {
      tokens.push({ type: "rparen", pos: i });
      i += 1;
      continue;
    }
    if (ch === '"') {
      const { value, end } = readString(text, i);
      tokens.push({ type: "string", value, pos: i });
      i = end;
      continue;
    }
    if (ch === ":") {
      const match = /^:([a-z]+)\[\]/i.exec(text.slice(i));
      if (!match) throw new RlxError("expected a list cast such as :string[] or :number[]", i);
      tokens.push({ type: "cast", value: match[1].toLowerCase(), pos: i });
      i += match[0].length;
      continue;
    }
    const number = /^-?\d+(\.\d+)?/.exec(text.slice(i));
    if (number && (ch !== "-" || tokens.at(-1)?.type === "op")) {
      tokens.push({ type: "number", value: Number(number[0]), pos: i });
      i += number[0].length;
      continue;
    }
    const op = OPERATORS.find((candidate) => text.startsWith(candidate, i));
    if (op) {
      tokens.push({ type: "op", value: op, pos: i });
      i += op.length;
      continue;
    }
    const ident = /^[A-Za-z_][A-Za-z0-9_]*/.exec(text.slice(i));
    if (ident) {
      tokens.push({ type: "ident", value: ident[0], pos: i });
      i += ident[0].length;
      continue;
    }
    throw new RlxError(`unexpected character ${JSON.stringify(ch)}`, i);
  }
  tokens.push({ type: "end", pos: text.length });
  return tokens;
}
