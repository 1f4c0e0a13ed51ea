import { describe, expect, it } from "vitest";
import { certificateLevel, xksStatus } from "../../../src/enrichment/xks/status.js";
import { RUNBOOKS_URL } from "../../../src/text/runbooks.js";
import { PROXY_CERTIFICATE, xksHealth } from "../../helpers/stores.js";

const AT = 1_800_000_000_000;
const xks = xksHealth;

describe("xksStatus", () => {
  it.each([
    [undefined, undefined],
    [100, "ok"],
    [14, "ok"],
    [13.9, "warning"],
    [5, "warning"],
    [3, "warning"],
    [2.9, "critical"],
    [0, "critical"],
    [-1, "critical"],
  ])("a certificate %s days from expiry is %s", (days, level) => {
    expect(certificateLevel(days)).toBe(level);
    const status = xksStatus(xks({ certificateDaysToExpire: days }), AT);
    expect(status.certificateLevel).toBe(level);
    const flagged = level === "warning" || level === "critical";
    expect(status.atRisk).toBe(flagged);
    expect(status.risks).toEqual(
      flagged ? [`certificate ${PROXY_CERTIFICATE} expires in ${days} days`] : [],
    );
  });

  it.each([
    [{ Active: 2 }, {}, false],
    [{ ACTIVE: 2 }, {}, false],
    [{ Active: 2, Degraded: 0 }, {}, false],
    [{ Active: 1, Degraded: 1 }, { Degraded: 1 }, true],
    [{ Unavailable: 3 }, { Unavailable: 3 }, true],
    [{}, {}, false],
  ])("external key managers %j: not Active %j, at risk %s", (managers, notActive, risk) => {
    const status = xksStatus(xks({ externalKeyManagers: managers }), AT);
    expect(status.externalKeyManagersNotActive).toEqual(notActive);
    expect(status.atRisk).toBe(risk);
    expect(status.risks).toEqual(risk ? ["external key managers not Active"] : []);
    expect(status.runbookUrl).toBe(
      `${RUNBOOKS_URL}#${risk ? "kmsxksexternalkeymanagersunhealthy" : "kmsxksproxycertificateexpiring"}`,
    );
  });

  it("writes fractional days to expiry with one decimal", () => {
    const status = xksStatus(xks({ certificateDaysToExpire: 4.2749 }), AT);
    expect(status.risks).toEqual([`certificate ${PROXY_CERTIFICATE} expires in 4.3 days`]);
    expect(status.certificateDaysToExpire).toBe(4.2749);
  });

  it("keeps the error types with errors, and errors alone do not put a store at risk", () => {
    const status = xksStatus(xks({ errors: { retryable: 40, non_retryable: 0 } }), AT);
    expect(status.errors).toEqual({ retryable: 40 });
    expect(status.atRisk).toBe(false);
  });

  it("links the certificate's runbook section when both the certificate and managers are bad", () => {
    const status = xksStatus(
      xks({ certificateDaysToExpire: 1, externalKeyManagers: { Degraded: 1 } }),
      AT,
    );
    expect(status.runbookUrl).toBe(`${RUNBOOKS_URL}#kmsxksproxycertificateexpiring`);
  });
});
