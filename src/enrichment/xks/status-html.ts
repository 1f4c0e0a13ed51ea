import { escapeHtml } from "../../text/html.js";
import { amount, asOf, counts, riskFlag } from "../html.js";
import type { XksStatus } from "./status.js";

const CERTIFICATE_FLAGS = {
  ok: "",
  warning: '<strong class="risk"><span aria-hidden="true">⚠</span> renew soon</strong> ',
  critical: '<strong class="critical"><span aria-hidden="true">✖</span> renew now</strong> ',
};

/** The status page's words for an external key store's proxy. */
export function xksCell(xks: XksStatus): string {
  if (!xks.cloudWatchData) {
    return `<p>No CloudWatch data in the last 3 hours</p>${asOf(xks.asOf)}`;
  }
  const days = xks.certificateDaysToExpire;
  const expiring = xks.certificateLevel === "warning" || xks.certificateLevel === "critical";
  const notActive = Object.keys(xks.externalKeyManagersNotActive).length > 0;
  const lines = [
    days === undefined || xks.certificateLevel === undefined
      ? "Certificate: no CloudWatch data"
      : `${CERTIFICATE_FLAGS[xks.certificateLevel]}Certificate <span class="id">${escapeHtml(xks.certificateName ?? "")}</span> expires in <span data-certificate-days>${amount(days)}</span> days`,
    notActive
      ? `External key managers not Active: ${counts(xks.externalKeyManagersNotActive)}`
      : "",
    Object.keys(xks.errors).length > 0
      ? `Proxy errors: ${counts(xks.errors)}${xks.requests === undefined ? "" : ` of ${amount(xks.requests)} requests`}`
      : "",
    xks.credentialAgeDays === undefined
      ? ""
      : `Proxy credential age: ${amount(xks.credentialAgeDays)} days`,
    xks.latencySeconds === undefined
      ? ""
      : `Proxy latency: ${amount(xks.latencySeconds * 1000)} ms${xks.latencyMaxSeconds === undefined ? "" : ` (at most ${amount(xks.latencyMaxSeconds * 1000)} ms)`}`,
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
