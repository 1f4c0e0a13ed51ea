import type { StateStore } from "../state/state.js";
import type { MetricsSources } from "./cache.js";
import type { ExporterMetrics } from "./exporter-metrics.js";
import { processDefaultsText } from "./process-defaults.js";
import type { Section } from "./section.js";
import { storeSection, targetSection } from "./series.js";

/**
 * Everything /metrics shows, in its order: the store families, the target gauges, the
 * sections of modules above this one (the enrichments, handed in by app.ts so that
 * metrics/ imports none of them), the exporter's own families, then prom-client's
 * process_* / nodejs_*. A new per-target family is one more Section here (section.ts).
 */
export function exporterSources(
  state: StateStore,
  metrics: ExporterMetrics,
  extra: readonly Section[] = [],
): MetricsSources {
  return {
    sections: [storeSection(state), targetSection(state), ...extra, ...metrics.sections],
    processText: async () => processDefaultsText(await metrics.processRegistry.getMetricsAsJSON()),
  };
}
