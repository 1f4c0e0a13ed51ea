import { runbookSection } from "../../runbooks.js";
import type { XksHealth } from "./round.js";

/** The two KMSXksProxyCertificateExpiring rules: warning below 14 days, critical below 3. */
export const CERTIFICATE_WARNING_DAYS = 14;
export const CERTIFICATE_CRITICAL_DAYS = 3;

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

export function certificateLevel(days: number | undefined): CertificateLevel | undefined {
  if (days === undefined) return undefined;
  if (days < CERTIFICATE_CRITICAL_DAYS) return "critical";
  return days < CERTIFICATE_WARNING_DAYS ? "warning" : "ok";
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
