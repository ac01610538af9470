/**
 * The Prometheus implementation of Metrics (prom-client), with its own Registry: one per server
 * instance, so several servers in one process (the tests) never share or double-register
 * metrics. Counters and histograms are recorded as things happen into series resolved once per
 * label set (series.ts: a Map lookup and a field update per event, not prom-client's label
 * hashing); gauges (queue depth, isolates, pools, admission) are read from their sources at
 * scrape time.
 */
import { collectDefaultMetrics, Gauge, Registry } from "prom-client";
import { HostLabels } from "./hosts.ts";
import { type CounterSeries, FastCounter, FastHistogram, type HistogramSeries } from "./series.ts";
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

interface ActionSeries {
  seconds: HistogramSeries;
  outcomes: Map<string, CounterSeries>;
}

/** Hosts (as logic wrote them) whose series are looked up directly; past it, each call asks HostLabels. */
const MAX_REMEMBERED_HOSTS = 1_000;

const ACTION_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];
const COMMIT_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];

export class PrometheusMetrics implements Metrics {
  readonly registry = new Registry();
  private sources: ScrapeSources = {};
  private readonly hosts: HostLabels;

  private readonly actions = new FastCounter(
    "comind_actions_total",
    "Action runs by app, action and outcome (ok, or the error code)",
    this.registry,
  );
  private readonly actionSeconds = new FastHistogram(
    "comind_action_duration_seconds",
    "Time from an action's start to its answer, by app and action",
    ACTION_BUCKETS,
    this.registry,
  );
  private readonly commitSeconds = new FastHistogram(
    "comind_commit_duration_seconds",
    "Time of an action's one store transaction (records, history, run log, queued runs)",
    COMMIT_BUCKETS,
    this.registry,
  );
  private readonly commits = this.commitSeconds.child("", {});
  private readonly perAction = new Map<string, Map<string, ActionSeries>>();
  private readonly perHost = new Map<string, Map<number | string, CounterSeries>>();
  private readonly httpCalls = new FastCounter(
    "comind_http_requests_total",
    "Outbound requests of action logic by target host (capped, then 'other') and status (or error code)",
    this.registry,
  );
  private readonly mails = new FastCounter(
    "comind_emails_total",
    "Notification e-mails by outcome: sent, failed (an attempt), logged (no SMTP_URL)",
    this.registry,
  );
  private readonly refusals = new FastCounter(
    "comind_admission_refused_total",
    "Actions refused 503 overloaded, by reason: busy (queue full), record (too many on one record), wait (no place in time)",
    this.registry,
  );
  private readonly jobs = new FastCounter(
    "comind_job_attempts_total",
    "Attempts of queued runs by kind (action, mail) and outcome (succeeded, retried, failed, dead)",
    this.registry,
  );
  private readonly restarts = new FastCounter(
    "comind_sandbox_worker_restarts_total",
    "Sandbox worker processes that died and were replaced",
    this.registry,
  ).child("", {});

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
    const series = this.actionSeries(app, action);
    let count = series.outcomes.get(outcome);
    if (count === undefined) {
      count = this.actions.child(`${app}\0${action}\0${outcome}`, { app, action, outcome });
      series.outcomes.set(outcome, count);
    }
    count.value += 1;
    this.actionSeconds.observe(series.seconds, seconds);
  }

  /** The series of one app's action: two Map lookups on names the app registry already holds, no key built. */
  private actionSeries(app: string, action: string): ActionSeries {
    let byAction = this.perAction.get(app);
    if (byAction === undefined) {
      byAction = new Map();
      this.perAction.set(app, byAction);
    }
    let series = byAction.get(action);
    if (series === undefined) {
      series = {
        seconds: this.actionSeconds.child(`${app}\0${action}`, { app, action }),
        outcomes: new Map(),
      };
      byAction.set(action, series);
    }
    return series;
  }

  commit(seconds: number): void {
    this.commitSeconds.observe(this.commits, seconds);
  }

  httpCall(host: string, status: number | null, error?: string): void {
    let byStatus = this.perHost.get(host);
    if (byStatus === undefined) {
      byStatus = new Map();
      // Remembered per host as sent (bounded too: a host over the cap maps to "other" once).
      if (this.perHost.size < MAX_REMEMBERED_HOSTS) this.perHost.set(host, byStatus);
    }
    const code = status ?? error ?? "error";
    let count = byStatus.get(code);
    if (count === undefined) {
      const label = this.hosts.of(host);
      const text = String(code);
      count = this.httpCalls.child(`${label}\0${text}`, { host: label, status: text });
      byStatus.set(code, count);
    }
    count.value += 1;
  }

  mail(outcome: MailOutcome): void {
    this.mails.child(outcome, { outcome }).value += 1;
  }

  admissionRefused(reason: RefusalReason): void {
    this.refusals.child(reason, { reason }).value += 1;
  }

  jobAttempt(kind: "action" | "mail", outcome: JobOutcome): void {
    this.jobs.child(`${kind}\0${outcome}`, { kind, outcome }).value += 1;
  }

  workerRestart(): void {
    this.restarts.value += 1;
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
    // The warm isolates' count and heap by app, summed over the workers.
    for (const [name, help, key] of [
      ["comind_sandbox_isolates", "Warm (idle) isolates by app", "isolates"],
      ["comind_sandbox_isolate_heap_bytes", "Used heap of the warm isolates by app", "heapBytes"],
    ] as const)
      new Gauge({
        name,
        help,
        labelNames: ["app"] as const,
        registers,
        async collect() {
          this.reset();
          for (const row of (await readSandbox())?.isolates ?? []) this.inc({ app: row.app }, row[key]);
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
