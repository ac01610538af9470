/** Sending to the incoming-mail listener with a real SMTP client (nodemailer), on 127.0.0.1. */
import nodemailer from "nodemailer";
import type Mail from "nodemailer/lib/mailer";

export interface SmtpAnswer {
  ok: boolean;
  /** The server's reply code: 250 when accepted, else the refusal's. */
  code: number;
  /** The reply line (e.g. "250 Queued as <run id>"). */
  response: string;
  /** The SMTP command the refusal answered (e.g. "RCPT TO", "DATA"). */
  command?: string;
}

export async function sendMail(port: number, message: Mail.Options): Promise<SmtpAnswer> {
  const transport = nodemailer.createTransport({ host: "127.0.0.1", port, secure: false, ignoreTLS: true });
  try {
    const info = await transport.sendMail(message);
    return { ok: true, code: 250, response: info.response };
  } catch (error) {
    const failure = error as { responseCode?: number; response?: string; command?: string; message: string };
    if (typeof failure.responseCode !== "number") throw error;
    return {
      ok: false,
      code: failure.responseCode,
      response: failure.response ?? failure.message,
      command: failure.command,
    };
  } finally {
    transport.close();
  }
}

/** The run id the listener answered with ("250 Queued as <id>"). */
export function runIdOf(answer: SmtpAnswer): string {
  const match = /Queued as (\S+)/.exec(answer.response);
  if (!match) throw new Error(`not queued: ${answer.code} ${answer.response}`);
  return match[1];
}
