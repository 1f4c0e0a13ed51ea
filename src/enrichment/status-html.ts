import { cloudHsmCell } from "./cloudhsm/status-html.js";
import { keysCell } from "./keys/status-html.js";
import type { StoreEnrichment } from "./status.js";
import { xksCell } from "./xks/status-html.js";

/** The enrichments' part of the status page. */

/** What the page's summary says of the enrichments: undefined while none reported on a store. */
interface AtRiskSummary {
  summary: {
    storesAtRisk: number | undefined;
    keysAffected?: number | undefined;
    enabledKeysAffected?: number | undefined;
  };
}

/**
 * The column and the summary row appear only when an enrichment reported on a store:
 * nothing is shown while the enrichments are off.
 */
export function showsEnrichment(report: AtRiskSummary): boolean {
  return report.summary.storesAtRisk !== undefined || report.summary.keysAffected !== undefined;
}

/** The cell of one store: its cluster or its proxy, empty when no enrichment covers it. */
export function enrichmentCell(store: StoreEnrichment): string {
  const content = `${store.keys ? keysCell(store.keys) : ""}${
    store.cloudHsm ? cloudHsmCell(store.cloudHsm) : store.xks ? xksCell(store.xks) : ""
  }`;
  return `<td class="enrichment"${store.atRisk ? " data-at-risk" : ""}>${content}</td>`;
}

/** The summary's row of stores at risk, under the stores by state. */
export function atRiskRow(report: AtRiskSummary): string {
  return `${riskRow(report.summary.storesAtRisk)}${keysAffectedRow(report)}`;
}

function riskRow(count: number | undefined): string {
  if (count === undefined) return "";
  return `<tr${count > 0 ? ' class="at-risk"' : ""}><th scope="row"><span class="risk"><span aria-hidden="true">⚠</span> at risk</span></th><td data-at-risk-count>${count}</td></tr>`;
}

/** Keys in stores that are not CONNECTED now: what the outages take away. */
function keysAffectedRow({ summary }: AtRiskSummary): string {
  const keys = summary.keysAffected;
  if (keys === undefined) return "";
  const enabled = summary.enabledKeysAffected ?? 0;
  return `<tr${enabled > 0 ? ' class="at-risk"' : ""}><th scope="row">Keys in stores not CONNECTED</th><td data-keys-affected="${keys}" data-enabled-keys-affected="${enabled}">${keys} (${enabled} Enabled before)</td></tr>`;
}
