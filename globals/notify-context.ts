/**
 * `NotifyContext`: what the `__sendNotifications` key of ActionLogic returns. The platform sends
 * the e-mail after the action has committed (never when it failed).
 *
 * @example
 *   export default {
 *     close_ticket,
 *     __sendNotifications: (): NotifyContext | null =>
 *       ComindServer.action === "close_ticket"
 *         ? { to: entity.c_customer_email, subject: `Closed: ${entity.title}`, email_layout: "RecordNotification" }
 *         : null,
 *   } satisfies ActionLogic<typeof entity>;
 */
export type EmailLayout = "SimpleLayoutNotification" | "RecordNotification";

/** One recipient or several: "a@example.com", "Ada <a@example.com>", a user id, or a list of them. */
export type EmailRecipients = string | string[];

export interface NotifyContext {
  to: EmailRecipients;
  cc?: EmailRecipients;
  bcc?: EmailRecipients;
  replyTo?: string;
  subject: string;
  /** HTML body (inserted as it is into the layout). */
  email_body?: string;
  /** Built-in layout; default "SimpleLayoutNotification". */
  email_layout?: EmailLayout;
  /** Names of file fields of the record (e.g. "attachments", "c_report") whose files are attached. */
  attachment_fields?: string[];
  override_from_email?: string;
  override_from_email_name?: string;
  /** Subject prefix; default "[APP-number]" for RecordNotification, none for SimpleLayoutNotification. */
  override_item_prefix?: string;
  override_unsubscribe_text?: string;
  /** A short note shown above the body. */
  email_note?: string;
  /** Envelope sender for bounces. */
  returnPath?: string;
  /** Accepted for compatibility; the e-mail shows the record as the action saved it. */
  access_email_data_as?: string;
}

/** What `__sendNotifications` may return: one e-mail, several, or none. */
export type NotifyResult = NotifyContext | NotifyContext[] | null | undefined;
