import { Counter, collectDefaultMetrics, Gauge, Registry } from "prom-client";
import { LabeledCounter } from "./labeled-counter.js";

const LINT_FAILING_DEFAULTS = [
  "nodejs_active_handles_total",
  "nodejs_active_requests_total",
  "nodejs_active_resources_total",
];

/**
 * The exporter's own metrics: build facts, settings, the process_* / nodejs_* defaults in
 * prom-client, and the counters with a series per target, rendered by hand
 * (labeled-counter.ts) and served with the registry's text (`handRenderedText`). Their
 * label values come from config and AWS exception names, never from users' store names.
 */
export interface ExporterMetrics {
  registry: Registry;
  apiRequests: LabeledCounter<"account_id" | "region" | "operation">;
  apiRequestErrors: LabeledCounter<"account_id" | "region" | "operation" | "error">;
  pollInterval: Gauge;
  pollErrors: LabeledCounter<"account_id" | "region" | "error">;
  rateLimitWait: LabeledCounter<"account_id" | "region">;
  cloudWatchIncompleteResults: Counter<"account_id" | "region" | "status_code">;
  shardTargets: Gauge<"shard">;
  configReloadSuccessful: Gauge;
  configReloadSuccessTimestamp: Gauge;
  discoveryAccounts: Gauge;
  discoveryRefreshFailures: Counter;
  discoveryLastSuccessTimestamp: Gauge;
}

/** The hand-rendered families that belong with a registry's text on /metrics. */
const handRendered = new WeakMap<Registry, () => string>();

export function handRenderedText(registry: Registry): string {
  return handRendered.get(registry)?.() ?? "";
}

export function createExporterMetrics(build: {
  version: string;
  revision: string;
}): ExporterMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  // prom-client names these gauges *_total, which promtool (rightly) flags as counter names.
  // Each is the sum of the per-type gauge of the same name without _total, so nothing is lost.
  for (const name of LINT_FAILING_DEFAULTS) registry.removeSingleMetric(name);
  const buildInfo = new Gauge({
    name: "kms_keystore_exporter_build_info",
    help: "Build facts of the running exporter (always 1).",
    labelNames: ["version", "revision", "nodejs_version"],
    registers: [registry],
  });
  buildInfo.set(
    { version: build.version, revision: build.revision, nodejs_version: process.version },
    1,
  );
  const apiRequests = new LabeledCounter({
    name: "kms_keystore_exporter_api_requests_total",
    help: "HTTP attempts to AWS APIs, retries included.",
    type: "counter",
    labelNames: ["account_id", "region", "operation"],
  });
  const apiRequestErrors = new LabeledCounter({
    name: "kms_keystore_exporter_api_request_errors_total",
    help: "Failed HTTP attempts to AWS APIs, by exception name (or transport failure).",
    type: "counter",
    labelNames: ["account_id", "region", "operation", "error"],
  });
  const pollErrors = new LabeledCounter({
    name: "kms_keystore_exporter_target_poll_errors_total",
    help: "Polls of the target that failed, by the error that ended them (after retries).",
    type: "counter",
    labelNames: ["account_id", "region", "error"],
  });
  const rateLimitWait = new LabeledCounter({
    name: "kms_keystore_exporter_rate_limit_wait_seconds_total",
    help: "Time spent waiting for the target's rate limiter before API calls.",
    type: "counter",
    labelNames: ["account_id", "region"],
  });
  const perTarget = [apiRequests, apiRequestErrors, pollErrors, rateLimitWait];
  handRendered.set(registry, () => perTarget.map((counter) => counter.render()).join(""));
  return {
    registry,
    apiRequests,
    apiRequestErrors,
    pollErrors,
    rateLimitWait,
    // Alerts on stale data compare the age of the last success with this, not a constant.
    pollInterval: new Gauge({
      name: "kms_keystore_exporter_poll_interval_seconds",
      help: "The configured interval between two polls of a target.",
      registers: [registry],
    }),
    cloudWatchIncompleteResults: new Counter({
      name: "kms_keystore_exporter_cloudwatch_incomplete_results_total",
      help: "GetMetricData results for XKS metrics whose final StatusCode was not Complete (PartialData, InternalError, Forbidden): their values are missing or incomplete.",
      labelNames: ["account_id", "region", "status_code"],
      registers: [registry],
    }),
    shardTargets: new Gauge({
      name: "kms_keystore_exporter_shard_targets",
      help: "Targets (account × region) that this shard polls.",
      labelNames: ["shard"],
      registers: [registry],
    }),
    configReloadSuccessful: new Gauge({
      name: "kms_keystore_exporter_config_last_reload_successful",
      help: "1 if the last config load (start or reload) succeeded, else 0.",
      registers: [registry],
    }),
    configReloadSuccessTimestamp: new Gauge({
      name: "kms_keystore_exporter_config_last_reload_success_timestamp_seconds",
      help: "Unix time of the last successful config load.",
      registers: [registry],
    }),
    discoveryAccounts: new Gauge({
      name: "kms_keystore_exporter_discovery_accounts",
      help: "Accounts taken from AWS Organizations at the last successful refresh (after exclusions).",
      registers: [registry],
    }),
    discoveryRefreshFailures: new Counter({
      name: "kms_keystore_exporter_discovery_refresh_failures_total",
      help: "Organizations refreshes that failed; the last good account list stays in use.",
      registers: [registry],
    }),
    discoveryLastSuccessTimestamp: new Gauge({
      name: "kms_keystore_exporter_discovery_last_success_timestamp_seconds",
      help: "Unix time of the last successful Organizations refresh.",
      registers: [registry],
    }),
  };
}

interface TargetCounter<Labels> {
  get(): Promise<{ values: { labels: Labels }[] }>;
  remove(labels: Labels): void;
}

/** Removed targets' counters go too, or discovery churn would make them pile up. */
export async function forgetTargetCounters(
  metrics: ExporterMetrics,
  removed: { accountId: string; region: string }[],
): Promise<void> {
  const keys = new Set(removed.map((target) => `${target.accountId}/${target.region}`));
  const forget = async <Labels extends { account_id?: unknown; region?: unknown }>(
    counter: TargetCounter<Labels>,
  ) => {
    const { values } = await counter.get();
    for (const { labels } of values) {
      if (keys.has(`${labels.account_id}/${labels.region}`)) counter.remove(labels);
    }
  };
  await forget(metrics.apiRequests);
  await forget(metrics.apiRequestErrors);
  await forget(metrics.pollErrors);
  await forget(metrics.rateLimitWait);
  await forget(metrics.cloudWatchIncompleteResults);
}
