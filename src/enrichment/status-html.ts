import { cloudHsmCell } from "./cloudhsm/status-html.js";
import type { StoreEnrichment } from "./status.js";
import { xksCell } from "./xks/status-html.js";

/** The enrichments' part of the status page. */

/** What the page's summary says of the enrichments: undefined while none reported on a store. */
interface AtRiskSummary {
  summary: { storesAtRisk: number | undefined };
}

/**
 * The column and the summary row appear only when an enrichment reported on a store:
 * nothing is shown while the enrichments are off.
 */
export function showsEnrichment(report: AtRiskSummary): boolean {
  return report.summary.storesAtRisk !== undefined;
}

/** The cell of one store: its cluster or its proxy, empty when no enrichment covers it. */
export function enrichmentCell(store: StoreEnrichment): string {
  const content = store.cloudHsm
    ? cloudHsmCell(store.cloudHsm)
    : store.xks
      ? xksCell(store.xks)
      : "";
  return `<td class="enrichment"${store.atRisk ? " data-at-risk" : ""}>${content}</td>`;
}

/** The summary's row of stores at risk, under the stores by state. */
export function atRiskRow(report: AtRiskSummary): string {
  const count = report.summary.storesAtRisk;
  if (count === undefined) return "";
  return `<tr${count > 0 ? ' class="at-risk"' : ""}><th scope="row"><span class="risk"><span aria-hidden="true">⚠</span> at risk</span></th><td data-at-risk-count>${count}</td></tr>`;
}
