import type { MetricObjectWithValues, MetricValue } from "prom-client";
import { escapeLabelValue, type FamilyHeader, familyHeader, formatValue } from "./exposition.js";

/**
 * prom-client's process_* and nodejs_* defaults in the text format, written from its
 * structured values (`getMetricsAsJSON`) rather than its text: that writes NaN as "Nan"
 * (nodejs_eventloop_lag_* before the first sample), which strict parsers refuse.
 */
export function processDefaultsText(
  metrics: readonly MetricObjectWithValues<MetricValue<string>>[],
): string {
  let text = "";
  for (const metric of metrics) {
    text += familyHeader({
      name: metric.name,
      help: metric.help,
      type: String(metric.type) as FamilyHeader["type"],
    });
    for (const sample of metric.values) {
      const name = (sample as { metricName?: string }).metricName ?? metric.name;
      const labels = Object.entries(sample.labels)
        .filter(([, value]) => value !== undefined)
        .map(([label, value]) => `${label}="${escapeLabelValue(String(value))}"`)
        .join(",");
      text += `${name}${labels === "" ? "" : `{${labels}}`} ${formatValue(sample.value)}\n`;
    }
  }
  return text;
}
