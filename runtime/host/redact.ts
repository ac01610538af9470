/**
 * Secret redaction: every secret value of the app (and its base64 and URL-encoded forms) is
 * replaced by *** in logs, errors and the run log.
 */
const MIN_SECRET_LENGTH = 4;

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

export type Redactor = (text: string) => string;

export function createRedactor(secretValues: string[]): Redactor {
  const forms = new Set<string>();
  for (const value of secretValues) {
    if (typeof value !== "string" || value.length < MIN_SECRET_LENGTH) continue;
    forms.add(value);
    forms.add(encodeURIComponent(value));
    const base64 = Buffer.from(value, "utf8").toString("base64");
    forms.add(base64);
    forms.add(base64.replace(/=+$/, ""));
  }
  if (forms.size === 0) return (text) => text;
  // Longest first so a value that contains another is replaced whole.
  const pattern = new RegExp(
    [...forms]
      .sort((a, b) => b.length - a.length)
      .map(escapeRegExp)
      .join("|"),
    "g",
  );
  return (text) => (typeof text === "string" ? text.replace(pattern, "***") : text);
}
