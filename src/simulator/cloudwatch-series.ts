import type { StoreSpec, XksMetricsSpec } from "./scenario.js";
import { stateAt } from "./stores.js";

/**
 * The AWS/KMS series of an external key store, with the dimension sets KMS publishes them
 * under (KMS developer guide, "Monitor KMS keys with Amazon CloudWatch",
 * https://docs.aws.amazon.com/kms/latest/developerguide/monitoring-cloudwatch.html):
 *
 * | metric                          | dimensions                                                  |
 * | XksProxyCertificateDaysToExpire | CustomKeyStoreId, CertificateName                           |
 * | XksProxyCredentialAge           | CustomKeyStoreId                                            |
 * | XksProxyErrors                  | CustomKeyStoreId, KmsOperation, XksOperation, KeySpec,      |
 * |                                 | ErrorType, ExceptionName                                    |
 * | XksProxyLatency                 | CustomKeyStoreId, KmsOperation, XksOperation, KeySpec       |
 * | XksExternalKeyManagerStates     | CustomKeyStoreId, XksExternalKeyManagerState                |
 *
 * XksProxyErrors counts successful requests too, under the ErrorType below with
 * ExceptionName "None".
 */
export const SUCCESS_ERROR_TYPE = "N/A: Successful request; no errors";
export const NAMESPACE = "AWS/KMS";
/** Periods a series holds: the newest (the scenario's values) and two older ones. */
export const PERIODS = 3;

/** A CloudWatch statistic set: what one period of one series aggregates to. */
export interface StatisticSet {
  sum: number;
  sampleCount: number;
  minimum: number;
  maximum: number;
}

export interface Dimension {
  Name: string;
  Value: string;
}

export interface Series {
  metricName: string;
  dimensions: Dimension[];
  /** Newest first: index 0 is the newest whole period before EndTime. */
  periods: StatisticSet[];
}

/** Metrics of a CONNECTED external key store that the scenario gives none: a healthy proxy. */
export const DEFAULT_XKS_METRICS: XksMetricsSpec = {
  certificates: { "xks-proxy.example.com": 180 },
  credentialAgeDays: 30,
  operations: [
    {
      kmsOperation: "Decrypt",
      xksOperation: "Decrypt",
      keySpec: "AES_256",
      successes: 120,
      errors: [],
      latency: { count: 120, averageMs: 40 },
    },
  ],
  externalKeyManagers: { Active: 2 },
};

/** A gauge published once a minute: five equal samples per 5-minute period. */
function gauge(value: number): StatisticSet {
  return { sum: 5 * value, sampleCount: 5, minimum: value, maximum: value };
}

/** `count` requests, each a sample of 1. */
function counter(count: number): StatisticSet {
  return { sum: count, sampleCount: count, minimum: 1, maximum: 1 };
}

/**
 * The older periods differ from the newest on purpose: an exporter that mixes periods, or
 * takes the oldest datapoint, reads values no scenario asked for.
 */
function olderGauge(value: number, age: number): StatisticSet {
  return gauge(value + 7 * age);
}

function olderCounter(count: number, age: number): StatisticSet {
  return counter(count * (1 + 3 * age) + age);
}

function threePeriods(at: (age: number) => StatisticSet): StatisticSet[] {
  return Array.from({ length: PERIODS }, (_, age) => at(age));
}

function gaugeSeries(metricName: string, dimensions: Dimension[], value: number): Series {
  return {
    metricName,
    dimensions,
    periods: threePeriods((age) => (age === 0 ? gauge(value) : olderGauge(value, age))),
  };
}

function counterSeries(metricName: string, dimensions: Dimension[], count: number): Series {
  return {
    metricName,
    dimensions,
    periods: threePeriods((age) => (age === 0 ? counter(count) : olderCounter(count, age))),
  };
}

function latencySeries(
  dimensions: Dimension[],
  { count, averageMs, maxMs }: { count: number; averageMs: number; maxMs?: number | undefined },
): Series {
  const at = (age: number): StatisticSet => {
    const samples = count * (1 + age);
    const average = averageMs * (1 + age);
    const maximum = (maxMs ?? averageMs) * (1 + age);
    return { sum: samples * average, sampleCount: samples, minimum: average, maximum };
  };
  return { metricName: "XksProxyLatency", dimensions, periods: threePeriods(at) };
}

export function metricsOf(store: StoreSpec, elapsedMs: number): XksMetricsSpec | undefined {
  if (store.type !== "EXTERNAL_KEY_STORE") return undefined;
  if (store.xksMetrics !== undefined) return store.xksMetrics;
  return stateAt(store, elapsedMs).state === "CONNECTED" ? DEFAULT_XKS_METRICS : undefined;
}

/** Every series CloudWatch holds for one external key store. */
export function seriesOf(storeId: string, metrics: XksMetricsSpec): Series[] {
  const store: Dimension = { Name: "CustomKeyStoreId", Value: storeId };
  const series: Series[] = [];
  for (const [name, days] of Object.entries(metrics.certificates ?? {})) {
    series.push(
      gaugeSeries(
        "XksProxyCertificateDaysToExpire",
        [store, { Name: "CertificateName", Value: name }],
        days,
      ),
    );
  }
  if (metrics.credentialAgeDays !== undefined) {
    series.push(gaugeSeries("XksProxyCredentialAge", [store], metrics.credentialAgeDays));
  }
  for (const operation of metrics.operations ?? []) {
    const request = [
      store,
      { Name: "KmsOperation", Value: operation.kmsOperation },
      { Name: "XksOperation", Value: operation.xksOperation },
      { Name: "KeySpec", Value: operation.keySpec ?? "AES_256" },
    ];
    const outcomes = [
      ...((operation.successes ?? 0) > 0
        ? [{ errorType: SUCCESS_ERROR_TYPE, exceptionName: "None", count: operation.successes }]
        : []),
      ...(operation.errors ?? []),
    ];
    for (const { errorType, exceptionName, count } of outcomes) {
      series.push(
        counterSeries(
          "XksProxyErrors",
          [
            ...request,
            { Name: "ErrorType", Value: errorType },
            { Name: "ExceptionName", Value: exceptionName },
          ],
          count,
        ),
      );
    }
    if (operation.latency) series.push(latencySeries(request, operation.latency));
  }
  for (const [state, count] of Object.entries(metrics.externalKeyManagers ?? {})) {
    series.push(
      gaugeSeries(
        "XksExternalKeyManagerStates",
        [store, { Name: "XksExternalKeyManagerState", Value: state }],
        count,
      ),
    );
  }
  return series;
}

/** The value of one statistic; undefined for one the simulator does not model (percentiles). */
export function statistic(set: StatisticSet, stat: string): number | undefined {
  switch (stat) {
    case "Sum":
      return set.sum;
    case "SampleCount":
      return set.sampleCount;
    case "Average":
      return set.sum / set.sampleCount;
    case "Minimum":
      return set.minimum;
    case "Maximum":
      return set.maximum;
    default:
      return undefined;
  }
}

/**
 * CloudWatch treats each unique combination of dimensions as a separate metric: statistics
 * come only for the exact set a series was published with, in any order (CloudWatch
 * concepts, "Dimension combinations",
 * https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/cloudwatch_concepts.html#dimension-combinations).
 */
export function sameDimensions(a: readonly Dimension[], b: readonly Dimension[]): boolean {
  if (a.length !== b.length) return false;
  return a.every((d) => b.some((e) => e.Name === d.Name && e.Value === d.Value));
}
