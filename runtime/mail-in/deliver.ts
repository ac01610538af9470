/**
 * One accepted message to one recipient: the action is chosen, the sender mapped to a caller and
 * authorized by the one rule BEFORE anything is written; then the attachments are stored as files
 * (one commit) and the run is queued through the run front door (runtime.enqueue: quotas, the
 * rule again, retries, and it survives a restart). The record gets the message as values
 * (`title` = subject, `description` = text, `attachments` = the files); the logic reads the
 * whole message as `ComindServer.request.email`.
 *
 * The message's Message-ID is the run's idempotency key: a sender that retries a message we did
 * queue (our 250 was lost) gets it queued once. A failure between storing the files and queuing
 * the run (the database lost in between) leaves files no record holds; only their uploader
 * (the caller) and admins can read them.
 */
import { createHash, randomUUID } from "node:crypto";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { InboundEmail } from "../../globals/bridge-contract.ts";
import { actorOf, type RunCaller } from "../access/index.ts";
import type { ActionRuntime } from "../runs/index.ts";
import type { FileWrite } from "../store/index.ts";
import { chooseAction, type MailTarget } from "./address-book.ts";
import { callerFor } from "./caller.ts";
import type { ParsedAttachment, ParsedEmail } from "./parse.ts";
import { refuse } from "./smtp-refusal.ts";

/** The longest title a subject becomes (the rest stays in `request.email.subject`). */
const TITLE_CHARS = 500;

export interface Delivery {
  target: MailTarget;
  /** The envelope sender (MAIL FROM), lower case; "" for a null sender. */
  sender: string;
  email: ParsedEmail;
  /** SHA-256 of the raw message: a retry with the same Message-ID must be the same message. */
  rawSha256: string;
}

/**
 * At RCPT TO, before the message is sent: the sender maps to a caller, and for an action's own
 * address that caller may run it (with values, as the message will bring). A catch-all address's
 * action waits for the subject; deliver() checks it then. A refusal here spares the sender the
 * upload and refuses only this recipient.
 */
export async function checkRecipient(
  runtime: ActionRuntime,
  target: MailTarget,
  sender: string,
): Promise<void> {
  const caller = await callerFor(runtime.config.store, target.app, sender);
  if (target.action)
    await runtime.authorize({ app: target.app.alias, action: target.action, caller, values: { title: "" } });
}

/** Queues the run `delivery` asks for and answers its run id. @throws SmtpRefusal, or what the store threw */
export async function deliver(runtime: ActionRuntime, delivery: Delivery): Promise<string> {
  const { target, sender, email } = delivery;
  const app = target.app;
  const action = chooseAction(target, email.subject);
  if (!action) throw refuse.noRoute();
  const caller = await callerFor(runtime.config.store, app, sender);
  const values = {
    title: email.subject.slice(0, TITLE_CHARS) || "(no subject)",
    description: email.text,
  };
  await runtime.authorize({ app: app.alias, action, caller, values });
  const files = await storeAttachments(runtime, caller, email.attachments);
  const attachments = files.map((file) => ({
    file_uid: file.id,
    title: file.fileName,
    contentType: file.contentType,
    size: file.size,
  }));
  const inbound: InboundEmail = {
    from: sender,
    fromHeader: email.fromHeader,
    to: email.to,
    cc: email.cc,
    recipient: target.recipient,
    subject: email.subject,
    text: email.text,
    html: email.html,
    messageId: email.messageId,
    date: email.date,
    attachments,
  };
  const { runId } = await runtime.enqueue({
    app: app.alias,
    action,
    caller,
    values: attachments.length
      ? { ...values, attachments: attachments.map(({ file_uid, title }) => ({ file_uid, title })) }
      : values,
    source: "email",
    request: {
      headers: email.headers,
      body: email.text,
      receivedAt: new Date().toISOString(),
      email: inbound,
    },
    idempotency: email.messageId
      ? {
          key: createHash("sha256").update(email.messageId).digest("hex"),
          operation: `SMTP ${app.alias} ${action} ${target.recipient}`,
          request: delivery.rawSha256,
        }
      : undefined,
  });
  return runId;
}

/** Stores the attachments in one commit, uploaded by the caller (so its run may attach them). */
async function storeAttachments(
  runtime: ActionRuntime,
  caller: RunCaller,
  attachments: ParsedAttachment[],
): Promise<FileWrite[]> {
  if (attachments.length === 0) return [];
  const dir = await mkdtemp(join(tmpdir(), "comind-mail-in-"));
  try {
    const files: FileWrite[] = [];
    for (const attachment of attachments) {
      const id = randomUUID();
      const sourcePath = join(dir, id);
      await writeFile(sourcePath, attachment.content);
      files.push({
        id,
        fileName: attachment.fileName.slice(0, 200),
        contentType: attachment.contentType,
        size: attachment.content.length,
        sha256: createHash("sha256").update(attachment.content).digest("hex"),
        sourcePath,
        uploadedBy: actorOf(caller),
      });
    }
    await runtime.config.store.commit({
      workspace: runtime.config.workspace,
      actor: actorOf(caller),
      action: "email",
      runId: randomUUID(),
      writes: [],
      files,
    });
    return files;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
