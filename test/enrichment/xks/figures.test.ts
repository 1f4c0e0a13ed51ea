import { describe, expect, it } from "vitest";
import type { XksSeries } from "../../../src/enrichment/xks/discover.js";
import {
  type Datapoint,
  errorTypeLabel,
  storeFigures,
} from "../../../src/enrichment/xks/figures.js";

const STORE = { Name: "CustomKeyStoreId", Value: "cks-1" };
const NEWEST = 1_800_000_600_000;
const OLDER = NEWEST - 300_000;

function series(metricName: XksSeries["metricName"], ...extra: [string, string][]): XksSeries {
  return {
    storeId: "cks-1",
    metricName,
    dimensions: [STORE, ...extra.map(([Name, Value]) => ({ Name, Value }))],
  };
}

const point = (s: XksSeries, stat: string, value: number, atMs = NEWEST): Datapoint => ({
  series: s,
  stat,
  value,
  atMs,
});

function request(operation: string, errorType: string, exception: string): XksSeries {
  return series(
    "XksProxyErrors",
    ["KmsOperation", operation],
    ["XksOperation", operation],
    ["KeySpec", "AES_256"],
    ["ErrorType", errorType],
    ["ExceptionName", exception],
  );
}

describe("error types", () => {
  it.each([
    ["Retryable errors", "retryable"],
    ["Retryable", "retryable"],
    ["RETRYABLE-ERRORS", "retryable"],
    ["Non-retryable errors", "non_retryable"],
    ["Non-retryable", "non_retryable"],
    ["non retryable", "non_retryable"],
    ["NonRetryable", "non_retryable"],
    ["Throttled requests", "throttled_requests"],
    ["Quota errors", "quota"],
    ["N/A: Successful request; no errors", undefined],
  ])("%s is %s", (type, label) => {
    expect(errorTypeLabel(type)).toBe(label);
  });
});

describe("a store's figures", () => {
  it("sums every operation and exception of a type, counts successes as requests, never as errors", () => {
    const encrypt = request("Encrypt", "N/A: Successful request; no errors", "None");
    const decrypt = request("Decrypt", "N/A: Successful request; no errors", "None");
    const unreachable = request("Encrypt", "Retryable errors", "XksProxyUriUnreachableException");
    const timeout = request("Decrypt", "Retryable", "XksProxyTimeoutException");
    const invalid = request("Decrypt", "Non-retryable errors", "XksProxyInvalidResponseException");
    const all = [encrypt, decrypt, unreachable, timeout, invalid];
    const health = storeFigures(
      "cks-1",
      all,
      [
        point(encrypt, "Sum", 600),
        point(decrypt, "Sum", 400),
        point(unreachable, "Sum", 5),
        point(timeout, "Sum", 2),
        point(invalid, "Sum", 2),
      ],
      new Set(),
    );
    expect(health.errors).toEqual({ retryable: 7, non_retryable: 2 });
    expect(health.requests).toBe(1_009);
    expect(health.series).toBe(5);
  });

  it("takes only the newest period: a series whose newest datapoint is older counts for nothing", () => {
    const ok = request("Encrypt", "N/A: Successful request; no errors", "None");
    const failed = request("Encrypt", "Retryable errors", "XksProxyUriUnreachableException");
    const health = storeFigures(
      "cks-1",
      [ok, failed],
      [point(ok, "Sum", 100), point(failed, "Sum", 50, OLDER)],
      new Set(),
    );
    expect(health.requests).toBe(100);
    expect(health.errors).toEqual({ retryable: 0, non_retryable: 0 });
  });

  it("weights latency by requests (Σ Sum ÷ Σ SampleCount), in seconds, with the largest Maximum", () => {
    const fast = series("XksProxyLatency", ["KmsOperation", "Encrypt"]);
    const slow = series("XksProxyLatency", ["KmsOperation", "Decrypt"]);
    const health = storeFigures(
      "cks-1",
      [fast, slow],
      [
        point(fast, "Sum", 1_000),
        point(fast, "SampleCount", 10),
        point(fast, "Maximum", 150),
        point(slow, "Sum", 12_000),
        point(slow, "SampleCount", 30),
        point(slow, "Maximum", 900),
      ],
      new Set(),
    );
    expect(health.latencySeconds).toBe(0.325);
    expect(health.latencyMaxSeconds).toBe(0.9);
  });

  it("keeps one value per certificate and per manager state, and the credential's age", () => {
    const a = series("XksProxyCertificateDaysToExpire", ["CertificateName", "a"]);
    const b = series("XksProxyCertificateDaysToExpire", ["CertificateName", "b"]);
    const gone = series("XksProxyCertificateDaysToExpire", ["CertificateName", "gone"]);
    const credential = series("XksProxyCredentialAge");
    const degraded = series("XksExternalKeyManagerStates", [
      "XksExternalKeyManagerState",
      "Degraded",
    ]);
    const health = storeFigures(
      "cks-1",
      [a, b, gone, credential, degraded],
      [
        point(a, "Minimum", 5),
        point(b, "Minimum", 40),
        point(gone, "Minimum", 1, OLDER),
        point(credential, "Maximum", 12),
        point(degraded, "Maximum", 1),
      ],
      new Set(),
    );
    expect(health.certificates).toEqual({ a: 5, b: 40 });
    expect(health.credentialAgeDays).toBe(12);
    expect(health.externalKeyManagers).toEqual({ Degraded: 1 });
  });

  it("leaves unknown what CloudWatch did not answer, and zero-fills errors only in a complete answer", () => {
    const ok = request("Encrypt", "N/A: Successful request; no errors", "None");
    const partial = storeFigures(
      "cks-1",
      [ok],
      [point(ok, "Sum", 10)],
      new Set(["XksProxyErrors"]),
    );
    expect(partial.errors).toEqual({});
    expect(partial.requests).toBe(10);
    const none = storeFigures("cks-1", [], [], new Set());
    expect(none).toMatchObject({
      series: 0,
      certificates: {},
      errors: {},
      requests: undefined,
      latencySeconds: undefined,
      credentialAgeDays: undefined,
    });
  });
});
