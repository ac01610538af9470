/**
 * rlx filter parser (recursive descent): `state="active" AND (total>1000 OR owner="{current-user}")`,
 * `state!="closed"`, `state in "a,b":string[]`, `title~"acme"` (contains).
 *
 * @example parseRlx('state="open" AND c_total>10', { currentUser: "u1" })
 */
import { assertFieldName } from "../store/index.ts";
import type { Comparison, FilterNode, FilterValue } from "../store/index.ts";
import { RlxError } from "./error.ts";
import { tokenize, type Token } from "./tokenize.ts";

export interface RlxContext {
  currentUser: string;
}

const MAX_DEPTH = 32;
const MAX_TERMS = 200;

export function parseRlx(text: string, context: RlxContext): FilterNode | undefined {
  if (!text?.trim()) return undefined;
  if (text.length > 10_000) throw new RlxError("the filter is longer than 10,000 characters", 0);
  const tokens = tokenize(text);
  let index = 0;
  let terms = 0;
  const peek = () => tokens[index];
  const next = () => tokens[index++];
  const keyword = (word: string) =>
    peek().type === "ident" && (peek() as { value: string }).value.toUpperCase() === word;

  const substitute = (value: string) => (value === "{current-user}" ? context.currentUser : value);

  function literal(): FilterValue {
    const token = next();
    if (token.type === "string") return substitute(token.value);
    if (token.type === "number") return token.value;
    if (token.type === "ident" && /^(true|false|null)$/i.test(token.value))
      return JSON.parse(token.value.toLowerCase());
    throw new RlxError(
      'expected a value: a quoted string ("open"), a number, true, false or null',
      token.pos,
    );
  }

  function listValues(): FilterValue[] {
    const token = next();
    if (token.type !== "string")
      throw new RlxError('expected a quoted, comma-separated list such as "a,b":string[]', token.pos);
    const cast = peek().type === "cast" ? (next() as { value: string }).value : "string";
    const items = token.value
      .split(",")
      .map((item) => item.trim())
      .filter(Boolean);
    if (cast === "number") {
      return items.map((item) => {
        const value = Number(item);
        if (!Number.isFinite(value)) throw new RlxError(`"${item}" is not a number`, token.pos);
        return value;
      });
    }
    if (cast !== "string")
      throw new RlxError(`unknown list type :${cast}[] (use :string[] or :number[])`, token.pos);
    return items.map(substitute);
  }

  function comparison(): FilterNode {
    const fieldToken = next();
    if (fieldToken.type !== "ident") throw new RlxError("expected a field name", fieldToken.pos);
    let field: string;
    try {
      field = assertFieldName(fieldToken.value);
    } catch {
      throw new RlxError(`"${fieldToken.value}" is not a valid field name`, fieldToken.pos);
    }
    if (++terms > MAX_TERMS) throw new RlxError(`more than ${MAX_TERMS} conditions`, fieldToken.pos);
    if (keyword("NOT")) {
      next();
      if (!keyword("IN")) throw new RlxError("expected IN after NOT", peek().pos);
      next();
      return { kind: "in", field, values: listValues(), negate: true };
    }
    if (keyword("IN")) {
      next();
      return { kind: "in", field, values: listValues(), negate: false };
    }
    const op = next();
    if (op.type !== "op") throw new RlxError("expected an operator (=, !=, >, <, >=, <=, ~ or in)", op.pos);
    if (op.value === "~") {
      const value = literal();
      if (typeof value !== "string") throw new RlxError("~ (contains) needs a quoted string", op.pos);
      return { kind: "contains", field, value };
    }
    return { kind: "compare", field, op: op.value as Comparison, value: literal() };
  }

  function primary(depth: number): FilterNode {
    if (depth > MAX_DEPTH) throw new RlxError("parentheses nested too deeply", peek().pos);
    if (peek().type === "lparen") {
      const open = next();
      const node = orExpr(depth + 1);
      if (peek().type !== "rparen")
        throw new RlxError(`missing ")" for the "(" at position ${open.pos + 1}`, peek().pos);
      next();
      return node;
    }
    return comparison();
  }

  function andExpr(depth: number): FilterNode {
    const items = [primary(depth)];
    while (keyword("AND")) {
      next();
      items.push(primary(depth));
    }
    return items.length === 1 ? items[0] : { kind: "and", items };
  }

  function orExpr(depth: number): FilterNode {
    const items = [andExpr(depth)];
    while (keyword("OR")) {
      next();
      items.push(andExpr(depth));
    }
    return items.length === 1 ? items[0] : { kind: "or", items };
  }

  const tree = orExpr(0);
  const rest: Token = peek();
  if (rest.type !== "end")
    throw new RlxError(
      "unexpected text after the end of the filter (join conditions with AND or OR)",
      rest.pos,
    );
  return tree;
}
