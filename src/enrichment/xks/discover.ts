import type {
  GetMetricDataCommandInput,
  GetMetricDataCommandOutput,
  ListMetricsCommandInput,
  ListMetricsCommandOutput,
} from "@aws-sdk/client-cloudwatch";
import { GetMetricDataCommand, ListMetricsCommand } from "@aws-sdk/client-cloudwatch";
import { enrichmentPages, type PagesOptions } from "../pages.js";

/**
 * The XKS metrics of AWS/KMS. GetMetricData matches a metric's dimensions exactly ("you can
 * only retrieve statistics using combinations of dimensions that you specifically
 * published", CloudWatch concepts), and KMS publishes each under its own set (KMS developer
 * guide, "Monitor KMS keys with Amazon CloudWatch"). So the exporter does not guess the
 * sets: ListMetrics tells them, the way yet-another-cloudwatch-exporter does it.
 */
export const XKS_METRIC_NAMES = [
  "XksProxyCertificateDaysToExpire",
  "XksProxyCredentialAge",
  "XksProxyErrors",
  "XksProxyLatency",
  "XksExternalKeyManagerStates",
] as const;

export type XksMetricName = (typeof XKS_METRIC_NAMES)[number];

export interface Dimension {
  Name: string;
  Value: string;
}

/** One series CloudWatch holds for an external key store: a metric and its exact dimensions. */
export interface XksSeries {
  storeId: string;
  metricName: XksMetricName;
  dimensions: readonly Dimension[];
}

/** The two CloudWatch calls of the XKS round, apart from the SDK so tests can answer them. */
export interface CloudWatchCalls {
  listMetrics(
    input: ListMetricsCommandInput,
    options: { abortSignal: AbortSignal },
  ): Promise<ListMetricsCommandOutput>;
  getMetricData(
    input: GetMetricDataCommandInput,
    options: { abortSignal: AbortSignal },
  ): Promise<GetMetricDataCommandOutput>;
}

interface CommandSender {
  send(
    command: ListMetricsCommand | GetMetricDataCommand,
    options: { abortSignal: AbortSignal },
  ): Promise<unknown>;
}

export function cloudWatchCalls(client: CommandSender): CloudWatchCalls {
  return {
    listMetrics: (input, options) =>
      client.send(new ListMetricsCommand(input), options) as Promise<ListMetricsCommandOutput>,
    getMetricData: (input, options) =>
      client.send(new GetMetricDataCommand(input), options) as Promise<GetMetricDataCommandOutput>,
  };
}

/** The series of these stores among a ListMetrics answer; other stores' and malformed ones are left out. */
export function seriesOfStores(
  metricName: XksMetricName,
  pages: readonly ListMetricsCommandOutput[],
  storeIds: ReadonlySet<string>,
): XksSeries[] {
  const found: XksSeries[] = [];
  for (const metric of pages.flatMap((page) => page.Metrics ?? [])) {
    if (metric.MetricName !== metricName) continue;
    const dimensions: Dimension[] = [];
    for (const { Name, Value } of metric.Dimensions ?? []) {
      if (typeof Name === "string" && typeof Value === "string") dimensions.push({ Name, Value });
    }
    const storeId = dimensions.find((d) => d.Name === "CustomKeyStoreId")?.Value;
    if (storeId !== undefined && storeIds.has(storeId)) {
      found.push({ storeId, metricName, dimensions });
    }
  }
  return found;
}

/**
 * ListMetrics, one call chain per metric name (every page), for the series published in the
 * last three hours. One chain per name, not per store: a target's stores share its pages.
 */
export async function discoverXksSeries(
  calls: CloudWatchCalls,
  storeIds: readonly string[],
  options: Omit<PagesOptions, "operation">,
): Promise<XksSeries[]> {
  const wanted = new Set(storeIds);
  const series: XksSeries[] = [];
  const deadlineAt = Date.now() + options.timeoutMs;
  for (const metricName of XKS_METRIC_NAMES) {
    const input: ListMetricsCommandInput = {
      Namespace: "AWS/KMS",
      MetricName: metricName,
      RecentlyActive: "PT3H",
    };
    const pages = await enrichmentPages(
      { ...options, operation: "ListMetrics", timeoutMs: Math.max(1, deadlineAt - Date.now()) },
      (token, abortSignal) =>
        calls.listMetrics({ ...input, ...(token ? { NextToken: token } : {}) }, { abortSignal }),
      (page) => page.NextToken,
    );
    series.push(...seriesOfStores(metricName, pages, wanted));
  }
  return series;
}
