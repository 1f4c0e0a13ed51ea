import { describe, expect, it } from "vitest";
import { enrichmentSection } from "../../src/enrichment/series.js";
import { EnrichmentStore } from "../../src/enrichment/state.js";
import { targetKey } from "../../src/model.js";
import { parseExposition, samplesNamed, sampleValue, sectionText } from "../helpers/exposition.js";
import { xksHealth } from "../helpers/stores.js";

const TARGET = {
  key: targetKey("111111111111", "us-east-1"),
  accountId: "111111111111",
  accountName: undefined,
  region: "us-east-1",
};

describe("enrichment exposition", () => {
  it("renders nothing while no enrichment has a result", () => {
    expect(sectionText(enrichmentSection(new EnrichmentStore()))).toBe("");
  });

  /** A state and an HSM state no version of the exporter knows. */
  const STRANGE_CLUSTER = {
    id: "cluster-a",
    state: "SOMETHING_NEW",
    hsms: { ACTIVE: 1, WEIRD: 2 },
    activeAvailabilityZones: 1,
  };

  it("writes state sets with unknown states, base units, and HELP that says the lag", () => {
    const store = new EnrichmentStore();
    store.setClusters(TARGET, [STRANGE_CLUSTER], 1_000_000);
    store.setXks(
      TARGET,
      [
        xksHealth({
          storeId: 'cks-"quoted"\\',
          certificateDaysToExpire: 5,
          credentialAgeDays: undefined,
          errors: { retryable: 0 },
          latencySeconds: 0.25,
          externalKeyManagers: { Degraded: 1 },
        }),
      ],
      2_000_000,
    );
    const text = sectionText(enrichmentSection(store));
    expect(text).toMatch(
      /# HELP aws_kms_xks_proxy_latency_seconds .*every enrich\.interval: the newest 5-minute period, so it lags by 5 to 10 minutes/,
    );
    const samples = parseExposition(text);
    const states = samplesNamed(samples, "aws_kms_cloudhsm_cluster_state");
    expect(states).toHaveLength(12);
    expect(states.filter((s) => s.value === 1).map((s) => s.labels.state)).toEqual([
      "SOMETHING_NEW",
    ]);
    expect(sampleValue(samples, "aws_kms_cloudhsm_cluster_hsms", { state: "WEIRD" })).toBe(2);
    expect(sampleValue(samples, "aws_kms_cloudhsm_cluster_hsms", { state: "DEGRADED" })).toBe(0);
    const id = 'cks-"quoted"\\';
    expect(
      sampleValue(samples, "aws_kms_xks_proxy_latency_seconds", { custom_key_store_id: id }),
    ).toBe(0.25);
    expect(samplesNamed(samples, "aws_kms_xks_proxy_credential_age_days")).toHaveLength(0);
    expect(
      sampleValue(samples, "kms_keystore_exporter_enrichment_last_success_timestamp_seconds", {
        enrichment: "xks",
      }),
    ).toBe(2_000);
    // A round with the same values reuses the lines, and still moves the timestamp.
    store.setClusters(TARGET, [STRANGE_CLUSTER], 3_000_000);
    const again = parseExposition(sectionText(enrichmentSection(store)));
    expect(samplesNamed(again, "aws_kms_cloudhsm_cluster_hsms")).toHaveLength(6);
    expect(
      sampleValue(again, "kms_keystore_exporter_enrichment_last_success_timestamp_seconds", {
        enrichment: "cloudhsm",
      }),
    ).toBe(3_000);
  });
});
