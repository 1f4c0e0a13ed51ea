import { describe, expect, it } from "vitest";
import { xksStatus } from "../../../src/enrichment/xks/status.js";
import { xksCell } from "../../../src/enrichment/xks/status-html.js";

const HEALTHY = {
  storeId: "cks-1",
  certificateDaysToExpire: 200,
  credentialAgeDays: 10,
  errors: {},
  latencySeconds: 0.04,
  externalKeyManagers: { Active: 2 },
};

describe("the XKS proxy cell", () => {
  it("says the certificate's days, and names the runbook of what puts the store at risk", () => {
    expect(xksCell(xksStatus(HEALTHY, 0))).toContain(
      "Certificate expires in <span data-certificate-days>200</span> days",
    );
    const unhealthy = xksStatus({ ...HEALTHY, externalKeyManagers: { Degraded: 1 } }, 0);
    expect(xksCell(unhealthy)).toContain("Runbook: KMSXksExternalKeyManagersUnhealthy");
    const expiring = xksStatus({ ...HEALTHY, certificateDaysToExpire: 2 }, 0);
    expect(xksCell(expiring)).toContain("renew now");
    expect(xksCell(expiring)).toContain("Runbook: KMSXksProxyCertificateExpiring");
  });
});
