import type { GetMetricDataCommandOutput, MetricDataQuery } from "@aws-sdk/client-cloudwatch";
import type { KeyStore } from "../../model.js";
import { enrichmentPages, type PagesOptions } from "../pages.js";
import {
  type CloudWatchCalls,
  discoverXksSeries,
  type XksMetricName,
  type XksSeries,
} from "./discover.js";
import { type Datapoint, STATS_OF, storeFigures, type XksHealth } from "./figures.js";

/**
 * CloudWatch period of the XKS metrics. AWS/KMS publishes them per 5 minutes (the KMS
 * console and AWS's alarm guidance use 5 minutes); a shorter period only adds gaps.
 */
export const XKS_PERIOD_SECONDS = 300;
/** Periods looked back, so a datapoint that CloudWatch publishes late is still found. */
const LOOKBACK_PERIODS = 3;
/** GetMetricData's limit of queries per call. */
export const MAX_QUERIES_PER_CALL = 500;

interface PlannedQuery {
  series: XksSeries;
  stat: string;
  query: MetricDataQuery;
}

/**
 * One MetricStat per discovered series and statistic, with the series' exact dimensions.
 * Ids are positional (`q0`, `q1`, …): store ids may hold characters a query id may not.
 * No SEARCH, Metrics Insights or metric math: the per-store figures are the exporter's.
 */
export function planXksQueries(series: readonly XksSeries[]): PlannedQuery[] {
  const planned: PlannedQuery[] = [];
  for (const one of series) {
    for (const stat of STATS_OF[one.metricName]) {
      planned.push({
        series: one,
        stat,
        query: {
          Id: `q${planned.length}`,
          ReturnData: true,
          MetricStat: {
            Metric: {
              Namespace: "AWS/KMS",
              MetricName: one.metricName,
              Dimensions: one.dimensions.map(({ Name, Value }) => ({ Name, Value })),
            },
            Period: XKS_PERIOD_SECONDS,
            Stat: stat,
          },
        },
      });
    }
  }
  return planned;
}

/** The target's external key stores, each once. */
export function xksStoreIdsOf(stores: readonly KeyStore[]): string[] {
  return [
    ...new Set(stores.filter((s) => s.type === "EXTERNAL_KEY_STORE").map((s) => s.id)),
  ].sort();
}

/** The time window: whole periods only, ending at the last period boundary before `nowMs`. */
export function xksWindow(nowMs: number): { start: Date; end: Date } {
  const periodMs = XKS_PERIOD_SECONDS * 1000;
  const end = Math.floor(nowMs / periodMs) * periodMs;
  return { start: new Date(end - LOOKBACK_PERIODS * periodMs), end: new Date(end) };
}

interface MergedResult {
  /** The newest datapoint: each series' value is its newest, older periods never mix in. */
  value: number | undefined;
  newestMs: number;
  /** From the last page that carried this result: earlier pages say PartialData. */
  statusCode: string | undefined;
}

/** Results merged across pages by query id. */
export function mergeResults(pages: GetMetricDataCommandOutput[]): Map<string, MergedResult> {
  const merged = new Map<string, MergedResult>();
  for (const page of pages) {
    for (const result of page.MetricDataResults ?? []) {
      if (result.Id === undefined) continue;
      const entry = merged.get(result.Id) ?? {
        value: undefined,
        newestMs: Number.NEGATIVE_INFINITY,
        statusCode: undefined,
      };
      const timestamps = result.Timestamps ?? [];
      const values = result.Values ?? [];
      timestamps.forEach((timestamp, index) => {
        const value = values[index];
        const at = timestamp instanceof Date ? timestamp.getTime() : Number.NaN;
        if (value !== undefined && Number.isFinite(value) && at > entry.newestMs) {
          entry.value = value;
          entry.newestMs = at;
        }
      });
      entry.statusCode = result.StatusCode ?? entry.statusCode;
      merged.set(result.Id, entry);
    }
  }
  return merged;
}

/**
 * Folds the answers into one XksHealth per store, every store included (one without
 * series has none); `onIncomplete` hears each result whose final StatusCode is not Complete.
 */
export function toXksHealth(
  storeIds: readonly string[],
  planned: readonly PlannedQuery[],
  results: Map<string, MergedResult>,
  onIncomplete: (statusCode: string) => void,
): XksHealth[] {
  const points = new Map<string, Datapoint[]>();
  const incomplete = new Map<string, Set<XksMetricName>>();
  for (const { series, stat, query } of planned) {
    const result = results.get(query.Id as string);
    const statusCode = result?.statusCode ?? "Missing";
    if (statusCode !== "Complete") {
      onIncomplete(statusCode);
      const names = incomplete.get(series.storeId) ?? new Set();
      incomplete.set(series.storeId, names.add(series.metricName));
    }
    if (result?.value === undefined) continue;
    const list = points.get(series.storeId) ?? [];
    list.push({ series, stat, value: result.value, atMs: result.newestMs });
    points.set(series.storeId, list);
  }
  const seriesByStore = new Map<string, Set<XksSeries>>();
  for (const { series } of planned) {
    seriesByStore.set(series.storeId, (seriesByStore.get(series.storeId) ?? new Set()).add(series));
  }
  return storeIds.map((storeId) =>
    storeFigures(
      storeId,
      [...(seriesByStore.get(storeId) ?? [])],
      points.get(storeId) ?? [],
      incomplete.get(storeId) ?? new Set(),
    ),
  );
}

export interface XksOptions extends Omit<PagesOptions, "operation"> {
  now: () => number;
  /** A result whose final StatusCode is not Complete (PartialData, InternalError, Forbidden). */
  onIncomplete: (statusCode: string) => void;
}

/**
 * The XKS round of one target: ListMetrics (one chain per metric name) for the exact series,
 * then GetMetricData for them, ⌈queries ÷ 500⌉ calls, every page of each. One deadline for
 * every call of the round.
 */
export async function fetchXksHealth(
  calls: CloudWatchCalls,
  storeIds: readonly string[],
  options: XksOptions,
): Promise<XksHealth[]> {
  if (storeIds.length === 0) return [];
  const deadlineAt = Date.now() + options.timeoutMs;
  const remaining = () => Math.max(1, deadlineAt - Date.now());
  const series = await discoverXksSeries(calls, storeIds, options);
  const planned = planXksQueries(series);
  const { start, end } = xksWindow(options.now());
  const pages: GetMetricDataCommandOutput[] = [];
  for (let offset = 0; offset < planned.length; offset += MAX_QUERIES_PER_CALL) {
    const queries = planned.slice(offset, offset + MAX_QUERIES_PER_CALL).map((p) => p.query);
    const input = {
      MetricDataQueries: queries,
      StartTime: start,
      EndTime: end,
      ScanBy: "TimestampDescending" as const,
    };
    pages.push(
      ...(await enrichmentPages(
        { ...options, operation: "GetMetricData", timeoutMs: remaining() },
        (token, abortSignal) =>
          calls.getMetricData(
            { ...input, ...(token ? { NextToken: token } : {}) },
            { abortSignal },
          ),
        (page) => page.NextToken,
      )),
    );
  }
  return toXksHealth(storeIds, planned, mergeResults(pages), options.onIncomplete);
}
