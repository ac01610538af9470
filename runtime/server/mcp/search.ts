/**
 * search_records' query language: words (all must occur), "exact phrases" and -excluded words.
 * The store's full-text index finds the candidates by the words (phrase words included); phrases
 * and exclusions are checked here on each candidate's text.
 */
import { RuntimeError } from "../../errors.ts";
import type { StoredRecord } from "../../store/index.ts";

export interface SearchTerms {
  words: string[];
  phrases: string[];
  excluded: string[];
}

const WORD = /[\p{L}\p{N}_]+/gu;
const wordsOf = (text: string) => (text.normalize("NFKC").toLowerCase().match(WORD) ?? []) as string[];

export function parseSearch(query: string): SearchTerms {
  const phrases: string[] = [];
  const rest = query.replace(/"([^"]*)"/g, (_, phrase: string) => {
    if (phrase.trim()) phrases.push(phrase.trim().toLowerCase());
    return " ";
  });
  const tokens = rest.split(/\s+/).filter(Boolean);
  const excluded = tokens
    .filter((t) => t.startsWith("-") && t.length > 1)
    .flatMap((t) => wordsOf(t.slice(1)));
  const words = [...tokens.filter((t) => !t.startsWith("-")).flatMap(wordsOf), ...phrases.flatMap(wordsOf)];
  if (words.length === 0)
    throw new RuntimeError(
      "bad_request",
      'Give at least one word to find in "query" ("-word" only leaves records out), e.g. "laptop -replacement".',
    );
  return { words, phrases, excluded };
}

function textOf(record: StoredRecord): string {
  return Object.values(record.fields)
    .filter((value): value is string => typeof value === "string")
    .join("\n")
    .normalize("NFKC")
    .toLowerCase();
}

export function searchMatches(record: StoredRecord, terms: SearchTerms): boolean {
  if (terms.phrases.length === 0 && terms.excluded.length === 0) return true;
  const text = textOf(record);
  if (!terms.phrases.every((phrase) => text.includes(phrase))) return false;
  const words = new Set(wordsOf(text));
  return !terms.excluded.some((word) => words.has(word));
}
