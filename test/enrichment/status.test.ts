import { describe, expect, it } from "vitest";
import { EnrichmentStore } from "../../src/enrichment/state.js";
import { storeEnrichment } from "../../src/enrichment/status.js";
import { StateStore } from "../../src/state/state.js";
import { buildStatus, statusJson } from "../../src/status/report.js";
import { cluster, keyStore, target, xksHealth } from "../helpers/stores.js";

const AT = 1_800_000_000_000;
const PROD = target("111111111111", "us-east-1", "prod");

const xks = xksHealth;

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
