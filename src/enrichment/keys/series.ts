import { type FamilyHeader, type Labels, sampleLine } from "../../metrics/exposition.js";
import type { StoreKeys } from "./inventory.js";

export const KEYS = "aws_kms_custom_key_store_keys";
export const KEYS_LAST_AVAILABLE = "aws_kms_custom_key_store_keys_last_available";
export const UNDESCRIBED_KEYS = "kms_keystore_exporter_key_inventory_undescribed_keys";

const POLLED =
  "From the key inventory (ListKeys, DescribeKey), polled on enrich.interval, not at scrape time.";

/** The key inventory's families: `keyLines`' two, then `undescribedLine`'s. */
export function keyFamilies(): FamilyHeader[] {
  return [
    {
      name: KEYS,
      type: "gauge",
      help: `KMS keys in the custom key store by their KeyState now (Unavailable while the store is not CONNECTED). ${POLLED}`,
    },
    {
      name: KEYS_LAST_AVAILABLE,
      type: "gauge",
      help: `KMS keys in the custom key store by the last KeyState seen while they were not Unavailable: what an outage of the store takes away; "unknown" for keys never seen available. ${POLLED}`,
    },
    {
      name: UNDESCRIBED_KEYS,
      type: "gauge",
      help: `Keys of the target whose DescribeKey was refused (a key policy, or otherwise) in the last inventory round: their store is not known. ${POLLED}`,
    },
  ];
}

/**
 * The sample lines of one target's stores' keys, per family (keys, keys_last_available): a
 * pure function of the counts, so any exposition path can call it.
 */
export function keyLines(base: Labels, stores: readonly StoreKeys[]): string[] {
  let current = "";
  let lastAvailable = "";
  for (const store of stores) {
    const labels: Labels = [...base, ["custom_key_store_id", store.storeId]];
    for (const [state, count] of Object.entries(store.byState)) {
      current += sampleLine(KEYS, [...labels, ["key_state", state]], count);
    }
    for (const [state, count] of Object.entries(store.byLastAvailable)) {
      lastAvailable += sampleLine(KEYS_LAST_AVAILABLE, [...labels, ["key_state", state]], count);
    }
  }
  return [current, lastAvailable];
}

export function undescribedLine(base: Labels, undescribed: number): string {
  return sampleLine(UNDESCRIBED_KEYS, base, undescribed);
}
