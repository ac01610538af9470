/**
 * The Prometheus implementation of Metrics (prom-client), with its own Registry: one per server
 * instance, so several servers in one process (the tests) never share or double-register
 * metrics. Counters and histograms are recorded as things happen, through label children
 * resolved once per label set and kept (a Map lookup per event, not prom-client's label hashing);
 * gauges (queue depth, isolates, pools, admission) are read from their sources at scrape time.
 */
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry, type LabelValues } from "prom-client";
import { HostLabels } from "./hosts.ts";
import type { JobOutcome, MailOutcome, Metrics, RefusalReason } from "./recorder.ts";

/** Runs of the job queue in one state, and how long the oldest has been in it. */
export interface QueueDepth {
  state: string;
  runs: number;
  /** Seconds since the oldest run of this state entered it (null: none). */
  oldestAgeSeconds: number | null;
}

/** Connections of one database pool (Postgres; SQLite has one connection and reports none). */
export interface PoolUse {
  pool: string;
  total: number;
  idle: number;
  waiting: number;
  max: number;
}

/** Warm isolates of one app and their used heap, across this server's sandbox processes. */
export interface IsolateUse {
  app: string;
  isolates: number;
  heapBytes: number;
}

/** Where the scrape-time gauges come from; each is optional and asked at every scrape. */
export interface ScrapeSources {
  queueDepth?(): Promise<QueueDepth[]>;
  sandbox?(): Promise<{ workers: number; isolates: IsolateUse[] }>;
  admission?(): { running: number; waiting: number };
  databasePools?(): Promise<PoolUse[]>;
}

const ACTION_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];
const COMMIT_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];

/** A label child per label set, resolved once. */
function children<T>(make: (labels: LabelValues<string>) => T) {
  const cache = new Map<string, T>();
  return (key: string, labels: LabelValues<string>): T => {
    let child = cache.get(key);
    if (child === undefined) {
      child = make(labels);
      cache.set(key, child);
    }
    return child;
  };
}

export class PrometheusMetrics implements Metrics {
  readonly registry = new Registry();
  private sources: ScrapeSources = {};
  private readonly hosts: HostLabels;

  private readonly actions = new Counter({
    name: "comind_actions_total",
    help: "Action runs by app, action and outcome (ok, or the error code)",
    labelNames: ["app", "action", "outcome"] as const,
    registers: [this.registry],
  });
  private readonly actionSeconds = new Histogram({
    name: "comind_action_duration_seconds",
    help: "Time from an action's start to its answer, by app and action",
    labelNames: ["app", "action"] as const,
    buckets: ACTION_BUCKETS,
    registers: [this.registry],
  });
  private readonly commitSeconds = new Histogram({
    name: "comind_commit_duration_seconds",
    help: "Time of an action's one store transaction (records, history, run log, queued runs)",
    buckets: COMMIT_BUCKETS,
    registers: [this.registry],
  });
  private readonly httpCalls = new Counter({
    name: "comind_http_requests_total",
    help: "Outbound requests of action logic by target host (capped, then 'other') and status (or error code)",
    labelNames: ["host", "status"] as const,
    registers: [this.registry],
  });
  private readonly mails = new Counter({
    name: "comind_emails_total",
    help: "Notification e-mails by outcome: sent, failed (an attempt), logged (no SMTP_URL)",
    labelNames: ["outcome"] as const,
    registers: [this.registry],
  });
  private readonly refusals = new Counter({
    name: "comind_admission_refused_total",
    help: "Actions refused 503 overloaded, by reason: busy (queue full), record (too many on one record), wait (no place in time)",
    labelNames: ["reason"] as const,
    registers: [this.registry],
  });
  private readonly jobs = new Counter({
    name: "comind_job_attempts_total",
    help: "Attempts of queued runs by kind (action, mail) and outcome (succeeded, retried, failed, dead)",
    labelNames: ["kind", "outcome"] as const,
    registers: [this.registry],
  });
  private readonly restarts = new Counter({
    name: "comind_sandbox_worker_restarts_total",
    help: "Sandbox worker processes that died and were replaced",
    registers: [this.registry],
  });

  private readonly actionChild = children((labels) => this.actions.labels(labels));
  private readonly actionSecondsChild = children((labels) => this.actionSeconds.labels(labels));
  private readonly httpChild = children((labels) => this.httpCalls.labels(labels));

  constructor(options: { maxHosts?: number; defaultMetrics?: boolean } = {}) {
    this.hosts = new HostLabels(options.maxHosts);
    if (options.defaultMetrics !== false) collectDefaultMetrics({ register: this.registry });
    this.scrapeGauges();
  }

  /** Where the scrape-time gauges read from (the server assembly sets them). */
  observe(sources: ScrapeSources): void {
    this.sources = { ...this.sources, ...sources };
  }

