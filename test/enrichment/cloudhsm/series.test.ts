import { describe, expect, it } from "vitest";
import {
  CLUSTER_STATES,
  cloudHsmFamilies,
  clusterLines,
  HSM_STATES,
} from "../../../src/enrichment/cloudhsm/series.js";
import { parseExposition, samplesNamed, sampleValue } from "../../helpers/exposition.js";

describe("CloudHSM cluster series", () => {
  it("writes one line set per family, in the order of the families", () => {
    const lines = clusterLines(
      [["account_id", "1"]],
      [{ id: "c-1", state: "ACTIVE", hsms: { ACTIVE: 2 }, activeAvailabilityZones: 2 }],
    );
    expect(lines).toHaveLength(cloudHsmFamilies().length);
    const samples = parseExposition(lines.join(""));
    expect(samplesNamed(samples, "aws_kms_cloudhsm_cluster_state")).toHaveLength(
      CLUSTER_STATES.length,
    );
    expect(samplesNamed(samples, "aws_kms_cloudhsm_cluster_hsms")).toHaveLength(HSM_STATES.length);
    expect(
      sampleValue(samples, "aws_kms_cloudhsm_cluster_active_availability_zones", {
        cloud_hsm_cluster_id: "c-1",
      }),
    ).toBe(2);
  });

  it("writes nothing for no cluster", () => {
    expect(clusterLines([], [])).toEqual(["", "", ""]);
  });
});
