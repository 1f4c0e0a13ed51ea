import { type ClusterHealth, XKS_PERIOD_SECONDS, type XksHealth } from "../model.js";
import type { EnrichmentStore, TargetEnrichment } from "../state/enrichment.js";
import { type FamilyHeader, type Labels, sampleLine } from "./exposition.js";
import type { Member, Section } from "./section.js";
import { POLLED_EVERY_INTERVAL } from "./series.js";

/** CloudHSM v2 cluster states (API reference); an unknown one gets its own series. */
export const CLUSTER_STATES = [
  "CREATE_IN_PROGRESS",
  "UNINITIALIZED",
  "INITIALIZE_IN_PROGRESS",
  "INITIALIZED",
  "ACTIVE",
  "UPDATE_IN_PROGRESS",
  "MODIFY_IN_PROGRESS",
  "ROLLBACK_IN_PROGRESS",
  "DELETE_IN_PROGRESS",
  "DELETED",
  "DEGRADED",
] as const;

/** HSM states; each is exported, 0 when no HSM is in it, so `{state="ACTIVE"}` always exists. */
export const HSM_STATES = [
  "CREATE_IN_PROGRESS",
  "ACTIVE",
  "DEGRADED",
  "DELETE_IN_PROGRESS",
  "DELETED",
] as const;

const hsm = `From CloudHSM DescribeClusters, ${POLLED_EVERY_INTERVAL}, for clusters behind a key store.`;
const minutes = XKS_PERIOD_SECONDS / 60;
const xks = (metric: string, stat: string) =>
  `From CloudWatch AWS/KMS ${metric} (${stat} over ${minutes}m periods), ${POLLED_EVERY_INTERVAL}: the newest whole period, so it lags by ${minutes} to ${2 * minutes} minutes.`;

/** Families of the opt-in enrichments (order = order of the sample lines). */
export const ENRICHMENT_FAMILIES: readonly FamilyHeader[] = [
  {
    name: "aws_kms_cloudhsm_cluster_state",
    type: "gauge",
    help: `1 for the CloudHSM cluster's current state, 0 for the others. ${hsm}`,
  },
  {
    name: "aws_kms_cloudhsm_cluster_hsms",
    type: "gauge",
    help: `HSMs in the cluster by state. ${hsm}`,
  },
  {
    name: "aws_kms_cloudhsm_cluster_active_availability_zones",
    type: "gauge",
    help: `Availability zones with at least one ACTIVE HSM in the cluster. ${hsm}`,
  },
  {
    name: "aws_kms_xks_proxy_certificate_days_to_expire",
    type: "gauge",
    help: `Days until the TLS certificate of the store's XKS proxy expires. ${xks("XksProxyCertificateDaysToExpire", "Minimum")}`,
  },
  {
    name: "aws_kms_xks_proxy_credential_age_days",
    type: "gauge",
    help: `Days since the store's proxy authentication credential was set. ${xks("XksProxyCredentialAge", "Maximum")}`,
  },
  {
    name: "aws_kms_xks_proxy_errors",
    type: "gauge",
    help: `Errors of the store's XKS proxy in the period, by ErrorType; 0 when CloudWatch recorded none. ${xks("XksProxyErrors", "Sum")}`,
  },
  {
    name: "aws_kms_xks_proxy_latency_seconds",
    type: "gauge",
    help: `Average time the store's XKS proxy took to answer KMS, in seconds. ${xks("XksProxyLatency", "Average")}`,
  },
  {
    name: "aws_kms_xks_external_key_managers",
    type: "gauge",
    help: `External key manager instances behind the store's proxy, by health state. ${xks("XksExternalKeyManagerStates", "Maximum")}`,
  },
  {
    name: "kms_keystore_exporter_enrichment_last_success_timestamp_seconds",
    type: "gauge",
    help: "Unix time at which the target's enrichment (cloudhsm, xks) last succeeded; its values are that old.",
  },
];

function withUnknown(known: readonly string[], seen: Iterable<string>): string[] {
  const states = [...known];
  for (const state of seen) if (!states.includes(state)) states.push(state);
  return states;
}

