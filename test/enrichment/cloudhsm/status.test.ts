import { describe, expect, it } from "vitest";
import { cloudHsmStatus } from "../../../src/enrichment/cloudhsm/status.js";
import { RUNBOOKS_URL } from "../../../src/text/runbooks.js";
import { cluster } from "../../helpers/stores.js";

const AT = 1_800_000_000_000;

describe("cloudHsmStatus", () => {
  it.each([
    ["CONNECTED", 2, 2, false, []],
    ["CONNECTED", 3, 3, false, []],
    [
      "CONNECTED",
      1,
      1,
      true,
      ["1 ACTIVE HSM: KMS needs 2 to create keys", "every ACTIVE HSM in one Availability Zone"],
    ],
    ["CONNECTED", 0, 0, true, ["0 ACTIVE HSMs: KMS needs 2 to create keys"]],
    ["CONNECTED", 2, 1, true, ["every ACTIVE HSM in one Availability Zone"]],
    // The alert is about CONNECTED stores only: the others have their own alerts.
    ["DISCONNECTED", 1, 1, false, []],
    ["FAILED", 0, 0, false, []],
    ["CONNECTING", 1, 1, false, []],
  ])(
    "a %s store with %i ACTIVE HSMs in %i zones: at risk %s",
    (state, active, zones, risk, risks) => {
      const status = cloudHsmStatus({ state }, cluster(active, zones), AT);
      expect(status.atRisk).toBe(risk);
      expect(status.risks).toEqual(risks);
      expect(status.activeHsms).toBe(active);
      expect(status.runbookUrl).toBe(`${RUNBOOKS_URL}#kmscloudhsmkeystoreatrisk`);
      expect(status.asOf).toBe(new Date(AT).toISOString());
    },
  );

  it("counts only ACTIVE HSMs as active and keeps the other states", () => {
    const status = cloudHsmStatus({ state: "CONNECTED" }, cluster(1, 1, { DEGRADED: 2 }), AT);
    expect(status).toMatchObject({ activeHsms: 1, atRisk: true, hsms: { ACTIVE: 1, DEGRADED: 2 } });
  });
});