  /** The whole registry in the Prometheus text format. */
  async scrape(): Promise<{ contentType: string; body: string }> {
    return { contentType: this.registry.contentType, body: await this.registry.metrics() };
  }

  action(app: string, action: string, outcome: string, seconds: number): void {
    this.actionChild(`${app}\0${action}\0${outcome}`, { app, action, outcome }).inc();
    this.actionSecondsChild(`${app}\0${action}`, { app, action }).observe(seconds);
  }

  commit(seconds: number): void {
    this.commitSeconds.observe(seconds);
  }

  httpCall(host: string, status: number | null, error?: string): void {
    const label = this.hosts.of(host);
    const code = status === null ? (error ?? "error") : String(status);
    this.httpChild(`${label}\0${code}`, { host: label, status: code }).inc();
  }

  mail(outcome: MailOutcome): void {
    this.mails.labels(outcome).inc();
  }

  admissionRefused(reason: RefusalReason): void {
    this.refusals.labels(reason).inc();
  }

  jobAttempt(kind: "action" | "mail", outcome: JobOutcome): void {
    this.jobs.labels(kind, outcome).inc();
  }

  workerRestart(): void {
    this.restarts.inc();
  }

  /** Gauges whose values are read from `sources` when Prometheus scrapes. */
  private scrapeGauges(): void {
    const sources = () => this.sources;
    const registers = [this.registry];
    // A source that fails (the database is away) leaves its gauges empty for this scrape rather
    // than failing the whole scrape: the process and counter metrics still tell what happens.
    const safely = async <T>(read: (() => Promise<T> | T) | undefined): Promise<T | null> => {
      if (!read) return null;
      try {
        return await read();
      } catch {
        return null;
      }
    };
    // One read per scrape for the gauges that share a source (the sandbox asks every worker
    // process, the queue runs a query): the gauges of one scrape are collected together.
    const oncePerScrape = <T>(read: () => Promise<T | null>) => {
      let pending: Promise<T | null> | null = null;
      return () => {
        pending ??= read().finally(() => setImmediate(() => (pending = null)));
        return pending;
      };
    };
    const readQueue = oncePerScrape(() => safely(sources().queueDepth));
    const readSandbox = oncePerScrape(() => safely(sources().sandbox));
    new Gauge({
      name: "comind_queue_runs",
      help: "Queued runs by state (queued, running, failed, dead)",
      labelNames: ["state"] as const,
      registers,
      async collect() {
        this.reset();
        for (const row of (await readQueue()) ?? []) this.set({ state: row.state }, row.runs);
      },
    });
    new Gauge({
      name: "comind_queue_oldest_age_seconds",
      help: "Age of the oldest queued or running run in its state (seconds since it entered it)",
      labelNames: ["state"] as const,
      registers,
      async collect() {
        this.reset();
        for (const row of (await readQueue()) ?? [])
          if (row.oldestAgeSeconds !== null) this.set({ state: row.state }, row.oldestAgeSeconds);
      },
    });
    new Gauge({
      name: "comind_sandbox_workers",
      help: "Sandbox worker processes running (0: isolates run in the server process)",
      registers,
      async collect() {
        this.set((await readSandbox())?.workers ?? 0);
      },
    });
    new Gauge({
      name: "comind_sandbox_isolates",
      help: "Warm (idle) isolates by app",
      labelNames: ["app"] as const,
      registers,
      async collect() {
        this.reset();
        for (const row of (await readSandbox())?.isolates ?? []) this.inc({ app: row.app }, row.isolates);
      },
    });
    new Gauge({
      name: "comind_sandbox_isolate_heap_bytes",
      help: "Used heap of the warm isolates by app",
      labelNames: ["app"] as const,
      registers,
      async collect() {
        this.reset();
        for (const row of (await readSandbox())?.isolates ?? []) this.inc({ app: row.app }, row.heapBytes);
      },
    });
    new Gauge({
      name: "comind_admission_actions",
      help: "Actions run on request now: running, or waiting for a place",
      labelNames: ["state"] as const,
      registers,
      collect() {
        const now = sources().admission?.();
        if (!now) return;
        this.set({ state: "running" }, now.running);
        this.set({ state: "waiting" }, now.waiting);
      },
    });
    new Gauge({
      name: "comind_db_pool_connections",
      help: "Connections of the Postgres store's pools by state: total (open), idle, waiting (requests waiting for one), max",
      labelNames: ["pool", "state"] as const,
      registers,
      async collect() {
        this.reset();
        for (const pool of (await safely(sources().databasePools)) ?? [])
          for (const state of ["total", "idle", "waiting", "max"] as const)
            this.set({ pool: pool.pool, state }, pool[state]);
      },
    });
  }
}

/** A registry for one server: pass it to createActionRuntime and createServer. */
export function createPrometheusMetrics(options: { maxHosts?: number; defaultMetrics?: boolean } = {}) {
  return new PrometheusMetrics(options);
}
