import { describe, expect, it } from "vitest";
import { keysAffected, keysStatus } from "../../../src/enrichment/keys/status.js";
import { keysCell } from "../../../src/enrichment/keys/status-html.js";
import { EnrichmentStore } from "../../../src/enrichment/state.js";
import { StateStore } from "../../../src/state/state.js";
import { buildStatus } from "../../../src/status/report.js";
import { keyStore, target } from "../../helpers/stores.js";

const AT = 1_800_000_000_000;
const store = (byState: Record<string, number>, byLastAvailable: Record<string, number>) => ({
  storeId: "cks-1",
  byState,
  byLastAvailable,
});

describe("keysStatus", () => {
  it.each([
    [
      "CONNECTED",
      store({ Enabled: 3, Disabled: 1 }, { Enabled: 3, Disabled: 1 }),
      "4 keys (3 Enabled)",
    ],
    [
      "FAILED",
      store(
        { Unavailable: 141, PendingDeletion: 1 },
        { Enabled: 98, Disabled: 43, PendingDeletion: 1 },
      ),
      "142 keys (98 Enabled before it went down)",
    ],
    ["DISCONNECTED", store({ Unavailable: 2 }, { unknown: 2 }), "2 keys (none seen available yet)"],
    ["FAILED", store({ Unavailable: 1 }, { Enabled: 1 }), "1 key (1 Enabled before it went down)"],
    [
      "FAILED",
      store({ Unavailable: 3 }, { Enabled: 1, unknown: 2 }),
      "3 keys (1 Enabled before it went down, 2 never seen available)",
    ],
    ["FAILED", undefined, "0 keys"],
  ])("a %s store: %s", (state, keys, text) => {
    expect(keysStatus({ state }, keys, AT).text).toBe(text);
  });

  it("sums the keys of stores that are not CONNECTED; undefined while no store has an inventory", () => {
    const status = (state: string, total: number, enabled: number) => ({
      state,
      keys: keysStatus({ state }, store({ Unavailable: total }, { Enabled: enabled }), AT),
    });
    expect(keysAffected([{ state: "FAILED", keys: undefined }])).toBeUndefined();
    expect(
      keysAffected([
        status("FAILED", 10, 7),
        status("DISCONNECTED", 3, 1),
        status("CONNECTED", 50, 50),
      ]),
    ).toEqual({ keys: 13, enabled: 8 });
  });

  it("escapes nothing it does not write itself: numbers and fixed words", () => {
    const cell = keysCell(
      keysStatus({ state: "FAILED" }, store({ Unavailable: 2 }, { Enabled: 2 }), AT),
    );
    expect(cell).toBe(
      '<p data-keys="2" data-enabled-before-down="2">2 keys (2 Enabled before it went down)</p>',
    );
  });
});

describe("the status report with enrich.keys", () => {
  it("orders stores that are not CONNECTED by their Enabled keys, and sums the keys affected", () => {
    const prod = target("111111111111", "us-east-1");
    const state = new StateStore();
    state.setTargets([prod]);
    state.recordSuccess(
      prod.key,
      [
        keyStore({ id: "cks-few", name: "few", state: "FAILED", errorCode: "NETWORK_ERRORS" }),
        keyStore({ id: "cks-many", name: "many", state: "DISCONNECTED" }),
        keyStore({ id: "cks-up", name: "up" }),
        keyStore({ id: "cks-none", name: "none", state: "FAILED", errorCode: "NETWORK_ERRORS" }),
      ],
      AT,
      10,
    );
    const enrichment = new EnrichmentStore();
    enrichment.setKeys(
      prod,
      [
        { storeId: "cks-few", byState: { Unavailable: 2 }, byLastAvailable: { Enabled: 2 } },
        { storeId: "cks-many", byState: { Unavailable: 9 }, byLastAvailable: { Enabled: 9 } },
        { storeId: "cks-up", byState: { Enabled: 40 }, byLastAvailable: { Enabled: 40 } },
      ],
      0,
      AT,
    );
    const report = buildStatus(state.states(), {
      version: "1",
      intervalMs: 60_000,
      nowMs: AT,
      enrichment,
    });
    expect(report.stores.map((s) => s.id)).toEqual(["cks-many", "cks-few", "cks-none", "cks-up"]);
    expect(report.stores[0]?.keys?.text).toBe("9 keys (9 Enabled before it went down)");
    expect(report.summary).toMatchObject({ keysAffected: 11, enabledKeysAffected: 11 });

    const without = buildStatus(state.states(), { version: "1", intervalMs: 60_000, nowMs: AT });
    expect(without.summary.keysAffected).toBeUndefined();
    expect(without.stores.map((s) => s.id)).toEqual(["cks-few", "cks-none", "cks-many", "cks-up"]);
  });
});
