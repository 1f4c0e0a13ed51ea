import type { KeyStore } from "../../model.js";
import { runbookSection } from "../../text/runbooks.js";
import { AT_RISK } from "../thresholds.js";
import type { ClusterHealth } from "./round.js";

/** A CloudHSM store's cluster, as DescribeClusters last reported it (enrich.cloudhsm). */
export interface CloudHsmStatus {
  clusterId: string;
  clusterState: string;
  activeHsms: number;
  /** Every HSM of the cluster by state, ACTIVE included. */
  hsms: Record<string, number>;
  activeAvailabilityZones: number;
  /**
   * The KMSCloudHsmKeyStoreAtRisk condition, without its `for`: the store is CONNECTED and
   * its cluster has fewer than two ACTIVE HSMs or all of them in one zone.
   */
  atRisk: boolean;
  /** Why it is at risk, in words; empty when it is not. */
  risks: string[];
  /** The KMSCloudHsmKeyStoreAtRisk runbook section. */
  runbookUrl: string;
  /** When the DescribeClusters call that reported it ended. */
  asOf: string;
}

export function cloudHsmStatus(
  store: Pick<KeyStore, "state">,
  cluster: ClusterHealth,
  atMs: number,
): CloudHsmStatus {
  const activeHsms = cluster.hsms.ACTIVE ?? 0;
  const risks: string[] = [];
  if (store.state === "CONNECTED") {
    if (activeHsms < AT_RISK.minActiveHsms) {
      risks.push(
        `${activeHsms} ACTIVE HSM${activeHsms === 1 ? "" : "s"}: KMS needs ${AT_RISK.minActiveHsms} to create keys`,
      );
    }
    // With no ACTIVE HSM the count above says it all.
    if (activeHsms > 0 && cluster.activeAvailabilityZones < AT_RISK.minActiveAvailabilityZones) {
      risks.push("every ACTIVE HSM in one Availability Zone");
    }
  }
  return {
    clusterId: cluster.id,
    clusterState: cluster.state,
    activeHsms,
    hsms: cluster.hsms,
    activeAvailabilityZones: cluster.activeAvailabilityZones,
    atRisk: risks.length > 0,
    risks,
    runbookUrl: runbookSection("kmscloudhsmkeystoreatrisk"),
    asOf: new Date(atMs).toISOString(),
  };
}
