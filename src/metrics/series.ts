import { type KeyStore, KNOWN_CONNECTION_STATES, type Target } from "../model.js";
import type { StoreHistories } from "../state/history.js";
import type { StateStore, TargetState } from "../state/state.js";
import {
  escapeLabelValue,
  type FamilyHeader,
  formatValue,
  type Labels,
  sampleLine,
} from "./exposition.js";
import type { Section } from "./section.js";

/**
 * HELP texts name the interval's gauge rather than quote the interval, so that a reload
 * changes no header and renders nothing again.
 */
export const POLLED_EVERY_INTERVAL =
  "polled every interval (see kms_keystore_exporter_poll_interval_seconds)";

const polled = `From DescribeCustomKeyStores, ${POLLED_EVERY_INTERVAL}, not at scrape time.`;

/** Families built from store snapshots; the order of this list is the order on /metrics. */
export const STORE_FAMILIES: readonly FamilyHeader[] = [
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

export const TARGET_FAMILIES: readonly FamilyHeader[] = [
  {
    name: "kms_keystore_exporter_account_info",
    type: "gauge",
    help: "Every polled account (always 1), with its configured or discovered name; join on account_id for names.",
  },
  {
    name: "kms_keystore_exporter_target_up",
    type: "gauge",
    help: `1 if the last poll of the target (account and region, ${POLLED_EVERY_INTERVAL}) succeeded, else 0.`,
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

/** Per family, the sample lines of one target (same order as TARGET_FAMILIES). */
export function targetSampleLines(state: TargetState, firstOfAccount: boolean): string[] {
  const { target } = state;
  const labels = targetLabels(target);
  const account = firstOfAccount
    ? sampleLine(
        "kms_keystore_exporter_account_info",
        [
          ["account_id", target.accountId],
          ["account_name", target.accountName ?? ""],
        ],
        1,
      )
    : "";
  const up = `kms_keystore_exporter_target_up{${labels}} ${state.up ? 1 : 0}\n`;
  const lastSuccess =
    state.lastSuccessMs === undefined
      ? ""
      : `kms_keystore_exporter_target_last_success_timestamp_seconds{${labels}} ${formatValue(state.lastSuccessMs / 1000)}\n`;
  const duration =
    state.lastPollDurationMs === undefined
      ? ""
      : `kms_keystore_exporter_target_poll_duration_seconds{${labels}} ${formatValue(state.lastPollDurationMs / 1000)}\n`;
  return [account, up, lastSuccess, duration];
}

/** The store families: a member per target with stores. */
export function storeSection(
  state: Pick<StateStore, "states" | "storesVersion">,
): Section<TargetState> {
  return {
    families: STORE_FAMILIES,
    headersWhenEmpty: true,
    // 94% of the exposition's bytes at 10,000 targets × 5 stores, unchanged by most polls.
    compressedAtRest: true,
    changes: () => state.storesVersion,
    eachMember(visit) {
      for (const target of state.states()) if (target.stores !== undefined) visit(target);
    },
    // The state replaces a target's history only together with its store array.
    stamp: (target) => target.stores,
    render: ({ target, stores, history }) =>
      storeSampleLines(target.accountId, target.region, stores ?? [], history),
  };
}

/** The target gauges: a member per target, changed by each of its polls. */
export function targetSection(
  state: Pick<StateStore, "states" | "version" | "targetsVersion">,
): Section<TargetState> {
  // account_info has a series per account: the account's first target holds it. Which one
  // that is changes only with setTargets, which also moves every target's version.
  let firsts = new WeakSet<TargetState>();
  let firstsOf = -1;
  const firstOfAccount = (target: TargetState): boolean => {
    if (firstsOf !== state.targetsVersion) {
      firsts = new WeakSet();
      const seenAccounts = new Set<string>();
      for (const each of state.states()) {
        if (!seenAccounts.has(each.target.accountId)) firsts.add(each);
        seenAccounts.add(each.target.accountId);
      }
      firstsOf = state.targetsVersion;
    }
    return firsts.has(target);
  };
  return {
    families: TARGET_FAMILIES,
    headersWhenEmpty: true,
    changes: () => state.version,
    eachMember(visit) {
      for (const target of state.states()) visit(target);
    },
    stamp: (target) => target.version,
    render: (target) => targetSampleLines(target, firstOfAccount(target)),
  };
}
