import { type KeyStore, KNOWN_CONNECTION_STATES, type Target } from "../model.js";
import type { StoreHistories } from "../state/history.js";
import type { TargetState } from "../state/state.js";
import {
  escapeLabelValue,
  type FamilyHeader,
  familyHeader,
  formatValue,
  type Labels,
  sampleLine,
} from "./exposition.js";

/** Families built from store snapshots; the order of this list is the order on /metrics. */
export function storeFamilies(interval: string): FamilyHeader[] {
  const polled = `Polled from DescribeCustomKeyStores every ${interval}, not at scrape time.`;
  return [
    {
      name: "aws_kms_custom_key_store_info",
      type: "gauge",
      help: `Static facts of a KMS custom key store (always 1). Only the stores that the config's stores filters (include, exclude, types) keep are exported. ${polled}`,
    },
    {
      name: "aws_kms_custom_key_store_connection_state",
      type: "gauge",
      help: `1 for the store's current ConnectionState, 0 for the others. ${polled}`,
    },
    {
      name: "aws_kms_custom_key_store_connection_error",
      type: "gauge",
      help: `The store's ConnectionErrorCode (always 1), present only while one is set. ${polled}`,
    },
    {
      name: "aws_kms_custom_key_store_creation_timestamp_seconds",
      type: "gauge",
      help: `CreationDate of the store as Unix seconds. ${polled}`,
    },
    {
      name: "aws_kms_custom_key_store_state_changes_total",
      type: "counter",
      help: `ConnectionState changes of the store seen by this exporter process (starts at 0 when it first sees the store; error code changes within a state do not count). ${polled}`,
    },
    {
      name: "aws_kms_custom_key_store_state_since_timestamp_seconds",
      type: "gauge",
      help: `Unix time at which this exporter process first saw the store's current ConnectionState; restarts with the process, so the state may be older. ${polled}`,
    },
  ];
}

export function targetFamilies(interval: string): FamilyHeader[] {
  return [
    {
      name: "kms_keystore_exporter_account_info",
      type: "gauge",
      help: "Every polled account (always 1), with its configured or discovered name; join on account_id for names.",
    },
    {
      name: "kms_keystore_exporter_target_up",
      type: "gauge",
      help: `1 if the last poll of the target (account and region, every ${interval}) succeeded, else 0.`,
    },
    {
      name: "kms_keystore_exporter_target_last_success_timestamp_seconds",
      type: "gauge",
      help: "Unix time at which the last successful poll of the target ended.",
    },
    {
      name: "kms_keystore_exporter_target_poll_duration_seconds",
      type: "gauge",
      help: "Duration of the last poll of the target, retries included.",
    },
  ];
}

/** Per family, the sample lines of one target's stores (same order as storeFamilies). */
export function storeSampleLines(
  accountId: string,
  region: string,
  stores: readonly KeyStore[],
  histories: StoreHistories,
): string[] {
  let info = "";
  let state = "";
  let error = "";
  let creation = "";
  let changes = "";
  let since = "";
  for (const store of stores) {
    const identity: Labels = [
      ["account_id", accountId],
      ["region", region],
      ["custom_key_store_id", store.id],
    ];
    info += sampleLine(
      "aws_kms_custom_key_store_info",
      [
        ...identity,
        ["custom_key_store_name", store.name],
        ["custom_key_store_type", store.type],
        ["cloud_hsm_cluster_id", store.cloudHsmClusterId],
        ["xks_proxy_connectivity", store.xksProxyConnectivity],
        ["xks_proxy_uri_endpoint", store.xksProxyUriEndpoint],
        ["xks_proxy_uri_path", store.xksProxyUriPath],
        ["xks_proxy_vpc_endpoint_service_name", store.xksProxyVpcEndpointServiceName],
      ],
      1,
    );
    const states: readonly string[] = KNOWN_CONNECTION_STATES.includes(
      store.state as (typeof KNOWN_CONNECTION_STATES)[number],
    )
      ? KNOWN_CONNECTION_STATES
      : [...KNOWN_CONNECTION_STATES, store.state];
    for (const candidate of states) {
      state += sampleLine(
        "aws_kms_custom_key_store_connection_state",
        [...identity, ["state", candidate]],
        candidate === store.state ? 1 : 0,
      );
    }
    if (store.errorCode !== undefined) {
      error += sampleLine(
        "aws_kms_custom_key_store_connection_error",
        [...identity, ["error_code", store.errorCode]],
        1,
      );
    }
    if (store.creationTimeSeconds !== undefined) {
      creation += sampleLine(
        "aws_kms_custom_key_store_creation_timestamp_seconds",
        identity,
        store.creationTimeSeconds,
      );
    }
    const history = histories.get(store.id);
    if (history !== undefined) {
      changes += sampleLine(
        "aws_kms_custom_key_store_state_changes_total",
        identity,
        history.changes,
      );
      since += sampleLine(
        "aws_kms_custom_key_store_state_since_timestamp_seconds",
        identity,
        history.sinceMs / 1000,
      );
    }
  }
  return [info, state, error, creation, changes, since];
}

/** Per family, the sample lines of every target (same order as targetFamilies). */
/** `account_id="…",region="…"`, escaped once per target object (a rename replaces it). */
const targetLabelsCache = new WeakMap<Target, string>();

function targetLabels(target: Target): string {
  let labels = targetLabelsCache.get(target);
  if (labels === undefined) {
    labels = `account_id="${escapeLabelValue(target.accountId)}",region="${escapeLabelValue(target.region)}"`;
    targetLabelsCache.set(target, labels);
  }
  return labels;
}

/** Per family, the sample lines of every target (same order as targetFamilies). */
export function targetSampleLines(states: Iterable<TargetState>): string[] {
  let accounts = "";
  const seenAccounts = new Set<string>();
  let up = "";
  let lastSuccess = "";
  let duration = "";
  for (const state of states) {
    const { target } = state;
    const labels = targetLabels(target);
    if (!seenAccounts.has(target.accountId)) {
      seenAccounts.add(target.accountId);
      accounts += sampleLine(
        "kms_keystore_exporter_account_info",
        [
          ["account_id", target.accountId],
          ["account_name", target.accountName ?? ""],
        ],
        1,
      );
    }
    up += `kms_keystore_exporter_target_up{${labels}} ${state.up ? 1 : 0}\n`;
    if (state.lastSuccessMs !== undefined) {
      lastSuccess += `kms_keystore_exporter_target_last_success_timestamp_seconds{${labels}} ${formatValue(state.lastSuccessMs / 1000)}\n`;
    }
    if (state.lastPollDurationMs !== undefined) {
      duration += `kms_keystore_exporter_target_poll_duration_seconds{${labels}} ${formatValue(state.lastPollDurationMs / 1000)}\n`;
    }
  }
  return [accounts, up, lastSuccess, duration];
}

/** Joins per-source sample lines family by family, each family under its own header. */
export function renderFamilies(
  families: FamilyHeader[],
  linesPerSource: Iterable<string[]>,
): string {
  const bodies = families.map(() => [] as string[]);
  for (const lines of linesPerSource) {
    lines.forEach((text, index) => {
      if (text !== "") bodies[index]?.push(text);
    });
  }
  return families
    .map((family, index) => familyHeader(family) + (bodies[index] ?? []).join(""))
    .join("");
}
