import { type FamilyHeader, type Labels, sampleLine } from "../metrics/exposition.js";
import { renderFamilies } from "../metrics/series.js";
import type { ClusterHealth } from "./cloudhsm/round.js";
import { cloudHsmFamilies, clusterLines } from "./cloudhsm/series.js";
import type { StoreKeys } from "./keys/inventory.js";
import { keyFamilies, keyLines, undescribedLine } from "./keys/series.js";
import type { EnrichmentStore, TargetEnrichment } from "./state.js";
import type { XksHealth } from "./xks/round.js";
import { xksFamilies, xksLines } from "./xks/series.js";

/** Families of the opt-in enrichments (order = order of the sample lines). */
export function enrichmentFamilies(interval: string): FamilyHeader[] {
  return [
    ...cloudHsmFamilies(interval),
    ...xksFamilies(interval),
    ...keyFamilies(),
    {
      name: "kms_keystore_exporter_enrichment_last_success_timestamp_seconds",
      type: "gauge",
      help: "Unix time at which the target's enrichment (cloudhsm, xks, keys) last succeeded; its values are that old.",
    },
  ];
}

/** Lines already built, by the result array they come from (the state keeps an unchanged one). */
const clusterCache = new WeakMap<readonly ClusterHealth[], string[]>();
const xksCache = new WeakMap<readonly XksHealth[], string[]>();
const keysCache = new WeakMap<readonly StoreKeys[], string[]>();

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

/** Per family, the sample lines of one target's enrichments (same order as the families). */
export function enrichmentSampleLines({ target, cloudhsm, xks, keys }: TargetEnrichment): string[] {
  const base: Labels = [
    ["account_id", target.accountId],
    ["region", target.region],
  ];
  let lastSuccess = "";
  for (const [kind, result] of [
    ["cloudhsm", cloudhsm],
    ["xks", xks],
    ["keys", keys],
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
    ...cached(keysCache, keys?.value, () => keyLines(base, keys?.value ?? []), 2),
    keys === undefined ? "" : undescribedLine(base, keys.undescribed),
    lastSuccess,
  ];
}

/** The enrichment families of every target; "" while no enrichment has a result. */
export function renderEnrichment(interval: string, entries: Iterable<TargetEnrichment>): string {
  const perTarget = [...entries].map(enrichmentSampleLines);
  if (perTarget.length === 0) return "";
  return renderFamilies(enrichmentFamilies(interval), perTarget);
}

/**
 * The enrichments as the metrics cache takes an extra part: it re-renders when `version`
 * moves. The cache knows nothing of enrichments, so they plug in from here.
 */
export function enrichmentExposition(store: EnrichmentStore) {
  return {
    get version() {
      return store.version;
    },
    render: (interval: string) => renderEnrichment(interval, store.entries()),
  };
}
