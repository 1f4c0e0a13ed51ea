import { escapeHtml } from "../../text/html.js";
import { asOf, counts, riskFlag } from "../html.js";
import type { CloudHsmStatus } from "./status.js";

/** The status page's words for a CloudHSM store's cluster. */
export function cloudHsmCell(cluster: CloudHsmStatus): string {
  const others = Object.fromEntries(
    Object.entries(cluster.hsms).filter(([state, count]) => state !== "ACTIVE" && count > 0),
  );
  const hsms = `${cluster.activeHsms} ACTIVE HSM${cluster.activeHsms === 1 ? "" : "s"}${
    Object.keys(others).length > 0 ? ` (and ${counts(others)})` : ""
  } in ${cluster.activeAvailabilityZones} zone${cluster.activeAvailabilityZones === 1 ? "" : "s"}`;
  return `${cluster.atRisk ? riskFlag(cluster.risks, cluster.runbookUrl, "KMSCloudHsmKeyStoreAtRisk") : ""}<p>Cluster <span class="id">${escapeHtml(cluster.clusterId)}</span> ${escapeHtml(cluster.clusterState)}: ${hsms}</p>${asOf(cluster.asOf)}`;
}
