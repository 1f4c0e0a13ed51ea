import { collectDefaultMetrics, Registry } from "prom-client";
import { LabeledCounter } from "./labeled-counter.js";
import { ProcessSeries } from "./process-series.js";
import type { Section } from "./section.js";

const LINT_FAILING_DEFAULTS = [
  "nodejs_active_handles_total",
  "nodejs_active_requests_total",
  "nodejs_active_resources_total",
];

/**
 * The exporter's own metrics: the counters with a series per target and the process-wide
 * series (build facts, settings, reload and discovery outcomes), all rendered by hand as
 * Sections; prom-client keeps only what it is for, the process_* / nodejs_* defaults. Label
 * values come from config and AWS exception names, never from users' store names.
 */
export interface ExporterMetrics {
  /** prom-client's process_* and nodejs_* defaults, nothing else. */
  processRegistry: Registry;
  /** The exporter's own families, in exposition order (after the target families). */
  sections: readonly Section[];
  apiRequests: LabeledCounter<"operation">;
  apiRequestErrors: LabeledCounter<"operation" | "error">;
  pollInterval: ProcessSeries;
  pollErrors: LabeledCounter<"error">;
  rateLimitWait: LabeledCounter<never>;
  cloudWatchIncompleteResults: LabeledCounter<"status_code">;
  shardTargets: ProcessSeries<"shard">;
  configReloadSuccessful: ProcessSeries;
  configReloadSuccessTimestamp: ProcessSeries;
  discoveryAccounts: ProcessSeries;
  discoveryRefreshFailures: ProcessSeries;
  discoveryLastSuccessTimestamp: ProcessSeries;
}

export function createExporterMetrics(build: {
  version: string;
  revision: string;
}): ExporterMetrics {
  const processRegistry = new Registry();
  collectDefaultMetrics({ register: processRegistry });
  // prom-client names these gauges *_total, which promtool (rightly) flags as counter names.
  // Each is the sum of the per-type gauge of the same name without _total, so nothing is lost.
  for (const name of LINT_FAILING_DEFAULTS) processRegistry.removeSingleMetric(name);
  const buildInfo = new ProcessSeries({
    name: "kms_keystore_exporter_build_info",
    help: "Build facts of the running exporter (always 1).",
    type: "gauge",
    labelNames: ["version", "revision", "nodejs_version"],
  });
  buildInfo.set(
    { version: build.version, revision: build.revision, nodejs_version: process.version },
    1,
  );
  const metrics = {
    apiRequests: new LabeledCounter({
      name: "kms_keystore_exporter_api_requests_total",
      help: "HTTP attempts to AWS APIs, retries included.",
      type: "counter",
      labelNames: ["account_id", "region", "operation"],
    }),
    apiRequestErrors: new LabeledCounter({
      name: "kms_keystore_exporter_api_request_errors_total",
      help: "Failed HTTP attempts to AWS APIs, by exception name (or transport failure).",
      type: "counter",
      labelNames: ["account_id", "region", "operation", "error"],
    }),
    pollErrors: new LabeledCounter({
      name: "kms_keystore_exporter_target_poll_errors_total",
      help: "Polls of the target that failed, by the error that ended them (after retries).",
      type: "counter",
      labelNames: ["account_id", "region", "error"],
    }),
    rateLimitWait: new LabeledCounter<never>({
      name: "kms_keystore_exporter_rate_limit_wait_seconds_total",
      help: "Time spent waiting for the target's rate limiter before API calls.",
      type: "counter",
      labelNames: ["account_id", "region"],
    }),
    // Alerts on stale data compare the age of the last success with this, not a constant.
    pollInterval: new ProcessSeries({
      name: "kms_keystore_exporter_poll_interval_seconds",
      help: "The configured interval between two polls of a target.",
      type: "gauge",
    }),
    cloudWatchIncompleteResults: new LabeledCounter({
      name: "kms_keystore_exporter_cloudwatch_incomplete_results_total",
      help: "GetMetricData results for XKS metrics whose final StatusCode was not Complete (PartialData, InternalError, Forbidden): their values are missing or incomplete.",
      type: "counter",
      labelNames: ["account_id", "region", "status_code"],
      blankLineAfter: true,
    }),
    shardTargets: new ProcessSeries({
      name: "kms_keystore_exporter_shard_targets",
      help: "Targets (account × region) that this shard polls.",
      type: "gauge",
      labelNames: ["shard"],
    }),
    configReloadSuccessful: new ProcessSeries({
      name: "kms_keystore_exporter_config_last_reload_successful",
      help: "1 if the last config load (start or reload) succeeded, else 0.",
      type: "gauge",
    }),
    configReloadSuccessTimestamp: new ProcessSeries({
      name: "kms_keystore_exporter_config_last_reload_success_timestamp_seconds",
      help: "Unix time of the last successful config load.",
      type: "gauge",
    }),
    discoveryAccounts: new ProcessSeries({
      name: "kms_keystore_exporter_discovery_accounts",
      help: "Accounts taken from AWS Organizations at the last successful refresh (after exclusions).",
      type: "gauge",
    }),
    discoveryRefreshFailures: new ProcessSeries({
      name: "kms_keystore_exporter_discovery_refresh_failures_total",
      help: "Organizations refreshes that failed; the last good account list stays in use.",
      type: "counter",
    }),
    discoveryLastSuccessTimestamp: new ProcessSeries({
      name: "kms_keystore_exporter_discovery_last_success_timestamp_seconds",
      help: "Unix time of the last successful Organizations refresh.",
      type: "gauge",
    }),
  };
  const sections: Section[] = [
    metrics.apiRequests,
    metrics.apiRequestErrors,
    metrics.pollErrors,
    metrics.rateLimitWait,
    buildInfo,
    metrics.pollInterval,
    metrics.cloudWatchIncompleteResults,
    metrics.shardTargets,
    metrics.configReloadSuccessful,
    metrics.configReloadSuccessTimestamp,
    metrics.discoveryAccounts,
    metrics.discoveryRefreshFailures,
    metrics.discoveryLastSuccessTimestamp,
  ];
  return { processRegistry, sections, ...metrics };
}

/** Removed targets' counters go too, or discovery churn would make them pile up. */
export function forgetTargetCounters(
  metrics: ExporterMetrics,
  removed: { accountId: string; region: string }[],
): void {
  const keys = new Set(removed.map((target) => `${target.accountId}/${target.region}`));
  for (const counter of [
    metrics.apiRequests,
    metrics.apiRequestErrors,
    metrics.pollErrors,
    metrics.rateLimitWait,
    metrics.cloudWatchIncompleteResults,
  ]) {
    counter.forgetTargets(keys);
  }
}
