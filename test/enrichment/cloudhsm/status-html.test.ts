import { describe, expect, it } from "vitest";
import { cloudHsmStatus } from "../../../src/enrichment/cloudhsm/status.js";
import { cloudHsmCell } from "../../../src/enrichment/cloudhsm/status-html.js";

describe("the CloudHSM cell", () => {
  it("says the cluster's state, HSMs and zones, and flags a risk with its runbook", () => {
    const healthy = cloudHsmStatus(
      { state: "CONNECTED" },
      { id: "c-1", state: "ACTIVE", hsms: { ACTIVE: 2 }, activeAvailabilityZones: 2 },
      0,
    );
    expect(cloudHsmCell(healthy)).toContain("ACTIVE: 2 ACTIVE HSMs in 2 zones");
    expect(cloudHsmCell(healthy)).not.toContain("at risk");
    const lonely = cloudHsmStatus(
      { state: "CONNECTED" },
      { id: "c-1", state: "ACTIVE", hsms: { ACTIVE: 1 }, activeAvailabilityZones: 1 },
      0,
    );
    expect(cloudHsmCell(lonely)).toContain("Runbook: KMSCloudHsmKeyStoreAtRisk");
  });
});
