import { z } from "zod";
import {
  metricsOf,
  NAMESPACE,
  PERIODS,
  type Series,
  sameDimensions,
  seriesOf,
  statistic,
} from "./cloudwatch-series.js";
import { faultsFor, pickFault } from "./faults.js";
import type { Outcome } from "./outcome.js";
import { json10Reply, queryCompatibleError, type Reply } from "./replies.js";
import type { FaultKind } from "./scenario.js";
import type { Target, World } from "./world.js";

/**
 * CloudWatch as @aws-sdk/client-cloudwatch 3.11xx speaks to it: awsJson1_0 with
 * `X-Amz-Target: GraniteServiceVersion20100801.<Op>` and `x-amzn-query-mode`, errors
 * named by `x-amzn-query-error`. Signing name `monitoring`. ListMetrics and GetMetricData as
 * the CloudWatch API reference describes them:
 * https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_ListMetrics.html and
 * https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_GetMetricData.html
 */
export const CLOUDWATCH_TARGET_PREFIX = "GraniteServiceVersion20100801.";
export const CLOUDWATCH_SIGNING_NAME = "monitoring";

/** GetMetricData's limit of queries per call. */
export const MAX_QUERIES = 500;
/** "Up to 500 results are returned for any one call" (ListMetrics). */
export const MAX_LIST_RESULTS = 500;

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
};

function accessDenied(operation: string): Reply {
  return queryCompatibleError(
    403,
    "AccessDenied",
    "AccessDeniedException",
    `User is not authorized to perform: cloudwatch:${operation}`,
  );
}

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

type Query = z.output<typeof query>;

/** Every series of the target's external key stores, in a stable order. */
function targetSeries(target: Target, elapsedMs: number, recentlyActive: boolean): Series[] {
  return target.stores.flatMap((store) => {
    const metrics = metricsOf(store, elapsedMs);
    if (metrics === undefined || (recentlyActive && metrics.stale)) return [];
    return seriesOf(store.id, metrics);
  });
}

/**
 * One result per query: the series with exactly the query's dimensions, one datapoint per
 * whole period inside [StartTime, EndTime), newest first (ScanBy's default,
 * TimestampDescending). No such series: an empty result marked Complete, not an error.
 */
function resultOf(
  q: Query,
  target: Target,
  call: CloudWatchCall,
  endTime: number,
  startTime: number,
) {
  const { Metric: metric, Period: period, Stat: stat } = q.MetricStat;
  const empty = { Id: q.Id, Label: metric.MetricName, Timestamps: [], Values: [] };
  const storeId = metric.Dimensions.find((d) => d.Name === "CustomKeyStoreId")?.Value;
  const store = target.stores.find((s) => s.id === storeId);
  const metrics = store === undefined ? undefined : metricsOf(store, call.elapsedMs);
  if (metrics?.statusCode !== undefined) return { ...empty, StatusCode: metrics.statusCode };
  const series =
    metric.Namespace !== NAMESPACE ||
    metrics === undefined ||
    metrics.stale ||
    storeId === undefined
      ? undefined
      : seriesOf(storeId, metrics).find(
          (candidate) =>
            candidate.metricName === metric.MetricName &&
            sameDimensions(candidate.dimensions, metric.Dimensions),
        );
  const timestamps: number[] = [];
  const values: number[] = [];
  const newest = Math.floor(endTime / period) * period - period;
  for (let age = 0; series !== undefined && age < PERIODS; age++) {
    const at = newest - age * period;
    const set = series.periods[age];
    const value = set === undefined ? undefined : statistic(set, stat);
    if (at < startTime || value === undefined) continue;
    timestamps.push(at);
    values.push(value);
  }
  return { ...empty, Timestamps: timestamps, Values: values, StatusCode: "Complete" };
}

function bodyOf(call: CloudWatchCall): unknown {
  try {
    return call.body === "" ? {} : JSON.parse(call.body);
  } catch {
    return undefined;
  }
}

/** The offset a NextToken stands for; undefined: CloudWatch's InvalidNextToken. */
function offsetOf(target: Target, token: string | undefined): number | Reply {
  if (token === undefined) return 0;
  const decoded = target.markers.decode(token);
  if (decoded !== undefined) return decoded;
  return queryCompatibleError(
    400,
    "InvalidNextToken",
    "InvalidNextToken",
    "The service couldn't process the NextToken.",
  );
}

const listRequestSchema = z.object({
  Namespace: z.string().min(1).optional(),
  MetricName: z.string().min(1).optional(),
  Dimensions: z
    .array(z.object({ Name: z.string().min(1), Value: z.string().min(1).optional() }))
    .max(10)
    .optional(),
  NextToken: z.string().min(1).optional(),
  // "PT3H ... is the only valid value for this parameter."
  RecentlyActive: z.literal("PT3H").optional(),
});

/**
 * ListMetrics: the series that match every filter given. A dimension filter matches a series
 * that has a dimension of that name (and value, when one is given), whatever other
 * dimensions it has. Up to 500 a page (fewer with a smaller region `pageSize`), then NextToken.
 */
function listMetrics(call: CloudWatchCall, target: Target): Reply {
  const parsed = listRequestSchema.safeParse(bodyOf(call));
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return invalid(`${issue?.path.join(".") || "request"}: ${issue?.message}`);
  }
  const { Namespace: namespace, MetricName: name, Dimensions: filters = [] } = parsed.data;
  const offset = offsetOf(target, parsed.data.NextToken);
  if (typeof offset !== "number") return offset;
  const matching = (
    namespace === undefined || namespace === NAMESPACE
      ? targetSeries(target, call.elapsedMs, parsed.data.RecentlyActive !== undefined)
      : []
  ).filter(
    (series) =>
      (name === undefined || series.metricName === name) &&
      filters.every((filter) =>
        series.dimensions.some(
          (d) => d.Name === filter.Name && (filter.Value === undefined || d.Value === filter.Value),
        ),
      ),
  );
  const next = offset + Math.min(MAX_LIST_RESULTS, target.pageSize);
  return json10Reply({
    Metrics: matching.slice(offset, next).map((series) => ({
      Namespace: NAMESPACE,
      MetricName: series.metricName,
      Dimensions: series.dimensions,
    })),
    ...(next < matching.length ? { NextToken: target.markers.encode(next) } : {}),
  });
}

function getMetricData(call: CloudWatchCall, target: Target): Reply {
  const request = bodyOf(call);
  if (request === undefined) return invalid("Request body is not valid JSON");
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
  const offset = offsetOf(target, parsed.data.NextToken);
  if (typeof offset !== "number") return offset;
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

const OPERATIONS: Record<string, (call: CloudWatchCall, target: Target) => Reply> = {
  ListMetrics: listMetrics,
  GetMetricData: getMetricData,
};

export function answerCloudWatch(call: CloudWatchCall, world: World): Outcome {
  const answer = OPERATIONS[call.operation];
  if (answer === undefined) {
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
  const calls = call.operation === "ListMetrics" ? ++target.listMetricsCalls : ++target.metricCalls;
  const fault = pickFault(faultsFor(target.faults, call.operation), calls, call.random);
  if (fault === undefined) return { reply: answer(call, target) };
  const { kind } = fault;
  if (kind === "hang" || kind === "reset") return { drop: kind, fault: kind };
  if (kind === "access-denied") return { reply: accessDenied(call.operation), fault: kind };
  const canned = CANNED_FAULTS[kind];
  if (canned) return { reply: canned(), fault: kind };
  return { reply: answer(call, target), fault: kind, delayMs: fault.delay };
}
