import type {
  GetMetricDataCommandInput,
  GetMetricDataCommandOutput,
  MetricDataQuery,
} from "@aws-sdk/client-cloudwatch";
import { GetMetricDataCommand } from "@aws-sdk/client-cloudwatch";
import type { KeyStore } from "../../model.js";
import { allPages, type PagesOptions } from "../pages.js";

/**
 * CloudWatch period of the XKS metrics. AWS/KMS publishes them per 5 minutes (the KMS
 * console and AWS's alarm guidance use 5 minutes); a shorter period only adds gaps.
 */
export const XKS_PERIOD_SECONDS = 300;

/** One external key store's proxy health (enrich.xks), in base units. */
export interface XksHealth {
  storeId: string;
  certificateDaysToExpire: number | undefined;
  credentialAgeDays: number | undefined;
  /** Sum over the period by ErrorType; 0 where CloudWatch has no datapoint (no errors). */
  errors: Record<string, number>;
  latencySeconds: number | undefined;
  /** Instances by health state; absent where CloudWatch has no datapoint. */
  externalKeyManagers: Record<string, number>;
}

/** Periods looked back, so a datapoint that CloudWatch publishes late is still found. */
const LOOKBACK_PERIODS = 3;
/** GetMetricData's limit of queries per call. */
export const MAX_QUERIES_PER_CALL = 500;

/**
 * Values of the dimensions the exporter asks for by name: GetMetricData matches dimensions
 * exactly, so each value is a query of its own.
 */
export const XKS_ERROR_TYPES = ["Retryable errors", "Non-retryable errors"] as const;
export const XKS_EXTERNAL_KEY_MANAGER_STATES = ["Active", "Degraded", "Unavailable"] as const;

type Field =
  | { kind: "certificate" }
  | { kind: "credential" }
  | { kind: "latency" }
  | { kind: "errors"; errorType: string }
  | { kind: "managers"; state: string };

interface PlannedQuery {
  storeId: string;
  field: Field;
  query: MetricDataQuery;
}

interface Dimension {
  Name: string;
  Value: string;
}

function metricQuery(
  id: string,
  metricName: string,
  stat: string,
  storeId: string,
  extra?: Dimension,
): MetricDataQuery {
  return {
    Id: id,
    ReturnData: true,
    MetricStat: {
      Metric: {
        Namespace: "AWS/KMS",
        MetricName: metricName,
        Dimensions: [{ Name: "CustomKeyStoreId", Value: storeId }, ...(extra ? [extra] : [])],
      },
      Period: XKS_PERIOD_SECONDS,
      Stat: stat,
    },
  };
}

/**
 * Every query for these stores. Ids are positional (`q0`, `q1`, …): store ids may hold
 * characters a query id may not, and the position maps each answer back to its store.
 */
