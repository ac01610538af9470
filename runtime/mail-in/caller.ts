/**
 * Who a message's run is for. The sender's address (the SMTP envelope's MAIL FROM) is looked up
 * among the store's users: a user with exactly that e-mail address is the caller, checked by the
 * one access rule like any of their runs (run, and write, since the message's fields are values).
 * A sender who is no user is refused, unless the app's settings say `email.unknownSenders:
 * "system"`: then the run is the system caller `system:email`, which has only the rights an admin
 * grants it (`access grant <APP> system:email run`).
 *
 * SMTP does not prove a sender's address: put this listener behind a mail server that checks
 * SPF/DKIM/DMARC (docs/admins.md) before trusting that a user's address means that user.
 */
import type { LoadedApp } from "../actions/index.ts";
import type { RunCaller } from "../access/index.ts";
import type { DirectoryPort } from "../store/index.ts";
import { refuse } from "./smtp-refusal.ts";

/** @throws SmtpRefusal 550 5.7.1 when the sender is no user and the app takes mail from users only */
export async function callerFor(store: DirectoryPort, app: LoadedApp, sender: string): Promise<RunCaller> {
  // findUser also matches ids: only a user whose e-mail is this exact address counts.
  const user = sender.includes("@") ? await store.directory.findUser(sender) : null;
  if (user && user.email?.toLowerCase() === sender) return { kind: "user", user: { id: user.id } };
  if (app.queue.email.unknownSenders === "system") return { kind: "system", name: "email" };
  throw refuse.unknownSender();
}

/** Whether the app takes mail from this sender's domain (`email.allowSenderDomains`, empty: any). */
export function senderDomainAllowed(app: LoadedApp, sender: string): boolean {
  const allowed = app.queue.email.allowSenderDomains;
  if (allowed.length === 0) return true;
  const domain = sender.slice(sender.lastIndexOf("@") + 1);
  return sender.includes("@") && allowed.includes(domain);
}
