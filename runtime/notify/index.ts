/**
 * E-mail notifications: what `__sendNotifications` returned is sent through SMTP (nodemailer,
 * `SMTP_URL`) after the action has committed — never for a failed action. Sending never turns a
 * committed action into a failed one: each outcome (sent, not sent, failed) is a line in the
 * action's log (so in the run log) and in the server log. Without SMTP_URL the whole message goes
 * to both logs instead. With a job queue each e-mail is a queued run sent with retries
 * (delivery.ts); without one (the CLI's `run`, the test kit) it is sent right after the commit.
 */
import nodemailer, { type Transporter, type TransportOptions } from "nodemailer";
import { CpuBudget, type CpuPool, cpuWork, type LogCapture } from "../host/index.ts";
import type { RetrySettings } from "../queue/index.ts";
import type { Store } from "../store/index.ts";
import { type Metrics, NO_METRICS } from "../metrics/index.ts";
import { draftEmail, type EmailDraft, type NotifiedRecord } from "./message.ts";
import { DEFAULT_MAIL_RETRIES } from "./delivery.ts";
import { withUserEmails } from "./recipients.ts";

export { LAYOUTS } from "./message.ts";
export {
  DEFAULT_MAIL_RETRIES,
  isPermanentMailError,
  MAIL_ACTION,
  MAIL_RETRY_RANGES,
} from "./delivery.ts";

export interface NotificationOptions {
  /** e.g. smtp://user:pass@mail.example.com:587 or smtps://…:465; unset = log only. */
  smtpUrl?: string;
  /** Sender when the NotifyContext has no override_from_email. */
  from?: string;
  /** The server log: one call per e-mail. */
  log?: (level: "info" | "warn", message: string, details: Record<string, unknown>) => void;
  /** Attempts and backoff of a queued e-mail (default DEFAULT_MAIL_RETRIES). */
  retries?: Partial<RetrySettings>;
}

/** An e-mail asked for by one action run, kept until its action commits. */
export interface PendingNotification {
  context: unknown;
  app: string;
  recordId: string;
  fields: Record<string, unknown>;
}

export interface DeliveryContext {
  store: Store;
  logs: LogCapture;
  /** The committed record (for its number) when the action wrote it. */
  numberOf(recordId: string): number | null;
  /** Field captions of an app, for RecordNotification. */
  captionsOf(app: string): Map<string, string>;
  /** Masks secret values in what goes to the server log (the action's log masks its own). */
  redact(text: string): string;
}

const MAX_ATTACHMENT_BYTES = 25 * 1024 * 1024;
/** Time the text part of one e-mail may take to make from its HTML (in a host thread). */
const TEXT_PART_MS = 5_000;
const DEFAULT_FROM = "comind-runtime@localhost";

function defaultLog(level: "info" | "warn", message: string, details: Record<string, unknown>) {
  process.stderr.write(`${JSON.stringify({ level, msg: message, ...details })}\n`);
}

export class Notifier {
  private transport: Transporter | null = null;
  private readonly options: NotificationOptions;
  private readonly cpu: CpuPool;
  private readonly metrics: Metrics;

  /**
   * @param cpu host threads that make the text part from the HTML
   * @param metrics counts each e-mail sent, failed or only logged
   */
  constructor(options: NotificationOptions, cpu: CpuPool, metrics: Metrics = NO_METRICS) {
    this.options = options;
    this.cpu = cpu;
    this.metrics = metrics;
  }

  private async textPart(html: string): Promise<string> {
    const budget = new CpuBudget(TEXT_PART_MS, Date.now() + TEXT_PART_MS);
    return (await cpuWork(this.cpu, { budget }).htmlToText(html, 100)).trim();
  }

  private mailer(): Transporter | null {
    if (!this.options.smtpUrl) return null;
    this.transport ??= nodemailer.createTransport({
      url: this.options.smtpUrl,
      connectionTimeout: 10_000,
      greetingTimeout: 10_000,
      socketTimeout: 20_000,
    } as TransportOptions);
    return this.transport;
  }

  /** Attempts and backoff of a queued e-mail. */
  get retries(): RetrySettings {
    const set = Object.entries(this.options.retries ?? {}).filter(([, value]) => value !== undefined);
    return { ...DEFAULT_MAIL_RETRIES, ...Object.fromEntries(set) };
  }

  /** Sends every pending e-mail of a committed action; never throws. */
  async deliver(pending: PendingNotification[], ctx: DeliveryContext): Promise<void> {
    for (const item of pending) {
      try {
        await this.send(item, ctx);
      } catch (error) {
        this.notSent(item, ctx, error);
      }
    }
  }

