import { type FamilyHeader, type Labels, sampleLine } from "../../metrics/exposition.js";
import type { XksHealth } from "./figures.js";
import { XKS_PERIOD_SECONDS } from "./round.js";

const MINUTES = XKS_PERIOD_SECONDS / 60;

function help(what: string, metric: string, stat: string): string {
  return `${what} From CloudWatch AWS/KMS ${metric} (${stat}), polled every enrich.interval: the newest ${MINUTES}-minute period, so it lags by ${MINUTES} to ${2 * MINUTES} minutes.`;
}

/** The XKS proxy families (order = order of the sample lines of `xksLines`). */
export function xksFamilies(): FamilyHeader[] {
  return [
    {
      name: "aws_kms_xks_proxy_certificate_days_to_expire",
      type: "gauge",
      help: help(
        "Days until this TLS certificate of the store's XKS proxy expires.",
        "XksProxyCertificateDaysToExpire",
        "Minimum, per CertificateName",
      ),
    },
    {
      name: "aws_kms_xks_proxy_credential_age_days",
      type: "gauge",
      help: help(
        "Days since the store's proxy authentication credential was set.",
        "XksProxyCredentialAge",
        "Maximum",
      ),
    },
    {
      name: "aws_kms_xks_proxy_errors",
      type: "gauge",
      help: help(
        "Requests of the store's XKS proxy that failed in the period, by error type; 0 when CloudWatch recorded none.",
        "XksProxyErrors",
        "Sum over every operation, key spec and exception",
      ),
    },
    {
      name: "aws_kms_xks_proxy_requests",
      type: "gauge",
      help: help(
        "Requests KMS sent the store's XKS proxy in the period, successes included: the denominator of an error ratio.",
        "XksProxyErrors",
        "Sum over every error type, successes included",
      ),
    },
    {
      name: "aws_kms_xks_proxy_latency_seconds",
      type: "gauge",
      help: help(
        "Average time the store's XKS proxy took to answer KMS, weighted by requests, in seconds.",
        "XksProxyLatency",
        "Sum ÷ SampleCount over every operation",
      ),
    },
    {
      name: "aws_kms_xks_proxy_latency_max_seconds",
      type: "gauge",
      help: help(
        "Longest time the store's XKS proxy took to answer KMS, in seconds.",
        "XksProxyLatency",
        "Maximum over every operation",
      ),
    },
    {
      name: "aws_kms_xks_external_key_managers",
      type: "gauge",
      help: help(
        "External key manager instances behind the store's proxy, by health state.",
        "XksExternalKeyManagerStates",
        "Maximum",
      ),
    },
  ];
}

/**
 * Per XKS family, the sample lines of one target's external key stores: a pure function
 * of the store labels and figures, so either exposition path can take it. A figure
 * CloudWatch did not give has no sample, never a 0.
 */
export function xksLines(base: Labels, stores: readonly XksHealth[]): string[] {
  const lines = ["", "", "", "", "", "", ""];
  for (const store of stores) {
    const labels: Labels = [...base, ["custom_key_store_id", store.storeId]];
    const add = (family: number, name: string, value: number | undefined, extra: Labels = []) => {
      if (value !== undefined) lines[family] += sampleLine(name, [...labels, ...extra], value);
    };
    for (const [certificate, days] of Object.entries(store.certificates)) {
      add(0, "aws_kms_xks_proxy_certificate_days_to_expire", days, [
        ["certificate_name", certificate],
      ]);
    }
    add(1, "aws_kms_xks_proxy_credential_age_days", store.credentialAgeDays);
    for (const [errorType, count] of Object.entries(store.errors)) {
      add(2, "aws_kms_xks_proxy_errors", count, [["error_type", errorType]]);
    }
    add(3, "aws_kms_xks_proxy_requests", store.requests);
    add(4, "aws_kms_xks_proxy_latency_seconds", store.latencySeconds);
    add(5, "aws_kms_xks_proxy_latency_max_seconds", store.latencyMaxSeconds);
    for (const [state, count] of Object.entries(store.externalKeyManagers)) {
      add(6, "aws_kms_xks_external_key_managers", count, [["state", state]]);
    }
  }
  return lines;
}
