/**
 * Incoming e-mail fires app actions (`invokeFromEmail: true` in actions/index.ts): a real SMTP
 * listener that `serve --smtp-port` starts. Each accepted message is parsed, its attachments stored
 * as files and a run queued through the run front door (runtime.enqueue); the logic reads the
 * message as `ComindServer.request.email`. Addresses and routing: address-book.ts; who the run is
 * for: caller.ts; what is refused and how: listener.ts and smtp-refusal.ts.
 *
 * @example
 *   const mail = await startMailListener({ runtime, port: 2525 });
 *   // alice@example.com -> helpdesk+from_email@anything runs HELPDESK's from_email as alice
 *   await mail.close();
 */
import { type MailInOptions, parseMailInOptions } from "./options-schema.ts";

export { localPartsOf, defaultLocalPart } from "./address-book.ts";
export { MAIL_IN_DEFAULTS, MAIL_IN_RANGES, type MailInOptions, type MailLog } from "./options-schema.ts";

export interface MailListener {
  host: string;
  /** The port it listens on (the OS's choice for port 0). */
  port: number;
  close(): Promise<void>;
}

/** Starts listening; rejects when the port cannot be bound. @throws RuntimeError bad_request for a bad option */
export async function startMailListener(raw: MailInOptions): Promise<MailListener> {
  const options = parseMailInOptions(raw);
  // smtp-server and mailparser take ~1 s to load on a busy machine: only a server that listens
  // for mail pays for them, not every CLI command.
  const { createSmtpServer } = await import("./listener.ts");
  const server = createSmtpServer(options);
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port, options.host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  // A failing connection (a client that vanished mid-message) must not end the process.
  server.on("error", (error) => options.log?.warn({ err: String(error) }, "incoming mail connection error"));
  const address = server.server.address();
  const port = typeof address === "object" && address ? address.port : options.port;
  return {
    host: options.host,
    port,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
