// Generated from deploy/prometheus/alerts.yml by scripts/generate-thresholds.mjs (npm run generate).
// Edit the alert rules and regenerate; a test fails when this file is out of date.

/** The enrichment alerts' thresholds: the status page says "at risk" by the same numbers. */
export const AT_RISK = {
  /** KMS needs this many ACTIVE HSMs in a CloudHSM store's cluster to create keys. */
  minActiveHsms: 2,
  /** Fewer zones with an ACTIVE HSM than this is a single point of failure. */
  minActiveAvailabilityZones: 2,
  /** An XKS proxy certificate expiring in fewer days warns. */
  certificateWarningDays: 14,
  /** An XKS proxy certificate expiring in fewer days pages. */
  certificateCriticalDays: 3,
  /** External key manager states that put an XKS store at risk. */
  unhealthyKeyManagerStates: ["Degraded", "Unavailable"],
  /** The share of failed requests to an XKS proxy above which errors are sustained. */
  xksErrorRatio: 0.05,
} as const;
