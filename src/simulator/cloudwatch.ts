import { z } from "zod";
import { faultsFor, pickFault } from "./faults.js";
import type { Outcome } from "./outcome.js";
import { json10Reply, queryCompatibleError, type Reply } from "./replies.js";
import type { FaultKind, StoreSpec, XksMetricsSpec } from "./scenario.js";
import { stateAt } from "./stores.js";
import type { Target, World } from "./world.js";

/**
 * CloudWatch as @aws-sdk/client-cloudwatch 3.11xx speaks to it: awsJson1_0 with
 * `X-Amz-Target: GraniteServiceVersion20100801.<Op>` and `x-amzn-query-mode`, errors
 * named by `x-amzn-query-error`. Signing name `monitoring`.
 */
export const CLOUDWATCH_TARGET_PREFIX = "GraniteServiceVersion20100801.";
export const CLOUDWATCH_SIGNING_NAME = "monitoring";

/** GetMetricData's limit of queries per call. */
export const MAX_QUERIES = 500;

/** Metrics of a CONNECTED external key store that the scenario gives none: a healthy proxy. */
export const DEFAULT_XKS_METRICS: XksMetricsSpec = {
  certificateDaysToExpire: 180,
  credentialAgeDays: 30,
  errors: {},
  latencyMs: 40,
  externalKeyManagers: { Active: 2 },
};

export interface CloudWatchCall {
  operation: string;
  body: string;
  region: string;
  accountId: string;
  elapsedMs: number;
  random: () => number;
}

const CANNED_FAULTS: Partial<Record<FaultKind, () => Reply>> = {
  "internal-error": () =>
    queryCompatibleError(500, "InternalServiceError", "InternalServiceFault", "Internal error"),
  throttling: () => queryCompatibleError(400, "Throttling", "ThrottlingException", "Rate exceeded"),
  "access-denied": () =>
    queryCompatibleError(
      403,
      "AccessDenied",
      "AccessDeniedException",
      "User is not authorized to perform: cloudwatch:GetMetricData",
    ),
};

const dimension = z.object({ Name: z.string().min(1), Value: z.string() });
const query = z.object({
  Id: z.string().regex(/^[a-z][a-zA-Z0-9_]*$/, "must start with a lowercase letter"),
  MetricStat: z.object({
    Metric: z.object({
      Namespace: z.string(),
      MetricName: z.string(),
      Dimensions: z.array(dimension).default([]),
    }),
    Period: z.number().int().min(1),
    Stat: z.string().min(1),
  }),
  ReturnData: z.boolean().optional(),
});
// Not strict: members the simulator does not use (ScanBy, LabelOptions) are ignored.
const requestSchema = z.object({
  MetricDataQueries: z.array(z.unknown()).min(1),
  StartTime: z.number(),
  EndTime: z.number(),
  NextToken: z.string().min(1).optional(),
});

function invalid(message: string): Reply {
  return queryCompatibleError(
    400,
    "InvalidParameterValue",
    "InvalidParameterValueException",
    message,
  );
}

function metricsOf(store: StoreSpec, elapsedMs: number): XksMetricsSpec | undefined {
  if (store.xksMetrics !== undefined) return store.xksMetrics;
  return stateAt(store, elapsedMs).state === "CONNECTED" ? DEFAULT_XKS_METRICS : undefined;
}

/** The simulator's truth for one metric of one store; undefined: CloudWatch has no data. */
function truthOf(
  metrics: XksMetricsSpec,
  name: string,
  dimensions: Map<string, string>,
): number | undefined {
  switch (name) {
    case "XksProxyCertificateDaysToExpire":
      return metrics.certificateDaysToExpire;
    case "XksProxyCredentialAge":
      return metrics.credentialAgeDays;
    case "XksProxyLatency":
      return metrics.latencyMs;
    case "XksProxyErrors":
      return metrics.errors?.[dimensions.get("ErrorType") ?? ""];
    case "XksExternalKeyManagerStates":
      return metrics.externalKeyManagers?.[dimensions.get("XksExternalKeyManagerState") ?? ""];
    default:
      return undefined;
  }
}

type Query = z.output<typeof query>;

/**
 * One result per query: the newest whole period before EndTime, with the scenario's value
 * as the statistic (the simulator does not aggregate: its truth is already the statistic).
 */
