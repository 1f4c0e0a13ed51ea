import { type FamilyHeader, type Labels, sampleLine } from "../../metrics/exposition.js";
import type { ClusterHealth } from "./round.js";

/** CloudHSM v2 cluster states (API reference); an unknown one gets its own series. */
export const CLUSTER_STATES = [
  "CREATE_IN_PROGRESS",
  "UNINITIALIZED",
  "INITIALIZE_IN_PROGRESS",
  "INITIALIZED",
  "ACTIVE",
  "UPDATE_IN_PROGRESS",
  "MODIFY_IN_PROGRESS",
  "ROLLBACK_IN_PROGRESS",
  "DELETE_IN_PROGRESS",
  "DELETED",
  "DEGRADED",
] as const;

/** HSM states; each is exported, 0 when no HSM is in it, so `{state="ACTIVE"}` always exists. */
export const HSM_STATES = [
  "CREATE_IN_PROGRESS",
  "ACTIVE",
  "DEGRADED",
  "DELETE_IN_PROGRESS",
  "DELETED",
] as const;

/** The cluster families (order = order of the sample lines of `clusterLines`). */
export function cloudHsmFamilies(): FamilyHeader[] {
  const hsm =
    "From CloudHSM DescribeClusters every enrich.interval, for clusters behind a key store.";
  return [
    {
      name: "aws_kms_cloudhsm_cluster_state",
      type: "gauge",
      help: `1 for the CloudHSM cluster's current state, 0 for the others. ${hsm}`,
    },
    {
      name: "aws_kms_cloudhsm_cluster_hsms",
      type: "gauge",
      help: `HSMs in the cluster by state. ${hsm}`,
    },
    {
      name: "aws_kms_cloudhsm_cluster_active_availability_zones",
      type: "gauge",
      help: `Availability zones with at least one ACTIVE HSM in the cluster. ${hsm}`,
    },
  ];
}

function withUnknown(known: readonly string[], seen: Iterable<string>): string[] {
  const states = [...known];
  for (const state of seen) if (!states.includes(state)) states.push(state);
  return states;
}

/** Per cluster family, the sample lines of one target's clusters. */
export function clusterLines(base: Labels, clusters: readonly ClusterHealth[]): string[] {
  let clusterState = "";
  let clusterHsms = "";
  let activeZones = "";
  for (const cluster of clusters) {
    const labels: Labels = [...base, ["cloud_hsm_cluster_id", cluster.id]];
    for (const state of withUnknown(CLUSTER_STATES, [cluster.state])) {
      clusterState += sampleLine(
        "aws_kms_cloudhsm_cluster_state",
        [...labels, ["state", state]],
        state === cluster.state ? 1 : 0,
      );
    }
    for (const state of withUnknown(HSM_STATES, Object.keys(cluster.hsms))) {
      clusterHsms += sampleLine(
        "aws_kms_cloudhsm_cluster_hsms",
        [...labels, ["state", state]],
        cluster.hsms[state] ?? 0,
      );
    }
    activeZones += sampleLine(
      "aws_kms_cloudhsm_cluster_active_availability_zones",
      labels,
      cluster.activeAvailabilityZones,
    );
  }
  return [clusterState, clusterHsms, activeZones];
}
