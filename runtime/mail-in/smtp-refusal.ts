/**
 * The answers a mail server gives, as errors smtp-server sends to the client: a 5xx refuses for
 * good (the sender's server bounces the message), a 4xx asks it to try again later (it keeps the
 * message and retries). `refusalOf` turns whatever went wrong while delivering into one of them:
 * a definitive refusal of ours (the caller may not, a malformed message) is 5xx, anything else (the
 * database away, a quota) is 4xx, so no message is lost to an outage.
 */
import { ERROR_CODES, isRuntimeError } from "../errors.ts";

/** An SMTP reply: smtp-server sends `responseCode` and the message as the reply line. */
export class SmtpRefusal extends Error {
  readonly responseCode: number;

  constructor(responseCode: number, message: string) {
    super(message);
    this.name = "SmtpRefusal";
    this.responseCode = responseCode;
  }
}

export const refuse = {
  unknownRecipient: (address: string) =>
    new SmtpRefusal(550, `5.1.1 <${address.slice(0, 200)}>: no action of this server has this address`),
  senderDomain: () =>
    new SmtpRefusal(
      550,
      "5.7.1 Sender domain not allowed for this address (the app's email.allowSenderDomains)",
    ),
  unknownSender: () =>
    new SmtpRefusal(
      550,
      "5.7.1 Sender is not a user of this server, and this app takes mail from users only",
    ),
  forbidden: () => new SmtpRefusal(550, "5.7.1 Sender may not run this action"),
  noRoute: () => new SmtpRefusal(550, "5.1.1 No rule of this address matches the subject"),
  malformed: (why: string) => new SmtpRefusal(554, `5.6.0 Malformed message: ${why}`),
  tooBig: (maxBytes: number) => new SmtpRefusal(552, `5.3.4 Message larger than ${maxBytes} bytes`),
  rateLimited: (seconds: number) =>
    new SmtpRefusal(450, `4.7.1 Too many messages from this sender; try again in ${seconds} s`),
  remote: () => new SmtpRefusal(554, "5.7.1 This server takes mail from its own host only"),
  tryLater: () => new SmtpRefusal(451, "4.3.0 Temporarily unable to store the message; try again later"),
};

/** What to answer for an error thrown while delivering a message. */
export function refusalOf(error: unknown): SmtpRefusal {
  if (error instanceof SmtpRefusal) return error;
  if (isRuntimeError(error)) {
    if (error.code === "forbidden") return refuse.forbidden();
    if (error.code === "rate_limited") return refuse.rateLimited(error.retryAfterSeconds ?? 60);
    // A definitive refusal of the run itself (a bad value, an unknown action): retrying cannot help.
    const definition = ERROR_CODES[error.code];
    if (!definition.retryable && definition.status >= 400 && definition.status < 500)
      return new SmtpRefusal(554, `5.7.0 ${error.message.slice(0, 300)}`);
  }
  return refuse.tryLater();
}
