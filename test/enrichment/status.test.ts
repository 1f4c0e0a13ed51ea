import { describe, expect, it } from "vitest";
import type { ClusterHealth } from "../../src/enrichment/cloudhsm/round.js";
import { cloudHsmStatus } from "../../src/enrichment/cloudhsm/status.js";
import { EnrichmentStore } from "../../src/enrichment/state.js";
import { storeEnrichment } from "../../src/enrichment/status.js";
import type { XksHealth } from "../../src/enrichment/xks/round.js";
import { certificateLevel, xksStatus } from "../../src/enrichment/xks/status.js";
import { StateStore } from "../../src/state/state.js";
import { buildStatus, RUNBOOKS_URL, statusJson } from "../../src/status/report.js";
import { keyStore, target } from "../helpers/stores.js";

const AT = 1_800_000_000_000;
const PROD = target("111111111111", "us-east-1", "prod");

function cluster(
  active: number,
  zones: number,
  others: Record<string, number> = {},
): ClusterHealth {
  return {
    id: "cluster-1a23b4cdefg",
    state: "ACTIVE",
    hsms: { ACTIVE: active, ...others },
    activeAvailabilityZones: zones,
  };
}

function xks(overrides: Partial<XksHealth> = {}): XksHealth {
  return {
    storeId: "cks-x",
    certificateDaysToExpire: 100,
    credentialAgeDays: 10,
    errors: {},
    latencySeconds: 0.05,
    externalKeyManagers: { Active: 2 },
    ...overrides,
  };
}

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
    expect(status.risks).toEqual(flagged ? [`certificate expires in ${days} days`] : []);
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
    expect(status.risks).toEqual(["certificate expires in 4.3 days"]);
    expect(status.certificateDaysToExpire).toBe(4.2749);
  });

  it("keeps the error types with errors, and errors alone do not put a store at risk", () => {
    const status = xksStatus(xks({ errors: { Retryable: 40, "Non-retryable": 0 } }), AT);
    expect(status.errors).toEqual({ Retryable: 40 });
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

describe("storeEnrichment", () => {
  const results = new EnrichmentStore();
  results.setClusters(PROD, [cluster(1, 1)], AT);
  results.setXks(PROD, [xks({ certificateDaysToExpire: 5 })], AT);
  const entry = results.get(PROD.key);

  it.each([
    ["a CloudHSM store finds its cluster", keyStore(), "cloudHsm"],
    [
      "an XKS store finds its metrics",
      keyStore({ id: "cks-x", type: "EXTERNAL_KEY_STORE" }),
      "xks",
    ],
  ] as const)("%s", (_name, store, kind) => {
    const enriched = storeEnrichment(store, entry);
    expect(enriched[kind]).toBeDefined();
    expect(enriched[kind === "xks" ? "cloudHsm" : "xks"]).toBeUndefined();
    expect(enriched.atRisk).toBe(true);
  });

  it.each([
    ["the enrichments are off", keyStore(), undefined],
    ["the cluster is not in the result", keyStore({ cloudHsmClusterId: "cluster-other" }), entry],
    [
      "the store is not in the result",
      keyStore({ id: "cks-y", type: "EXTERNAL_KEY_STORE" }),
      entry,
    ],
  ] as const)("shows nothing when %s", (_name, store, enrichment) => {
    expect(storeEnrichment(store, enrichment)).toEqual({
      cloudHsm: undefined,
      xks: undefined,
      atRisk: false,
    });
  });
});

describe("buildStatus with enrichments", () => {
  function fleet(): StateStore {
    const state = new StateStore();
    state.setTargets([PROD]);
    state.recordSuccess(
      PROD.key,
      [
        keyStore({ id: "cks-h", name: "single-hsm" }),
        keyStore({ id: "cks-x", name: "expiring", type: "EXTERNAL_KEY_STORE" }),
        keyStore({ id: "cks-d", name: "down", state: "DISCONNECTED" }),
      ],
      AT,
      100,
    );
    return state;
  }

  it("counts the stores at risk and adds the fields to /status.json", () => {
    const results = new EnrichmentStore();
    results.setClusters(PROD, [cluster(1, 1)], AT);
    results.setXks(PROD, [xks({ certificateDaysToExpire: 2 })], AT);
    const report = buildStatus(fleet().states(), {
      version: "1",
      intervalMs: 60_000,
      nowMs: AT,
      enrichment: results,
    });
    // The DISCONNECTED store shares the one-HSM cluster, but only a CONNECTED one is at risk.
    expect(report.summary.storesAtRisk).toBe(2);
    const byName = Object.fromEntries(report.stores.map((store) => [store.name, store]));
    expect(byName["single-hsm"]?.cloudHsm?.atRisk).toBe(true);
    expect(byName.down?.cloudHsm?.atRisk).toBe(false);
    expect(byName.expiring?.xks?.certificateLevel).toBe("critical");
    const json = JSON.parse(statusJson(report));
    expect(json.summary.storesAtRisk).toBe(2);
    expect(json.stores[0]).toHaveProperty("runbookUrl");
  });

  it("writes null and no count when the enrichments are off", () => {
    const report = buildStatus(fleet().states(), { version: "1", intervalMs: 60_000, nowMs: AT });
    expect(report.summary.storesAtRisk).toBeUndefined();
    const json = JSON.parse(statusJson(report));
    expect(json.summary.storesAtRisk).toBeNull();
    for (const store of json.stores) {
      expect(store).toMatchObject({ cloudHsm: null, xks: null, atRisk: false });
    }
  });
});
