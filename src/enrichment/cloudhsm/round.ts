import type { DescribeClustersInput, DescribeClustersOutput } from "../../aws/cloudhsm-client.js";
import type { KeyStore } from "../../model.js";
import { EnrichmentError, enrichmentPages, type PagesOptions } from "../pages.js";

/** One CloudHSM cluster behind a store (enrich.cloudhsm), as the exporter keeps it. */
export interface ClusterHealth {
  id: string;
  state: string;
  /** HSMs by their State (ACTIVE, DEGRADED, …). */
  hsms: Record<string, number>;
  /** Distinct zones with at least one ACTIVE HSM. */
  activeAvailabilityZones: number;
}

/** DescribeClusters' largest page. */
const MAX_RESULTS = 25;

/** The clusters behind the target's AWS_CLOUDHSM stores, each once, in a stable order. */
export function clusterIdsOf(stores: readonly KeyStore[]): string[] {
  const ids = stores
    .filter((store) => store.type === "AWS_CLOUDHSM" && store.cloudHsmClusterId !== "")
    .map((store) => store.cloudHsmClusterId);
  return [...new Set(ids)].sort();
}

export function toClusterHealth(
  cluster: NonNullable<DescribeClustersOutput["Clusters"]>[number],
): ClusterHealth {
  if (typeof cluster.ClusterId !== "string" || cluster.ClusterId === "") {
    throw new EnrichmentError("InvalidResponse", "DescribeClusters: a cluster has no ClusterId");
  }
  if (typeof cluster.State !== "string" || cluster.State === "") {
    throw new EnrichmentError("InvalidResponse", `cluster ${cluster.ClusterId}: no State`);
  }
  const hsms: Record<string, number> = {};
  const activeZones = new Set<string>();
  for (const hsm of cluster.Hsms ?? []) {
    const state = typeof hsm.State === "string" && hsm.State !== "" ? hsm.State : "UNKNOWN";
    hsms[state] = (hsms[state] ?? 0) + 1;
    if (state === "ACTIVE" && typeof hsm.AvailabilityZone === "string") {
      activeZones.add(hsm.AvailabilityZone);
    }
  }
  return {
    id: cluster.ClusterId,
    state: cluster.State,
    hsms,
    activeAvailabilityZones: activeZones.size,
  };
}

export interface ClusterClient {
  describeClusters(
    input: DescribeClustersInput,
    options: { abortSignal: AbortSignal },
  ): Promise<DescribeClustersOutput>;
}

/**
 * One DescribeClusters (all pages) for the clusters of a target's CloudHSM stores. A cluster
 * that AWS does not return (deleted, or in another account) is left out, not invented.
 */
export async function describeStoreClusters(
  client: ClusterClient,
  clusterIds: readonly string[],
  options: Omit<PagesOptions, "operation">,
): Promise<ClusterHealth[]> {
  if (clusterIds.length === 0) return [];
  const wanted = new Set(clusterIds);
  const pages = await enrichmentPages(
    { ...options, operation: "DescribeClusters" },
    (token, abortSignal) =>
      client.describeClusters(
        {
          Filters: { clusterIds: [...clusterIds] },
          MaxResults: MAX_RESULTS,
          ...(token ? { NextToken: token } : {}),
        },
        { abortSignal },
      ),
    (page) => page.NextToken,
  );
  const byId = new Map<string, ClusterHealth>();
  for (const page of pages) {
    for (const cluster of page.Clusters ?? []) {
      const health = toClusterHealth(cluster);
      if (wanted.has(health.id)) byId.set(health.id, health);
    }
  }
  return [...byId.values()].sort((a, b) => a.id.localeCompare(b.id));
}
