/**
 * A received message, parsed by mailparser into what delivery needs: the headers, bodies and
 * attachments. A message without a From address or a Date cannot be a real e-mail (RFC 5322 makes
 * both mandatory; mail servers add them) and is refused before anything is written.
 */
import { type AddressObject, simpleParser } from "mailparser";
import { refuse } from "./smtp-refusal.ts";

export interface ParsedAttachment {
  fileName: string;
  contentType: string;
  content: Buffer;
}

export interface ParsedEmail {
  /** Header names in lower case; a header sent several times is joined with ", ". */
  headers: Record<string, string>;
  fromHeader: { name: string; address: string };
  to: string[];
  cc: string[];
  subject: string;
  text: string;
  html: string | null;
  messageId: string | null;
  date: string | null;
  attachments: ParsedAttachment[];
}

/** Longest header value handed to the logic: a header is a line, not a document. */
const MAX_HEADER_CHARS = 8_000;

const addressesOf = (field: AddressObject | AddressObject[] | undefined): string[] =>
  (Array.isArray(field) ? field : field ? [field] : [])
    .flatMap((object) => object.value)
    .map((entry) => entry.address?.toLowerCase())
    .filter((address): address is string => typeof address === "string" && address.includes("@"));

function headerText(lines: readonly { key: string; line: string }[]): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const { key, line } of lines) {
    const value = line
      .slice(line.indexOf(":") + 1)
      .trim()
      .slice(0, MAX_HEADER_CHARS);
    headers[key] = headers[key] === undefined ? value : `${headers[key]}, ${value}`;
  }
  return headers;
}

/** @throws SmtpRefusal 554 5.6.0 for a message that is not an e-mail */
export async function parseEmail(raw: Buffer): Promise<ParsedEmail> {
  const mail = await simpleParser(raw, { skipImageLinks: true, skipTextToHtml: true }).catch(() => {
    throw refuse.malformed("it could not be parsed as an e-mail");
  });
  const sender = mail.from?.value.find((entry) => entry.address?.includes("@"));
  if (!sender?.address) throw refuse.malformed("it has no From header with an address");
  if (!mail.headers.has("date") || !mail.date || Number.isNaN(mail.date.getTime()))
    throw refuse.malformed("it has no valid Date header");
  return {
    headers: headerText(mail.headerLines),
    fromHeader: { name: sender.name ?? "", address: sender.address.toLowerCase() },
    to: addressesOf(mail.to),
    cc: addressesOf(mail.cc),
    subject: mail.subject ?? "",
    text: mail.text ?? "",
    html: typeof mail.html === "string" ? mail.html : null,
    messageId: mail.messageId ?? null,
    date: mail.date.toISOString(),
    attachments: mail.attachments.map((attachment, index) => ({
      fileName: attachment.filename ?? `attachment-${index + 1}`,
      contentType: attachment.contentType || "application/octet-stream",
      content: attachment.content,
    })),
  };
}
