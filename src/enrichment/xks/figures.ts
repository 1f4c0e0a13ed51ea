import type { XksMetricName, XksSeries } from "./discover.js";

/** One external key store's proxy figures (enrich.xks), in base units. */
export interface XksHealth {
  storeId: string;
  /** Series ListMetrics found for the store; 0: CloudWatch has nothing from it in 3 hours. */
  series: number;
  /** XksProxyCertificateDaysToExpire (Minimum) by CertificateName. */
  certificates: Record<string, number>;
  credentialAgeDays: number | undefined;
  /**
   * XksProxyErrors (Sum) by error type (`retryable`, `non_retryable`, or another type's
   * snake_case); both known types are 0 when the period's answer had none of them.
   */
  errors: Record<string, number>;
  /** Every request of the period, successes included. */
  requests: number | undefined;
  /** Request-weighted: Σ Sum ÷ Σ SampleCount over the latency series. */
  latencySeconds: number | undefined;
  /** The largest Maximum of the latency series. */
  latencyMaxSeconds: number | undefined;
  /** XksExternalKeyManagerStates (Maximum) by state. */
  externalKeyManagers: Record<string, number>;
}

/** The statistics the exporter asks of each metric. */
export const STATS_OF: Record<XksMetricName, readonly string[]> = {
  // The lowest value: the first certificate to expire is the one that matters.
  XksProxyCertificateDaysToExpire: ["Minimum"],
  XksProxyCredentialAge: ["Maximum"],
  XksProxyErrors: ["Sum"],
  // Sum and SampleCount weight each series by its requests; Average would not.
  XksProxyLatency: ["Sum", "SampleCount", "Maximum"],
  // Maximum: an instance that was degraded at any time in the period is counted.
  XksExternalKeyManagerStates: ["Maximum"],
};

/** A series' newest datapoint of one statistic. */
export interface Datapoint {
  series: XksSeries;
  stat: string;
  value: number;
  atMs: number;
}

const ERROR_TYPE_LABELS: Record<string, string> = {
  retryable: "retryable",
  nonretryable: "non_retryable",
};

/**
 * The `error_type` of an ErrorType; undefined for the success type ("N/A: Successful
 * request; no errors"). AWS's pages spell the types both "Retryable errors" and
 * "Retryable", so they match without regard to case, spaces, hyphens and an "errors" word.
 */
export function errorTypeLabel(errorType: string): string | undefined {
  const compact = errorType.toLowerCase().replace(/[\s_-]+/g, "");
  if (compact.startsWith("n/a") || compact.includes("success")) return undefined;
  const known = ERROR_TYPE_LABELS[compact.replace(/errors?$/, "")];
  if (known) return known;
  const snake = errorType
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "_")
    .replace(/^_+|_+$/g, "")
    .replace(/_errors?$/, "");
  return snake === "" ? "unknown" : snake;
}

function dimension(series: XksSeries, name: string): string | undefined {
  return series.dimensions.find((d) => d.Name === name)?.Value;
}

/**
 * The datapoints of one metric that fall in its newest period: a series whose newest
 * datapoint is older published nothing in that period, so it counts for nothing.
 */
function newestPeriod(points: readonly Datapoint[]): Datapoint[] {
  const newest = Math.max(...points.map((point) => point.atMs));
  return points.filter((point) => point.atMs === newest);
}

function sumOf(points: readonly Datapoint[], stat: string): number {
  return points.filter((p) => p.stat === stat).reduce((sum, p) => sum + p.value, 0);
}

function errorFigures(health: XksHealth, points: Datapoint[], complete: boolean): void {
  if (points.length === 0) return;
  const current = newestPeriod(points);
  health.requests = sumOf(current, "Sum");
  // No datapoint of a type in a complete answer: no such error in the period.
  if (complete) health.errors = { retryable: 0, non_retryable: 0 };
  for (const point of current) {
    const label = errorTypeLabel(dimension(point.series, "ErrorType") ?? "");
    if (label !== undefined) health.errors[label] = (health.errors[label] ?? 0) + point.value;
  }
}

function latencyFigures(health: XksHealth, points: Datapoint[]): void {
  if (points.length === 0) return;
  const current = newestPeriod(points);
  const samples = sumOf(current, "SampleCount");
  // CloudWatch has milliseconds; Prometheus wants seconds.
  if (samples > 0) health.latencySeconds = sumOf(current, "Sum") / samples / 1000;
  const maxima = current.filter((p) => p.stat === "Maximum").map((p) => p.value);
  if (maxima.length > 0) health.latencyMaxSeconds = Math.max(...maxima) / 1000;
}

/** A store's health before any figure: what a store without CloudWatch series exports (nothing). */
export function noXksFigures(storeId: string, series = 0): XksHealth {
  return {
    storeId,
    series,
    certificates: {},
    credentialAgeDays: undefined,
    errors: {},
    requests: undefined,
    latencySeconds: undefined,
    latencyMaxSeconds: undefined,
    externalKeyManagers: {},
  };
}

/**
 * One store's figures from its series and their newest datapoints. `incomplete` names the
 * metrics of which a result's final StatusCode was not Complete.
 */
export function storeFigures(
  storeId: string,
  series: readonly XksSeries[],
  points: readonly Datapoint[],
  incomplete: ReadonlySet<XksMetricName>,
): XksHealth {
  const health = noXksFigures(storeId, series.length);
  const of = (name: XksMetricName) => points.filter((p) => p.series.metricName === name);
  for (const point of newestPeriodOrNone(of("XksProxyCertificateDaysToExpire"))) {
    const name = dimension(point.series, "CertificateName") ?? "";
    health.certificates[name] = Math.min(health.certificates[name] ?? Infinity, point.value);
  }
  for (const point of newestPeriodOrNone(of("XksProxyCredentialAge"))) {
    health.credentialAgeDays = Math.max(health.credentialAgeDays ?? -Infinity, point.value);
  }
  errorFigures(health, of("XksProxyErrors"), !incomplete.has("XksProxyErrors"));
  latencyFigures(health, of("XksProxyLatency"));
  for (const point of newestPeriodOrNone(of("XksExternalKeyManagerStates"))) {
    const state = dimension(point.series, "XksExternalKeyManagerState") ?? "";
    health.externalKeyManagers[state] = Math.max(
      health.externalKeyManagers[state] ?? -Infinity,
      point.value,
    );
  }
  return health;
}

function newestPeriodOrNone(points: readonly Datapoint[]): Datapoint[] {
  return points.length === 0 ? [] : newestPeriod(points);
}