  /** Writes why an e-mail was not sent to the run's log and the server log. */
  notSent(item: PendingNotification, ctx: DeliveryContext, error: unknown, retryInMs?: number): void {
    const later = retryInMs === undefined ? "" : ` (trying again in ${Math.ceil(retryInMs / 1000)} s)`;
    const message = `[notification] not sent${later}: ${ctx.redact(firstLine(error))}`;
    ctx.logs.write("warn", message);
    (this.options.log ?? defaultLog)("warn", message, { app: item.app, recordId: item.recordId });
  }

  /** Makes and sends one e-mail (or logs it without SMTP_URL); throws what went wrong. */
  async send(item: PendingNotification, ctx: DeliveryContext): Promise<void> {
    try {
      const outcome = await this.make(item, ctx);
      this.metrics.mail(outcome);
    } catch (error) {
      this.metrics.mail("failed");
      throw error;
    }
  }

  private async make(item: PendingNotification, ctx: DeliveryContext): Promise<"sent" | "logged"> {
    const record: NotifiedRecord = {
      app: item.app,
      id: item.recordId,
      number: ctx.numberOf(item.recordId),
      fields: item.fields,
      captions: ctx.captionsOf(item.app),
    };
    const context = await withUserEmails(item.context, ctx.store, ctx.logs);
    const html = draftEmail(context, record, this.options.from ?? DEFAULT_FROM);
    const draft = { ...html, text: await this.textPart(html.html) };
    const log = this.options.log ?? defaultLog;
    const details = {
      app: item.app,
      recordId: item.recordId,
      to: draft.to,
      cc: draft.cc,
      bcc: draft.bcc,
      subject: ctx.redact(draft.subject),
    };
    const attachments = await this.attachments(draft, item.fields, ctx);
    const mailer = this.mailer();
    const who = [...draft.to, ...draft.cc, ...draft.bcc].join(", ");
    if (!mailer) {
      const files = attachments.map((file) => file.filename).join(", ");
      const message = `[notification] not sent (no SMTP_URL configured) to ${who}: "${draft.subject}"${files ? ` [attachments: ${files}]` : ""}\n${draft.text}`;
      ctx.logs.write("info", message);
      log("info", "notification not sent: no SMTP_URL configured", {
        ...details,
        text: ctx.redact(draft.text),
        attachments: files,
      });
      return "logged";
    }
    const info = await mailer.sendMail({
      from: draft.from.name ? { name: draft.from.name, address: draft.from.address } : draft.from.address,
      to: draft.to,
      cc: draft.cc,
      bcc: draft.bcc,
      replyTo: draft.replyTo,
      subject: draft.subject,
      html: draft.html,
      text: draft.text,
      attachments,
      ...(draft.returnPath
        ? { envelope: { from: draft.returnPath, to: [...draft.to, ...draft.cc, ...draft.bcc] } }
        : {}),
    });
    ctx.logs.write("info", `[notification] sent to ${who}: "${draft.subject}"`);
    log("info", "notification sent", { ...details, messageId: info.messageId });
    return "sent";
  }

  private async attachments(draft: EmailDraft, fields: Record<string, unknown>, ctx: DeliveryContext) {
    const files: { filename: string; path: string; contentType: string }[] = [];
    let total = 0;
    for (const field of draft.attachmentFields) {
      const items = fields[field];
      if (!Array.isArray(items)) {
        if (items !== undefined && items !== null)
          ctx.logs.write(
            "warn",
            `[notification] attachment field "${field}" is not a file list; nothing attached from it.`,
          );
        continue;
      }
      for (const item of items) {
        const fileUid =
          item && typeof item === "object" ? String((item as { file_uid?: unknown }).file_uid ?? "") : "";
        const stored = fileUid ? await ctx.store.getFile(fileUid.replace(/^file_/, "")) : null;
        if (!stored) {
          ctx.logs.write(
            "warn",
            `[notification] file "${fileUid.slice(0, 80)}" of field "${field}" does not exist; not attached.`,
          );
          continue;
        }
        if (total + stored.size > MAX_ATTACHMENT_BYTES) {
          ctx.logs.write(
            "warn",
            `[notification] "${stored.fileName}" not attached: attachments are limited to ${MAX_ATTACHMENT_BYTES} bytes per e-mail.`,
          );
          continue;
        }
        total += stored.size;
        files.push({
          filename: stored.fileName,
          path: await ctx.store.filePath(stored.id),
          contentType: stored.contentType,
        });
      }
    }
    return files;
  }

  close(): void {
    this.transport?.close();
    this.transport = null;
  }
}

function firstLine(error: unknown): string {
  return String((error as Error)?.message ?? error)
    .split("\n")[0]
    .slice(0, 300);
}
