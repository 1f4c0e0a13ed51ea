import { describe, expect, it } from "vitest";
import { xksFamilies, xksLines } from "../../../src/enrichment/xks/series.js";
import { parseExposition, samplesNamed, sampleValue } from "../../helpers/exposition.js";

describe("XKS proxy series", () => {
  it("writes one line set per family, and no sample for a value CloudWatch did not give", () => {
    const lines = xksLines(
      [["account_id", "1"]],
      [
        {
          storeId: "cks-1",
          certificateDaysToExpire: 5,
          credentialAgeDays: undefined,
          errors: { retryable: 7 },
          latencySeconds: 0.325,
          externalKeyManagers: {},
        },
      ],
    );
    expect(lines).toHaveLength(xksFamilies("1m").length);
    const samples = parseExposition(lines.join(""));
    expect(sampleValue(samples, "aws_kms_xks_proxy_errors", { error_type: "retryable" })).toBe(7);
    expect(sampleValue(samples, "aws_kms_xks_proxy_latency_seconds", {})).toBe(0.325);
    expect(samplesNamed(samples, "aws_kms_xks_proxy_credential_age_days")).toHaveLength(0);
  });
});
