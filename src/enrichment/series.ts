import { type FamilyHeader, type Labels, sampleLine } from "../metrics/exposition.js";
import type { Section } from "../metrics/section.js";
import type { ClusterHealth } from "./cloudhsm/round.js";
import { cloudHsmFamilies, clusterLines } from "./cloudhsm/series.js";
import type { StoreKeys } from "./keys/inventory.js";
import { keyFamilies, keyLines, undescribedLine } from "./keys/series.js";
import type { EnrichmentStore, TargetEnrichment } from "./state.js";
import type { XksHealth } from "./xks/figures.js";
import { xksFamilies, xksLines } from "./xks/series.js";

/** Families of the opt-in enrichments (order = order of the sample lines). */
export const ENRICHMENT_FAMILIES: readonly FamilyHeader[] = [
  ...cloudHsmFamilies(),
  ...xksFamilies(),
  ...keyFamilies(),
  {
    name: "kms_keystore_exporter_enrichment_last_success_timestamp_seconds",
    type: "gauge",
    help: "Unix time at which the target's enrichment (cloudhsm, xks, keys) last succeeded; its values are that old.",
  },
];

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
    ...cached(xksCache, xks?.value, () => xksLines(base, xks?.value ?? []), 7),
    ...cached(keysCache, keys?.value, () => keyLines(base, keys?.value ?? []), 2),
    keys === undefined ? "" : undescribedLine(base, keys.undescribed),
    lastSuccess,
  ];
}

/**
 * The enrichment families: a member per target with results; absent while none has any.
 * app.ts hands it to the metrics cache, which knows nothing of enrichments. Their HELP
 * names `enrich.interval` rather than quoting it: a reload re-renders nothing for it.
 */
export function enrichmentSection(enrichment: EnrichmentStore): Section<TargetEnrichment> {
  return {
    families: ENRICHMENT_FAMILIES,
    headersWhenEmpty: false,
    changes: () => enrichment.version,
    eachMember(visit) {
      for (const entry of enrichment.entries()) visit(entry);
    },
    stamp: (entry) => entry.version,
    render: enrichmentSampleLines,
  };
}
