import { runbookSection } from "../../text/runbooks.js";
import { AT_RISK } from "../thresholds.js";
import type { XksHealth } from "./figures.js";

export type CertificateLevel = "ok" | "warning" | "critical";

/** An external key store's proxy, as CloudWatch last reported it (enrich.xks). */
export interface XksStatus {
  /** False: ListMetrics found no series of the store in the last 3 hours. */
  cloudWatchData: boolean;
  /** The first of the proxy's certificates to expire. */
  certificateDaysToExpire: number | undefined;
  certificateName: string | undefined;
  /** Undefined while CloudWatch has no datapoint for a certificate. */
  certificateLevel: CertificateLevel | undefined;
  credentialAgeDays: number | undefined;
  /** Instances in a state other than Active (Degraded, Unavailable, …), by state. */
  externalKeyManagersNotActive: Record<string, number>;
  /** Failed requests in the last CloudWatch period by error type; only the types with errors. */
  errors: Record<string, number>;
  /** Every request of the period, successes included. */
  requests: number | undefined;
  latencySeconds: number | undefined;
  latencyMaxSeconds: number | undefined;
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

export function certificateLevel(days: number | undefined): CertificateLevel | undefined {
  if (days === undefined) return undefined;
  if (days < AT_RISK.certificateCriticalDays) return "critical";
  return days < AT_RISK.certificateWarningDays ? "warning" : "ok";
}

export function xksStatus(health: XksHealth, atMs: number): XksStatus {
  const notActive = Object.fromEntries(
    Object.entries(health.externalKeyManagers).filter(
      ([state, count]) => state.toUpperCase() !== "ACTIVE" && count > 0,
    ),
  );
  const errors = Object.fromEntries(Object.entries(health.errors).filter(([, count]) => count > 0));
  const [certificateName, days] = Object.entries(health.certificates).reduce<
    [string | undefined, number | undefined]
  >(
    (soonest, [name, left]) =>
      soonest[1] === undefined || left < soonest[1] ? [name, left] : soonest,
    [undefined, undefined],
  );
  const level = certificateLevel(days);
  const expiring = level === "warning" || level === "critical";
  // The states the KMSXksExternalKeyManagersUnhealthy alert fires on, nothing else.
  const unhealthy = Object.keys(notActive).some((state) =>
    AT_RISK.unhealthyKeyManagerStates.some((bad) => bad.toLowerCase() === state.toLowerCase()),
  );
  const risks = [
    expiring ? `certificate ${certificateName} expires in ${Number(days?.toFixed(1))} days` : "",
    unhealthy ? "external key managers not Active" : "",
  ].filter((risk) => risk !== "");
  return {
    cloudWatchData: health.series > 0,
    certificateDaysToExpire: days,
    certificateName,
    certificateLevel: level,
    credentialAgeDays: health.credentialAgeDays,
    externalKeyManagersNotActive: notActive,
    errors,
    requests: health.requests,
    latencySeconds: health.latencySeconds,
    latencyMaxSeconds: health.latencyMaxSeconds,
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
