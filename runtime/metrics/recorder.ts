/**
 * What the runtime's layers tell the metrics: small recorder calls, one per event, that cost
 * nothing when no one scrapes (NO_METRICS, the default of library use and of most tests). The
 * Prometheus implementation is prometheus.ts; one is made per server where the runtime is
 * assembled (serve) and handed down through the options, never a process-wide registry.
 *
 * Labels stay bounded: app and action names come from the installed apps, outcomes from the
 * error-code registry, hosts are capped (hosts.ts); never a URL, a record id or a user id.
 */

/** How one attempt of a queued run ended (jobs/run-job.ts, jobs/mail-job.ts). */
export type JobOutcome = "succeeded" | "retried" | "failed" | "dead";

/** Why an action run on request was refused `overloaded` (runs/admission.ts). */
export type RefusalReason = "busy" | "record" | "wait";

/** What became of one e-mail: sent over SMTP, failed, or only logged (no SMTP_URL). */
export type MailOutcome = "sent" | "failed" | "logged";

export interface Metrics {
  /** An action run ended: `outcome` is "ok" or its error code; `seconds` from start to answer. */
  action(app: string, action: string, outcome: string, seconds: number): void;
  /** The action's one store transaction took `seconds` (committed or not). */
  commit(seconds: number): void;
  /** One outbound request of logic: its target host and HTTP status, or the error code it failed with. */
  httpCall(host: string, status: number | null, error?: string): void;
  mail(outcome: MailOutcome): void;
  admissionRefused(reason: RefusalReason): void;
  /** One attempt of a queued run (`kind` "action") or e-mail (`kind` "mail"). */
  jobAttempt(kind: "action" | "mail", outcome: JobOutcome): void;
  /** A sandbox worker process died and was replaced. */
  workerRestart(): void;
}

const nothing = () => undefined;

/** Records nothing: the default wherever no metrics were asked for. */
export const NO_METRICS: Metrics = Object.freeze({
  action: nothing,
  commit: nothing,
  httpCall: nothing,
  mail: nothing,
  admissionRefused: nothing,
  jobAttempt: nothing,
  workerRestart: nothing,
});
