import { describe, expect, it } from "vitest";
import { KeyInventory } from "../../../src/enrichment/keys/inventory.js";

const STORE = "cks-1";
const OTHER = "cks-2";
const watched = new Set([STORE]);

describe("KeyInventory", () => {
  it("describes unknown keys and keys in watched stores, never a key known to be in no store", () => {
    const inventory = new KeyInventory();
    expect(inventory.plan(["a", "b", "c", "d"], watched)).toEqual(["a", "b", "c", "d"]);
    inventory.described("a", { store: STORE, state: "Enabled" });
    inventory.described("b", { store: undefined, state: "Enabled" });
    inventory.described("c", { store: OTHER, state: "Enabled" });
    inventory.refusedDescribe("d");
    expect(inventory.plan(["a", "b", "c", "d"], watched)).toEqual(["a", "d"]);
    expect(inventory.plan(["a", "b", "c", "d"], new Set([STORE, OTHER]))).toEqual(["a", "c", "d"]);
  });

  it("forgets keys gone from ListKeys, and their refusals", () => {
    const inventory = new KeyInventory();
    inventory.described("a", { store: STORE, state: "Enabled" });
    inventory.described("b", { store: undefined, state: "Enabled" });
    inventory.refusedDescribe("c");
    expect(inventory.undescribed).toBe(1);
    inventory.plan(["x"], watched);
    expect(inventory.undescribed).toBe(0);
    expect(inventory.countsFor([STORE])).toEqual([]);
    // b was forgotten: should it come back, it is described again.
    expect(inventory.plan(["b"], watched)).toEqual(["b"]);
  });

  it("counts keys by state now and by the last state seen while not Unavailable", () => {
    const inventory = new KeyInventory();
    const states = ["Enabled", "Enabled", "Disabled", "PendingDeletion"];
    for (const [index, state] of states.entries()) {
      inventory.described(`k${index}`, { store: STORE, state });
    }
    inventory.described("never", { store: STORE, state: "Unavailable" });
    inventory.described("elsewhere", { store: OTHER, state: "Enabled" });
    inventory.described("k0", { store: STORE, state: "Unavailable" });
    inventory.described("k1", { store: STORE, state: "Unavailable" });
    inventory.described("k2", { store: STORE, state: "Unavailable" });
    expect(inventory.countsFor([STORE])).toEqual([
      {
        storeId: STORE,
        byState: { PendingDeletion: 1, Unavailable: 4 },
        byLastAvailable: { Disabled: 1, Enabled: 2, PendingDeletion: 1, unknown: 1 },
      },
    ]);
    // Back up: the state seen now is the last available one again.
    inventory.described("k0", { store: STORE, state: "Disabled" });
    expect(inventory.countsFor([STORE])[0]?.byLastAvailable).toEqual({
      Disabled: 2,
      Enabled: 1,
      PendingDeletion: 1,
      unknown: 1,
    });
  });

  it("keeps what it knew of a key whose DescribeKey is refused later, and counts it undescribed", () => {
    const inventory = new KeyInventory();
    inventory.described("a", { store: STORE, state: "Enabled" });
    inventory.refusedDescribe("a");
    expect(inventory.undescribed).toBe(1);
    expect(inventory.countsFor([STORE])[0]?.byState).toEqual({ Enabled: 1 });
    inventory.described("a", { store: STORE, state: "Enabled" });
    expect(inventory.undescribed).toBe(0);
  });

  it("drops a key deleted between ListKeys and DescribeKey", () => {
    const inventory = new KeyInventory();
    inventory.described("a", { store: STORE, state: "Enabled" });
    inventory.vanished("a");
    expect(inventory.countsFor([STORE])).toEqual([]);
  });

  it("lists each asked store once, in the order asked, leaving out stores without keys", () => {
    const inventory = new KeyInventory();
    inventory.described("a", { store: OTHER, state: "Enabled" });
    inventory.described("b", { store: STORE, state: "Enabled" });
    expect(inventory.countsFor([OTHER, "cks-empty", STORE, OTHER]).map((s) => s.storeId)).toEqual([
      OTHER,
      STORE,
    ]);
  });
});
