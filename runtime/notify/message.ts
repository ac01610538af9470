/**
 * A NotifyContext (from `__sendNotifications`) checked and turned into one e-mail: recipients,
 * subject with the item prefix, the built-in layout rendered with Liquid, attachments from the
 * record's file fields. The text part is made from the HTML by the caller, in a host thread: the
 * body is the logic's HTML, and some markup takes html-to-text seconds per kilobyte.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { EmailLayout, NotifyContext } from "../../globals/notify-context.ts";
import { RuntimeError } from "../errors.ts";
import { renderLiquid } from "../host/index.ts";

export const LAYOUTS: readonly EmailLayout[] = ["SimpleLayoutNotification", "RecordNotification"];
const MAX_RECIPIENTS = 100;
const MAX_SUBJECT = 998;
const templates = new Map<string, string>();

function layoutTemplate(name: EmailLayout): string {
  let text = templates.get(name);
  if (!text) {
    text = readFileSync(join(import.meta.dirname, "layouts", `${name}.liquid`), "utf8");
    templates.set(name, text);
  }
  return text;
}

/** The record an e-mail is about, as the action committed it. */
export interface NotifiedRecord {
  app: string;
  id: string;
  number: number | null;
  fields: Record<string, unknown>;
  captions: Map<string, string>;
}

export interface EmailDraft {
  from: { name: string; address: string };
  to: string[];
  cc: string[];
  bcc: string[];
  replyTo?: string;
  returnPath?: string;
  subject: string;
  html: string;
  attachmentFields: string[];
}

const oneLine = (value: unknown) =>
  String(value ?? "")
    .replace(/[\r\n]+/g, " ")
    .trim();

function addresses(value: unknown, field: string): string[] {
  if (value === undefined || value === null || value === "") return [];
  const list = (Array.isArray(value) ? value : String(value).split(/[,;]/)).map(oneLine).filter(Boolean);
  for (const address of list)
    if (!/^[^<>@\s]+@[^<>@\s]+$|^[^<>]*<[^<>@\s]+@[^<>@\s]+>$/.test(address))
      throw new RuntimeError(
        "validation_error",
        `NotifyContext.${field}: "${address.slice(0, 100)}" is not an e-mail address.`,
      );
  return list;
}

function displayValue(value: unknown): string {
  if (value === null || value === undefined || value === "") return "";
  if (Array.isArray(value))
    return value
      .map((item) =>
        item && typeof item === "object"
          ? (item.title ?? item.file_uid ?? JSON.stringify(item))
          : String(item),
      )
      .join(", ");
  if (typeof value === "object") return JSON.stringify(value);
  return String(value);
}

/** Checks a NotifyContext and renders its e-mail (throws validation_error naming the bad field). */
export function draftEmail(context: unknown, record: NotifiedRecord, defaultFrom: string): EmailDraft {
  if (!context || typeof context !== "object" || Array.isArray(context))
    throw new RuntimeError("validation_error", "A NotifyContext must be an object with to and subject.");
  const ctx = context as NotifyContext;
  const to = addresses(ctx.to, "to");
  const cc = addresses(ctx.cc, "cc");
  const bcc = addresses(ctx.bcc, "bcc");
  if (to.length + cc.length + bcc.length === 0)
    throw new RuntimeError(
      "validation_error",
      "NotifyContext has no recipient: set to (and optionally cc, bcc).",
    );
  if (to.length + cc.length + bcc.length > MAX_RECIPIENTS)
    throw new RuntimeError("validation_error", `NotifyContext has more than ${MAX_RECIPIENTS} recipients.`);
  const layout = ctx.email_layout ?? "SimpleLayoutNotification";
  if (!LAYOUTS.includes(layout))
    throw new RuntimeError(
      "validation_error",
      `NotifyContext.email_layout must be one of ${LAYOUTS.join(", ")}.`,
    );
  const key = `${record.app}-${record.number ?? record.id}`;
  const prefix = oneLine(ctx.override_item_prefix ?? (layout === "RecordNotification" ? `[${key}]` : ""));
  const subject = oneLine(`${prefix} ${oneLine(ctx.subject) || oneLine(record.fields.title) || key}`).slice(
    0,
    MAX_SUBJECT,
  );
  const fields = [...record.captions]
    .map(([name, caption]) => ({ caption, value: displayValue(record.fields[name]) }))
    .filter((field) => field.value !== "");
  const html = renderLiquid(layoutTemplate(layout), {
    body: String(ctx.email_body ?? ""),
    note: ctx.email_note ? String(ctx.email_note) : "",
    unsubscribe: ctx.override_unsubscribe_text ? String(ctx.override_unsubscribe_text) : "",
    record: {
      key,
      title: displayValue(record.fields.title),
      state: displayValue(record.fields.state),
      fields,
    },
  });
  const fromAddress = oneLine(ctx.override_from_email) || defaultFrom;
  addresses(fromAddress, "override_from_email");
  return {
    from: { name: oneLine(ctx.override_from_email_name), address: fromAddress },
    to,
    cc,
    bcc,
    replyTo: ctx.replyTo ? addresses(ctx.replyTo, "replyTo")[0] : undefined,
    returnPath: ctx.returnPath ? addresses(ctx.returnPath, "returnPath")[0] : undefined,
    subject,
    html,
    attachmentFields: Array.isArray(ctx.attachment_fields) ? ctx.attachment_fields.map(String) : [],
  };
}