function resultOf(
  q: Query,
  target: Target,
  call: CloudWatchCall,
  endTime: number,
  startTime: number,
) {
  const { Metric: metric, Period: period } = q.MetricStat;
  const dimensions = new Map(metric.Dimensions.map((d) => [d.Name, d.Value]));
  const storeId = dimensions.get("CustomKeyStoreId");
  const store =
    metric.Namespace === "AWS/KMS"
      ? target.stores.find((s) => s.id === storeId && s.type === "EXTERNAL_KEY_STORE")
      : undefined;
  const metrics = store === undefined ? undefined : metricsOf(store, call.elapsedMs);
  const empty = { Id: q.Id, Label: metric.MetricName, Timestamps: [], Values: [] };
  if (metrics?.statusCode !== undefined) return { ...empty, StatusCode: metrics.statusCode };
  const value = metrics === undefined ? undefined : truthOf(metrics, metric.MetricName, dimensions);
  const timestamp = Math.floor(endTime / period) * period - period;
  if (value === undefined || timestamp < startTime) return { ...empty, StatusCode: "Complete" };
  return { ...empty, Timestamps: [timestamp], Values: [value], StatusCode: "Complete" };
}

function getMetricData(call: CloudWatchCall, target: Target): Reply {
  let request: unknown;
  try {
    request = call.body === "" ? {} : JSON.parse(call.body);
  } catch {
    return invalid("Request body is not valid JSON");
  }
  const parsed = requestSchema.safeParse(request);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return invalid(`${issue?.path.join(".") || "request"}: ${issue?.message}`);
  }
  const { MetricDataQueries: raw, StartTime: startTime, EndTime: endTime } = parsed.data;
  if (raw.length > MAX_QUERIES) {
    return invalid(
      `The collection MetricDataQueries must not have a size greater than ${MAX_QUERIES}.`,
    );
  }
  if (endTime <= startTime) return invalid("The parameter StartTime must be less than EndTime.");
  const queries: Query[] = [];
  const ids = new Set<string>();
  for (const [index, entry] of raw.entries()) {
    const q = query.safeParse(entry);
    if (!q.success) {
      const issue = q.error.issues[0];
      return invalid(`MetricDataQueries.${index}.${issue?.path.join(".")}: ${issue?.message}`);
    }
    if (ids.has(q.data.Id)) return invalid(`The value ${q.data.Id} for Id is not unique.`);
    ids.add(q.data.Id);
    queries.push(q.data);
  }
  let offset = 0;
  if (parsed.data.NextToken !== undefined) {
    const decoded = target.markers.decode(parsed.data.NextToken);
    if (decoded === undefined) {
      return queryCompatibleError(
        400,
        "InvalidNextToken",
        "InvalidNextToken",
        "The service couldn't process the NextToken.",
      );
    }
    offset = decoded;
  }
  // A page holds at most `pageSize` results; the rest follow NextToken, as CloudWatch
  // spreads large answers over pages.
  const next = offset + target.pageSize;
  return json10Reply({
    MetricDataResults: queries
      .slice(offset, next)
      .map((q) => resultOf(q, target, call, endTime, startTime)),
    Messages: [],
    ...(next < queries.length ? { NextToken: target.markers.encode(next) } : {}),
  });
}

export function answerCloudWatch(call: CloudWatchCall, world: World): Outcome {
  if (call.operation !== "GetMetricData") {
    return {
      reply: queryCompatibleError(
        400,
        "InvalidAction",
        "InvalidAction",
        `The simulator does not implement ${call.operation}`,
      ),
    };
  }
  const target = world.target(call.accountId, call.region);
  target.metricCalls += 1;
  const fault = pickFault(
    faultsFor(target.faults, "GetMetricData"),
    target.metricCalls,
    call.random,
  );
  if (fault === undefined) return { reply: getMetricData(call, target) };
  const { kind } = fault;
  if (kind === "hang" || kind === "reset") return { drop: kind, fault: kind };
  const canned = CANNED_FAULTS[kind];
  if (canned) return { reply: canned(), fault: kind };
  return { reply: getMetricData(call, target), fault: kind, delayMs: fault.delay };
}
