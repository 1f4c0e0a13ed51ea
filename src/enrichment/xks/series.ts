import { type FamilyHeader, type Labels, sampleLine } from "../../metrics/exposition.js";
import { XKS_PERIOD_SECONDS, type XksHealth } from "./round.js";

/** The XKS proxy families (order = order of the sample lines of `xksLines`). */
export function xksFamilies(interval: string): FamilyHeader[] {
  const minutes = XKS_PERIOD_SECONDS / 60;
  const xks = (metric: string, stat: string) =>
    `From CloudWatch AWS/KMS ${metric} (${stat} over ${minutes}m periods), polled every ${interval}: the newest whole period, so it lags by ${minutes} to ${2 * minutes} minutes.`;
  return [
    {
      name: "aws_kms_xks_proxy_certificate_days_to_expire",
      type: "gauge",
      help: `Days until the TLS certificate of the store's XKS proxy expires. ${xks("XksProxyCertificateDaysToExpire", "Minimum")}`,
    },
    {
      name: "aws_kms_xks_proxy_credential_age_days",
      type: "gauge",
      help: `Days since the store's proxy authentication credential was set. ${xks("XksProxyCredentialAge", "Maximum")}`,
    },
    {
      name: "aws_kms_xks_proxy_errors",
      type: "gauge",
      help: `Errors of the store's XKS proxy in the period, by ErrorType; 0 when CloudWatch recorded none. ${xks("XksProxyErrors", "Sum")}`,
    },
    {
      name: "aws_kms_xks_proxy_latency_seconds",
      type: "gauge",
      help: `Average time the store's XKS proxy took to answer KMS, in seconds. ${xks("XksProxyLatency", "Average")}`,
    },
    {
      name: "aws_kms_xks_external_key_managers",
      type: "gauge",
      help: `External key manager instances behind the store's proxy, by health state. ${xks("XksExternalKeyManagerStates", "Maximum")}`,
    },
  ];
}

/** Per XKS family, the sample lines of one target's external key stores. */
export function xksLines(base: Labels, stores: readonly XksHealth[]): string[] {
  let certificate = "";
  let credential = "";
  let errors = "";
  let latency = "";
  let managers = "";
  for (const store of stores) {
    const labels: Labels = [...base, ["custom_key_store_id", store.storeId]];
    const line = (name: string, value: number | undefined, extra: Labels = []) =>
      value === undefined ? "" : sampleLine(name, [...labels, ...extra], value);
    certificate += line(
      "aws_kms_xks_proxy_certificate_days_to_expire",
      store.certificateDaysToExpire,
    );
    credential += line("aws_kms_xks_proxy_credential_age_days", store.credentialAgeDays);
    for (const [errorType, value] of Object.entries(store.errors)) {
      errors += line("aws_kms_xks_proxy_errors", value, [["error_type", errorType]]);
    }
    latency += line("aws_kms_xks_proxy_latency_seconds", store.latencySeconds);
    for (const [state, value] of Object.entries(store.externalKeyManagers)) {
      managers += line("aws_kms_xks_external_key_managers", value, [["state", state]]);
    }
  }
  return [certificate, credential, errors, latency, managers];
}
