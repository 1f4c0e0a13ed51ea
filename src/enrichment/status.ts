import type { KeyStore } from "../model.js";
import { type CloudHsmStatus, cloudHsmStatus } from "./cloudhsm/status.js";
import { type KeysStatus, keysStatus } from "./keys/status.js";
import type { TargetEnrichment } from "./state.js";
import { type XksStatus, xksStatus } from "./xks/status.js";

/**
 * The enrichments that concern one store: undefined (null in /status.json) while that
 * enrichment is off, has no result yet, or its result does not name the store's cluster/id.
 */
export interface StoreEnrichment {
  cloudHsm: CloudHsmStatus | undefined;
  xks: XksStatus | undefined;
  /** The store's keys, once the key inventory of its target has a result. */
  keys: KeysStatus | undefined;
  /** Either says the store is at risk; the summary counts these stores. */
  atRisk: boolean;
}

/** A store's enrichments from its target's results; a cluster or store not in them: none. */
export function storeEnrichment(
  store: Pick<KeyStore, "id" | "type" | "state" | "cloudHsmClusterId">,
  enrichment: TargetEnrichment | undefined,
): StoreEnrichment {
  const cluster =
    store.type === "AWS_CLOUDHSM"
      ? enrichment?.cloudhsm?.value.find((candidate) => candidate.id === store.cloudHsmClusterId)
      : undefined;
  const xks =
    store.type === "EXTERNAL_KEY_STORE"
      ? enrichment?.xks?.value.find((candidate) => candidate.storeId === store.id)
      : undefined;
  const cloudHsm =
    cluster && enrichment?.cloudhsm
      ? cloudHsmStatus(store, cluster, enrichment.cloudhsm.atMs)
      : undefined;
  const xksHealth = xks && enrichment?.xks ? xksStatus(xks, enrichment.xks.atMs) : undefined;
  const inventory = enrichment?.keys;
  return {
    cloudHsm,
    xks: xksHealth,
    keys:
      inventory === undefined
        ? undefined
        : keysStatus(
            store,
            inventory.value.find((candidate) => candidate.storeId === store.id),
            inventory.atMs,
          ),
    atRisk: (cloudHsm?.atRisk ?? false) || (xksHealth?.atRisk ?? false),
  };
}

/** Stores at risk; undefined (null in /status.json) when no enrichment reported on any store. */
export function storesAtRisk(stores: readonly StoreEnrichment[]): number | undefined {
  if (!stores.some((store) => store.cloudHsm !== undefined || store.xks !== undefined)) {
    return undefined;
  }
  return stores.filter((store) => store.atRisk).length;
}