export function planXksQueries(storeIds: readonly string[]): PlannedQuery[] {
  const planned: PlannedQuery[] = [];
  for (const storeId of storeIds) {
    const add = (field: Field, metric: string, stat: string, extra?: Dimension) => {
      const query = metricQuery(`q${planned.length}`, metric, stat, storeId, extra);
      planned.push({ storeId, field, query });
    };
    // The lowest value: with several certificates the first to expire is the one that matters.
    add({ kind: "certificate" }, "XksProxyCertificateDaysToExpire", "Minimum");
    add({ kind: "credential" }, "XksProxyCredentialAge", "Maximum");
    add({ kind: "latency" }, "XksProxyLatency", "Average");
    for (const errorType of XKS_ERROR_TYPES) {
      add({ kind: "errors", errorType }, "XksProxyErrors", "Sum", {
        Name: "ErrorType",
        Value: errorType,
      });
    }
    // Maximum: an instance that was degraded at any time in the period is counted.
    for (const state of XKS_EXTERNAL_KEY_MANAGER_STATES) {
      add({ kind: "managers", state }, "XksExternalKeyManagerStates", "Maximum", {
        Name: "XksExternalKeyManagerState",
        Value: state,
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
  /** The newest datapoint's value. */
  value: number | undefined;
  newestMs: number;
  /** From the last page that carried this result: earlier pages say PartialData. */
  statusCode: string | undefined;
}

/** Results merged across pages by query id. */
function mergeResults(pages: GetMetricDataCommandOutput[]): Map<string, MergedResult> {
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

/** Folds answers into one XksHealth per store; `onIncomplete` hears each non-Complete result. */
export function toXksHealth(
  planned: readonly PlannedQuery[],
  results: Map<string, MergedResult>,
  onIncomplete: (statusCode: string) => void,
): XksHealth[] {
  const byStore = new Map<string, XksHealth>();
  for (const { storeId, field, query } of planned) {
    let health = byStore.get(storeId);
    if (!health) {
      health = {
        storeId,
        certificateDaysToExpire: undefined,
        credentialAgeDays: undefined,
        errors: {},
        latencySeconds: undefined,
        externalKeyManagers: {},
      };
      byStore.set(storeId, health);
    }
    const result = results.get(query.Id as string);
    const statusCode = result?.statusCode ?? "Missing";
    if (statusCode !== "Complete") onIncomplete(statusCode);
    const value = result?.value;
    switch (field.kind) {
      case "certificate":
        health.certificateDaysToExpire = value;
        break;
      case "credential":
        health.credentialAgeDays = value;
        break;
      case "latency":
        // CloudWatch has milliseconds; Prometheus wants seconds.
        health.latencySeconds = value === undefined ? undefined : value / 1000;
        break;
      case "errors":
        // No datapoint means no error was recorded, but only in a complete answer.
        if (value !== undefined || statusCode === "Complete")
          health.errors[field.errorType] = value ?? 0;
        break;
      case "managers":
        if (value !== undefined) health.externalKeyManagers[field.state] = value;
        break;
    }
  }
  return [...byStore.values()];
}

export interface MetricClient {
  send(
    command: GetMetricDataCommand,
    options: { abortSignal: AbortSignal },
  ): Promise<GetMetricDataCommandOutput>;
}

export interface XksOptions extends Omit<PagesOptions, "operation"> {
  now: () => number;
  /** A result whose final StatusCode is not Complete (PartialData, InternalError, Forbidden). */
  onIncomplete: (statusCode: string) => void;
}

/**
 * GetMetricData for the proxies of a target's external key stores: one call (all pages)
 * per 500 queries, so a target with up to 62 such stores costs one call a round.
 */
export async function fetchXksHealth(
  client: MetricClient,
  storeIds: readonly string[],
  options: XksOptions,
): Promise<XksHealth[]> {
  if (storeIds.length === 0) return [];
  const planned = planXksQueries(storeIds);
  const { start, end } = xksWindow(options.now());
  const pages: GetMetricDataCommandOutput[] = [];
  // One deadline for every call of the round, not one per 500 queries.
  const deadlineAt = Date.now() + options.timeoutMs;
  for (let offset = 0; offset < planned.length; offset += MAX_QUERIES_PER_CALL) {
    const queries = planned.slice(offset, offset + MAX_QUERIES_PER_CALL).map((p) => p.query);
    const input: GetMetricDataCommandInput = {
      MetricDataQueries: queries,
      StartTime: start,
      EndTime: end,
      ScanBy: "TimestampDescending",
    };
    pages.push(
      ...(await allPages(
        {
          ...options,
          operation: "GetMetricData",
          timeoutMs: Math.max(1, deadlineAt - Date.now()),
        },
        (token, abortSignal) =>
          client.send(
            new GetMetricDataCommand({ ...input, ...(token ? { NextToken: token } : {}) }),
            {
              abortSignal,
            },
          ),
        (page) => page.NextToken,
      )),
    );
  }
  return toXksHealth(planned, mergeResults(pages), options.onIncomplete);
}
