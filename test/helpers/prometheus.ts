/**
 * Scrapes a real /metrics over HTTP and reads it with a real Prometheus text parser
 * (parse-prometheus-text-format), so a test sees what Prometheus would.
 */
import parsePrometheusTextFormat, { type PrometheusFamily } from "parse-prometheus-text-format";

export interface Scrape {
  families: PrometheusFamily[];
  /** A counter's or gauge's value for the series with (at least) these labels; 0 when absent. */
  value(name: string, labels?: Record<string, string>): number;
  /** A histogram's sample count for these labels; 0 when absent. */
  count(name: string, labels?: Record<string, string>): number;
  /** Label sets of every series of a family. */
  series(name: string): Record<string, string>[];
}

const matches = (have: Record<string, string> | undefined, want: Record<string, string>) =>
  Object.entries(want).every(([key, value]) => have?.[key] === value);

/**
 * The package folds a histogram's series into one sample and drops their labels when the
 * histogram has labels (it mirrors the old Go parser's JSON, made for unlabelled ones). So the
 * text is parsed twice: as it is (every line must parse, types and help as Prometheus sees them),
 * and with the histograms' TYPE lines left out, which makes each `_count`, `_sum` and `_bucket`
 * series a plain family with all its labels.
 */
export function readScrape(text: string): Scrape {
  const families = parsePrometheusTextFormat(text);
  const flat = parsePrometheusTextFormat(
    text
      .split("\n")
      .filter((line) => !/^# TYPE \S+ histogram$/.test(line))
      .join("\n"),
  );
  // prom-client writes a histogram's series label set by label set, so one name comes back as
  // several families: their samples together are the series.
  const samplesOf = (name: string) =>
    flat.filter((each) => each.name === name).flatMap((each) => each.metrics);
  const sum = (name: string, labels: Record<string, string>) =>
    samplesOf(name)
      .filter((sample) => matches(sample.labels, labels))
      .reduce((total, sample) => total + Number(sample.value ?? 0), 0);
  return {
    families,
    value: (name, labels = {}) => sum(name, labels),
    count: (name, labels = {}) => sum(`${name}_count`, labels),
    series: (name) => samplesOf(name).map((sample) => sample.labels ?? {}),
  };
}

/** GET `url` (a server's /metrics) and parse it; throws unless it answered 200 in the text format. */
export async function scrape(url: string, headers: Record<string, string> = {}): Promise<Scrape> {
  const response = await fetch(url, { headers });
  const text = await response.text();
  if (response.status !== 200) throw new Error(`/metrics answered ${response.status}: ${text}`);
  if (!response.headers.get("content-type")?.startsWith("text/plain"))
    throw new Error(`/metrics answered ${response.headers.get("content-type")}`);
  return readScrape(text);
}