/** Lines already built, by the result array they come from (the state keeps an unchanged one). */
const clusterCache = new WeakMap<readonly ClusterHealth[], string[]>();
const xksCache = new WeakMap<readonly XksHealth[], string[]>();

function cached<T extends object>(
  cache: WeakMap<T, string[]>,
  key: T | undefined,
  build: () => string[],
  empty: number,
): string[] {
  if (key === undefined) return Array.from({ length: empty }, () => "");
  let lines = cache.get(key);
  if (!lines) {
    lines = build();
    cache.set(key, lines);
  }
  return lines;
}

function clusterLines(base: Labels, clusters: readonly ClusterHealth[]): string[] {
  let clusterState = "";
  let clusterHsms = "";
  let activeZones = "";
  for (const cluster of clusters) {
    const labels: Labels = [...base, ["cloud_hsm_cluster_id", cluster.id]];
    for (const state of withUnknown(CLUSTER_STATES, [cluster.state])) {
      clusterState += sampleLine(
        "aws_kms_cloudhsm_cluster_state",
        [...labels, ["state", state]],
        state === cluster.state ? 1 : 0,
      );
    }
    for (const state of withUnknown(HSM_STATES, Object.keys(cluster.hsms))) {
      clusterHsms += sampleLine(
        "aws_kms_cloudhsm_cluster_hsms",
        [...labels, ["state", state]],
        cluster.hsms[state] ?? 0,
      );
    }
    activeZones += sampleLine(
      "aws_kms_cloudhsm_cluster_active_availability_zones",
      labels,
      cluster.activeAvailabilityZones,
    );
  }
  return [clusterState, clusterHsms, activeZones];
}

function xksLines(base: Labels, stores: readonly XksHealth[]): string[] {
  let certificate = "";
  let credential = "";
  let errors = "";
  let latency = "";
  let managers = "";
  for (const store of stores) {
    const labels: Labels = [...base, ["custom_key_store_id", store.storeId]];
    const line = (name: string, value: number | undefined, extra: Labels = []) =>
      value === undefined ? "" : sampleLine(name, [...labels, ...extra], value);
    certificate += line(
      "aws_kms_xks_proxy_certificate_days_to_expire",
      store.certificateDaysToExpire,
    );
    credential += line("aws_kms_xks_proxy_credential_age_days", store.credentialAgeDays);
    for (const [errorType, value] of Object.entries(store.errors)) {
      errors += line("aws_kms_xks_proxy_errors", value, [["error_type", errorType]]);
    }
    latency += line("aws_kms_xks_proxy_latency_seconds", store.latencySeconds);
    for (const [state, value] of Object.entries(store.externalKeyManagers)) {
      managers += line("aws_kms_xks_external_key_managers", value, [["state", state]]);
    }
  }
  return [certificate, credential, errors, latency, managers];
}

/** Per family, the sample lines of one target's enrichments (same order as the families). */
export function enrichmentSampleLines({ target, cloudhsm, xks }: TargetEnrichment): string[] {
  const base: Labels = [
    ["account_id", target.accountId],
    ["region", target.region],
  ];
  let lastSuccess = "";
  for (const [kind, result] of [
    ["cloudhsm", cloudhsm],
    ["xks", xks],
  ] as const) {
    if (result === undefined) continue;
    lastSuccess += sampleLine(
      "kms_keystore_exporter_enrichment_last_success_timestamp_seconds",
      [...base, ["enrichment", kind]],
      result.atMs / 1000,
    );
  }
  return [
    ...cached(clusterCache, cloudhsm?.value, () => clusterLines(base, cloudhsm?.value ?? []), 3),
    ...cached(xksCache, xks?.value, () => xksLines(base, xks?.value ?? []), 5),
    lastSuccess,
  ];
}

/** The enrichment families: a member per target with results; absent while none has any. */
export function enrichmentSection(enrichment: EnrichmentStore): Section {
  return {
    families: ENRICHMENT_FAMILIES,
    headersWhenEmpty: false,
    *members(): Iterable<Member> {
      for (const entry of enrichment.entries()) {
        const { target, cloudhsm, xks } = entry;
        yield {
          identity: [target, cloudhsm?.value, cloudhsm?.atMs, xks?.value, xks?.atMs],
          render: () => enrichmentSampleLines(entry),
        };
      }
    },
  };
}
