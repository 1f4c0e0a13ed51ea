import type { ClusterHealth, KeyStore, XksHealth } from "../model.js";
import type { TargetEnrichment } from "../state/enrichment.js";
import { runbookSection } from "./runbooks.js";

/** KMS needs two ACTIVE HSMs to create keys (the KMSCloudHsmKeyStoreAtRisk threshold). */
export const MIN_ACTIVE_HSMS = 2;
/** The two KMSXksProxyCertificateExpiring rules: warning below 14 days, critical below 3. */
export const CERTIFICATE_WARNING_DAYS = 14;
export const CERTIFICATE_CRITICAL_DAYS = 3;

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

export type CertificateLevel = "ok" | "warning" | "critical";

/** An external key store's proxy, as CloudWatch last reported it (enrich.xks). */
export interface XksStatus {
  certificateDaysToExpire: number | undefined;
  /** Undefined while CloudWatch has no datapoint for the certificate. */
  certificateLevel: CertificateLevel | undefined;
  credentialAgeDays: number | undefined;
  /** Instances in a state other than Active (Degraded, Unavailable, …), by state. */
  externalKeyManagersNotActive: Record<string, number>;
  /** Proxy errors in the last CloudWatch period by ErrorType; only the types with errors. */
  errors: Record<string, number>;
  latencySeconds: number | undefined;
  /**
   * The certificate expires within 14 days or an external key manager is not Active. Errors
   * alone do not count: one period says nothing about "sustained" (the alert's judgement).
   */
  atRisk: boolean;
  /** Why it is at risk, in words; empty when it is not. */
  risks: string[];
  /** The runbook section of what puts it at risk: the certificate first, then the managers. */
  runbookUrl: string;
  asOf: string;
}

/**
 * The enrichments that concern one store: undefined (null in /status.json) while that
 * enrichment is off, has no result yet, or its result does not name the store's cluster/id.
 */
export interface StoreEnrichment {
  cloudHsm: CloudHsmStatus | undefined;
  xks: XksStatus | undefined;
  /** Either says the store is at risk; the summary counts these stores. */
  atRisk: boolean;
}

export function certificateLevel(days: number | undefined): CertificateLevel | undefined {
  if (days === undefined) return undefined;
  if (days < CERTIFICATE_CRITICAL_DAYS) return "critical";
  return days < CERTIFICATE_WARNING_DAYS ? "warning" : "ok";
}

export function cloudHsmStatus(
  store: Pick<KeyStore, "state">,
  cluster: ClusterHealth,
  atMs: number,
): CloudHsmStatus {
  const activeHsms = cluster.hsms.ACTIVE ?? 0;
  const risks: string[] = [];
  if (store.state === "CONNECTED") {
    if (activeHsms < MIN_ACTIVE_HSMS) {
      risks.push(
        `${activeHsms} ACTIVE HSM${activeHsms === 1 ? "" : "s"}: KMS needs ${MIN_ACTIVE_HSMS} to create keys`,
      );
    }
    // With no ACTIVE HSM the count above says it all.
    if (activeHsms > 0 && cluster.activeAvailabilityZones < 2) {
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

export function xksStatus(health: XksHealth, atMs: number): XksStatus {
  const notActive = Object.fromEntries(
    Object.entries(health.externalKeyManagers).filter(
      ([state, count]) => state.toUpperCase() !== "ACTIVE" && count > 0,
    ),
  );
  const errors = Object.fromEntries(Object.entries(health.errors).filter(([, count]) => count > 0));
  const level = certificateLevel(health.certificateDaysToExpire);
  const expiring = level === "warning" || level === "critical";
  const unhealthy = Object.keys(notActive).length > 0;
  const risks = [
    expiring
      ? `certificate expires in ${Number(health.certificateDaysToExpire?.toFixed(1))} days`
      : "",
    unhealthy ? "external key managers not Active" : "",
  ].filter((risk) => risk !== "");
  return {
    certificateDaysToExpire: health.certificateDaysToExpire,
    certificateLevel: level,
    credentialAgeDays: health.credentialAgeDays,
    externalKeyManagersNotActive: notActive,
    errors,
    latencySeconds: health.latencySeconds,
    atRisk: risks.length > 0,
    risks,
    runbookUrl: runbookSection(
      !expiring && unhealthy
        ? "kmsxksexternalkeymanagersunhealthy"
        : "kmsxksproxycertificateexpiring",
    ),
    asOf: new Date(atMs).toISOString(),
  };
}

/** A store's enrichments from its target's results; a cluster or store not in them: none. */
export function storeEnrichment(
  store: Pick<KeyStore, "id" | "type" | "state" | "cloudHsmClusterId">,
  enrichment: TargetEnrichment | undefined,
): StoreEnrichment {
  const cluster =
    store.type === "AWS_CLOUDHSM"
      ? enrichment?.cloudhsm?.value.find((candidate) => candidate.id === store.cloudHsmClusterId)
      : undefined;
  const xks =
    store.type === "EXTERNAL_KEY_STORE"
      ? enrichment?.xks?.value.find((candidate) => candidate.storeId === store.id)
      : undefined;
  const cloudHsm =
    cluster && enrichment?.cloudhsm
      ? cloudHsmStatus(store, cluster, enrichment.cloudhsm.atMs)
      : undefined;
  const xksHealth = xks && enrichment?.xks ? xksStatus(xks, enrichment.xks.atMs) : undefined;
  return {
    cloudHsm,
    xks: xksHealth,
    atRisk: (cloudHsm?.atRisk ?? false) || (xksHealth?.atRisk ?? false),
  };
}

/** Stores at risk; undefined (null in /status.json) when no enrichment reported on any store. */
export function storesAtRisk(stores: readonly StoreEnrichment[]): number | undefined {
  if (!stores.some((store) => store.cloudHsm !== undefined || store.xks !== undefined)) {
    return undefined;
  }
  return stores.filter((store) => store.atRisk).length;
}
