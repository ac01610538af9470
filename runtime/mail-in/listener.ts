/**
 * The SMTP listener (smtp-server): refuses what a mail server should at the earliest step —
 * a peer off this host at connect, a sender over its rate at MAIL FROM (4xx), an unknown
 * recipient, a sender domain the app does not take, a sender who is no user or may not run the
 * action at RCPT TO (550; the database away: 451), a message over the size
 * cap (SIZE is announced; 552) or malformed (554) after DATA — and hands each accepted message to
 * deliver.ts. No AUTH and no STARTTLS: it is a final destination on loopback, behind the mail
 * server that faces the internet.
 */
import { createHash } from "node:crypto";
import { isIP } from "node:net";
import type { Readable } from "node:stream";
import { SMTPServer, type SMTPServerSession } from "smtp-server";
import { TokenBuckets } from "../queue/index.ts";
import { findTarget, type MailTarget } from "./address-book.ts";
import { senderDomainAllowed } from "./caller.ts";
import { checkRecipient, deliver } from "./deliver.ts";
import type { ParsedMailInOptions } from "./options-schema.ts";
import { parseEmail } from "./parse.ts";
import { refusalOf, refuse, type SmtpRefusal } from "./smtp-refusal.ts";

type Done = (error?: SmtpRefusal | null, message?: string) => void;

const isLoopback = (address: string) =>
  address === "::1" || address.startsWith("127.") || address.startsWith("::ffff:127.");

const senderOf = (session: SMTPServerSession) =>
  session.envelope.mailFrom ? session.envelope.mailFrom.address.toLowerCase() : "";

/** Reads the message up to one byte over the cap (smtp-server marks `sizeExceeded`). */
async function readMessage(stream: Readable, maxBytes: number): Promise<Buffer | null> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of stream) {
    size += (chunk as Buffer).length;
    if (size <= maxBytes) chunks.push(chunk as Buffer);
  }
  return size > maxBytes || (stream as Readable & { sizeExceeded?: boolean }).sizeExceeded
    ? null
    : Buffer.concat(chunks);
}

export function createSmtpServer(options: ParsedMailInOptions): SMTPServer {
  const { runtime, domain, maxBytes, log } = options;
  const buckets = new TokenBuckets(options.now);
  const perSecond = options.perSenderPerMinute / 60;
  const targetOf = (address: string): MailTarget | null => findTarget(runtime.apps.values(), address, domain);
  const answerFor = (error: unknown): SmtpRefusal => {
    const refusal = refusalOf(error);
    // A 4xx that is not ours (the database away) is worth a line in the server's log.
    if (refusal.responseCode === 451) log?.warn({ err: String(error) }, "incoming e-mail deferred");
    else log?.info({ reply: refusal.message }, "incoming e-mail refused");
    return refusal;
  };

  async function onData(stream: Readable, session: SMTPServerSession): Promise<string> {
    const raw = await readMessage(stream, maxBytes);
    if (!raw) throw refuse.tooBig(maxBytes);
    const email = await parseEmail(raw);
    const sender = senderOf(session);
    const rawSha256 = createHash("sha256").update(raw).digest("hex");
    const runIds: string[] = [];
    for (const recipient of session.envelope.rcptTo) {
      const target = targetOf(recipient.address);
      if (!target) throw refuse.unknownRecipient(recipient.address);
      runIds.push(await deliver(runtime, { target, sender, email, rawSha256 }));
    }
    log?.info({ sender, recipients: session.envelope.rcptTo.length, runIds }, "incoming e-mail queued");
    return `Queued as ${runIds.join(", ")}`;
  }

  return new SMTPServer({
    name: domain ?? "comind-runtime",
    banner: "comind-runtime incoming mail",
    size: maxBytes,
    authOptional: true,
    disabledCommands: ["AUTH", "STARTTLS"],
    logger: false,
    onConnect(session, done: Done) {
      const peer = session.remoteAddress;
      if (!options.allowRemote && isIP(peer) !== 0 && !isLoopback(peer)) return done(refuse.remote());
      done();
    },
    onMailFrom(address, _session, done: Done) {
      const waitSeconds = buckets.take([
        { key: address.address.toLowerCase(), rate: perSecond, burst: options.perSenderPerMinute },
      ]);
      if (waitSeconds > 0) return done(refuse.rateLimited(waitSeconds));
      done();
    },
    onRcptTo(address, session, done: Done) {
      const target = targetOf(address.address);
      if (!target) return done(refuse.unknownRecipient(address.address));
      if (!senderDomainAllowed(target.app, senderOf(session))) return done(refuse.senderDomain());
      checkRecipient(runtime, target, senderOf(session)).then(
        () => done(),
        (error: unknown) => done(answerFor(error)),
      );
    },
    onData(stream, session, done: Done) {
      onData(stream, session).then(
        (message) => done(null, message),
        (error: unknown) => {
          // The rest of the message must be read off the socket before the answer.
          stream.resume();
          done(answerFor(error));
        },
      );
    },
  });
}
