import type { CloudHsmStatus, XksStatus } from "../status/enrichment.js";
import type { StatusReport, StoreStatus } from "../status/report.js";
import { escapeHtml, time, utc } from "./html.js";

/** The enrichments' part of the status page; each AWS value is escaped like the rest. */

/**
 * The column and the summary row appear only when an enrichment reported on a store:
 * nothing is shown while the enrichments are off.
 */
export function showsEnrichment(report: StatusReport): boolean {
  return report.summary.storesAtRisk !== undefined;
}

/** Fractional days or counts from CloudWatch, at most one decimal (a number: nothing to escape). */
function amount(value: number): string {
  return String(Number(value.toFixed(1)));
}

function counts(byState: Record<string, number>): string {
  return Object.entries(byState)
    .map(([state, count]) => `${amount(count)} ${escapeHtml(state)}`)
    .join(", ");
}

/** Words and a symbol, so the flag does not rest on colour. */
function riskFlag(reasons: string[], runbookUrl: string, runbook: string): string {
  return `<p><strong class="risk"><span aria-hidden="true">⚠</span> at risk</strong>: ${escapeHtml(reasons.join("; "))}. <a href="${escapeHtml(runbookUrl)}">Runbook: ${runbook}</a></p>`;
}

function asOf(iso: string): string {
  return `<span class="id">as of ${time(iso, utc(iso))}</span>`;
}

function cloudHsmCell(cluster: CloudHsmStatus): string {
  const others = Object.fromEntries(
    Object.entries(cluster.hsms).filter(([state, count]) => state !== "ACTIVE" && count > 0),
  );
  const hsms = `${cluster.activeHsms} ACTIVE HSM${cluster.activeHsms === 1 ? "" : "s"}${
    Object.keys(others).length > 0 ? ` (and ${counts(others)})` : ""
  } in ${cluster.activeAvailabilityZones} zone${cluster.activeAvailabilityZones === 1 ? "" : "s"}`;
  return `${cluster.atRisk ? riskFlag(cluster.risks, cluster.runbookUrl, "KMSCloudHsmKeyStoreAtRisk") : ""}<p>Cluster <span class="id">${escapeHtml(cluster.clusterId)}</span> ${escapeHtml(cluster.clusterState)}: ${hsms}</p>${asOf(cluster.asOf)}`;
}

const CERTIFICATE_FLAGS = {
  ok: "",
  warning: '<strong class="risk"><span aria-hidden="true">⚠</span> renew soon</strong> ',
  critical: '<strong class="critical"><span aria-hidden="true">✖</span> renew now</strong> ',
};

function xksCell(xks: XksStatus): string {
  const days = xks.certificateDaysToExpire;
  const expiring = xks.certificateLevel === "warning" || xks.certificateLevel === "critical";
  const notActive = Object.keys(xks.externalKeyManagersNotActive).length > 0;
  const lines = [
    days === undefined || xks.certificateLevel === undefined
      ? "Certificate: no CloudWatch data"
      : `${CERTIFICATE_FLAGS[xks.certificateLevel]}Certificate expires in <span data-certificate-days>${amount(days)}</span> days`,
    notActive
      ? `External key managers not Active: ${counts(xks.externalKeyManagersNotActive)}`
      : "",
    Object.keys(xks.errors).length > 0 ? `Proxy errors: ${counts(xks.errors)}` : "",
    xks.credentialAgeDays === undefined
      ? ""
      : `Proxy credential age: ${amount(xks.credentialAgeDays)} days`,
    xks.latencySeconds === undefined
      ? ""
      : `Proxy latency: ${amount(xks.latencySeconds * 1000)} ms`,
  ].filter((line) => line !== "");
  return `${
    xks.atRisk
      ? riskFlag(
          xks.risks,
          xks.runbookUrl,
          expiring ? "KMSXksProxyCertificateExpiring" : "KMSXksExternalKeyManagersUnhealthy",
        )
      : ""
  }${lines.map((line) => `<p>${line}</p>`).join("")}${asOf(xks.asOf)}`;
}

/** The cell of one store: its cluster or its proxy, empty when no enrichment covers it. */
export function enrichmentCell(store: StoreStatus): string {
  const content = store.cloudHsm
    ? cloudHsmCell(store.cloudHsm)
    : store.xks
      ? xksCell(store.xks)
      : "";
  return `<td class="enrichment"${store.atRisk ? " data-at-risk" : ""}>${content}</td>`;
}

/** The summary's row of stores at risk, under the stores by state. */
export function atRiskRow(report: StatusReport): string {
  const count = report.summary.storesAtRisk;
  if (count === undefined) return "";
  return `<tr${count > 0 ? ' class="at-risk"' : ""}><th scope="row"><span class="risk"><span aria-hidden="true">⚠</span> at risk</span></th><td data-at-risk-count>${count}</td></tr>`;
}
