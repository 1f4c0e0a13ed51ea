import { describe, expect, it } from "vitest";
import { xksStatus } from "../../../src/enrichment/xks/status.js";
import { xksCell } from "../../../src/enrichment/xks/status-html.js";
import { xksHealth } from "../../helpers/stores.js";

describe("the XKS proxy cell", () => {
  it("says the soonest certificate's days, and names the runbook of what puts the store at risk", () => {
    const two = xksStatus(xksHealth({ certificates: { "a<b": 40, "c.example": 200 } }), 0);
    expect(xksCell(two)).toContain(
      'Certificate <span class="id">a&lt;b</span> expires in <span data-certificate-days>40</span> days',
    );
    const unhealthy = xksStatus(xksHealth({ externalKeyManagers: { Degraded: 1 } }), 0);
    expect(xksCell(unhealthy)).toContain("Runbook: KMSXksExternalKeyManagersUnhealthy");
    const expiring = xksStatus(xksHealth({ certificateDaysToExpire: 2 }), 0);
    expect(xksCell(expiring)).toContain("renew now");
    expect(xksCell(expiring)).toContain("Runbook: KMSXksProxyCertificateExpiring");
  });

  it("says errors out of the period's requests, and the slowest answer", () => {
    const busy = xksStatus(
      xksHealth({
        errors: { retryable: 7, non_retryable: 0 },
        requests: 1_009,
        latencySeconds: 0.325,
        latencyMaxSeconds: 0.9,
      }),
      0,
    );
    expect(xksCell(busy)).toContain("Proxy errors: 7 retryable of 1009 requests");
    expect(xksCell(busy)).toContain("Proxy latency: 325 ms (at most 900 ms)");
  });

  it("says when CloudWatch has nothing of the store in the last 3 hours", () => {
    const quiet = xksStatus(xksHealth({ series: 0, certificateDaysToExpire: undefined }), 0);
    expect(xksCell(quiet)).toContain("No CloudWatch data in the last 3 hours");
    expect(xksCell(quiet)).not.toContain("Certificate");
  });
});
