import { describe, expect, it } from "vitest";
import { noXksFigures } from "../../../src/enrichment/xks/figures.js";
import { xksFamilies, xksLines } from "../../../src/enrichment/xks/series.js";
import { parseExposition, samplesNamed, sampleValue } from "../../helpers/exposition.js";
import { xksHealth } from "../../helpers/stores.js";

describe("XKS proxy series", () => {
  it("writes one line set per family: a series per certificate, error type and state", () => {
    const lines = xksLines(
      [["account_id", "1"]],
      [
        xksHealth({
          storeId: "cks-1",
          certificates: { "a.example.com": 5, "b.example.com": 40 },
          credentialAgeDays: undefined,
          errors: { retryable: 7, non_retryable: 2 },
          requests: 1_009,
          latencySeconds: 0.325,
          latencyMaxSeconds: 0.9,
          externalKeyManagers: { Active: 2, Degraded: 0 },
        }),
      ],
    );
    expect(lines).toHaveLength(xksFamilies().length);
    const samples = parseExposition(lines.join(""));
    const days = samplesNamed(samples, "aws_kms_xks_proxy_certificate_days_to_expire");
    expect(days.map((s) => [s.labels.certificate_name, s.value])).toEqual([
      ["a.example.com", 5],
      ["b.example.com", 40],
    ]);
    expect(sampleValue(samples, "aws_kms_xks_proxy_errors", { error_type: "retryable" })).toBe(7);
    expect(sampleValue(samples, "aws_kms_xks_proxy_errors", { error_type: "non_retryable" })).toBe(
      2,
    );
    expect(
      sampleValue(samples, "aws_kms_xks_proxy_requests", { custom_key_store_id: "cks-1" }),
    ).toBe(1_009);
    expect(sampleValue(samples, "aws_kms_xks_proxy_latency_seconds", {})).toBe(0.325);
    expect(sampleValue(samples, "aws_kms_xks_proxy_latency_max_seconds", {})).toBe(0.9);
    expect(sampleValue(samples, "aws_kms_xks_external_key_managers", { state: "Degraded" })).toBe(
      0,
    );
    expect(samplesNamed(samples, "aws_kms_xks_proxy_credential_age_days")).toHaveLength(0);
  });

  it("writes no sample at all, not zeros, for a store CloudWatch has nothing of", () => {
    const lines = xksLines([], [noXksFigures("cks-quiet")]);
    expect(lines.join("")).toBe("");
  });
});
