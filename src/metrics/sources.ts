import type { EnrichmentStore } from "../state/enrichment.js";
import type { StateStore } from "../state/state.js";
import type { MetricsSources } from "./cache.js";
import { enrichmentSection } from "./enrichment.js";
import type { ExporterMetrics } from "./exporter-metrics.js";
import { processDefaultsText } from "./process-defaults.js";
import { storeSection, targetSection } from "./series.js";

/**
 * Everything /metrics shows, in its order: the store families, the target gauges, the
 * enrichments, the exporter's own families, then prom-client's process_* / nodejs_*.
 * A new per-target family is one more Section here (section.ts).
 */
export function exporterSources(
  state: StateStore,
  metrics: ExporterMetrics,
  enrichment?: EnrichmentStore,
): MetricsSources {
  return {
    sections: [
      storeSection(state),
      targetSection(state),
      ...(enrichment ? [enrichmentSection(enrichment)] : []),
      ...metrics.sections,
    ],
    processText: async () => processDefaultsText(await metrics.processRegistry.getMetricsAsJSON()),
  };
}
