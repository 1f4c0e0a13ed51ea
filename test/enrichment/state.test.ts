import { describe, expect, it } from "vitest";
import { EnrichmentStore } from "../../src/enrichment/state.js";
import { targetKey } from "../../src/model.js";

const target = (region: string) => ({
  key: targetKey("111111111111", region),
  accountId: "111111111111",
  accountName: undefined,
  region,
});

describe("EnrichmentStore", () => {
  it("keeps results per target and kind, and moves an entry's version only on its change", () => {
    const store = new EnrichmentStore();
    store.setClusters(target("us-east-1"), [], 1);
    store.setXks(target("us-east-1"), [], 2);
    store.setXks(target("eu-west-1"), [], 3);
    const versionOf = (region: string) => store.get(target(region).key)?.version ?? Number.NaN;
    const [east, west] = [versionOf("us-east-1"), versionOf("eu-west-1")];
    store.setKeys(target("eu-west-1"), [], 0, 4);
    expect(versionOf("eu-west-1")).toBe(west + 1);
    store.drop(target("us-east-1").key, "cloudhsm");
    expect(versionOf("us-east-1")).toBe(east + 1);
    store.drop(target("us-east-1").key, "cloudhsm");
    store.drop("999999999999/us-east-1");
    expect(versionOf("us-east-1")).toBe(east + 1);
    expect(versionOf("eu-west-1")).toBe(west + 1);
    const eastEntry = [...store.entries()].find((entry) => entry.target.region === "us-east-1");
    expect(eastEntry?.cloudhsm).toBeUndefined();
    expect(eastEntry?.xks?.atMs).toBe(2);
    store.retain(new Set([target("eu-west-1").key]));
    expect([...store.entries()].map((entry) => entry.target.region)).toEqual(["eu-west-1"]);
  });

  it("keeps an unchanged result's array, so its rendered lines are reused", () => {
    const store = new EnrichmentStore();
    const cluster = { id: "c", state: "ACTIVE", hsms: { ACTIVE: 2 }, activeAvailabilityZones: 2 };
    store.setClusters(target("us-east-1"), [cluster], 1);
    const first = [...store.entries()][0]?.cloudhsm?.value;
    store.setClusters(target("us-east-1"), [{ ...cluster }], 2);
    const second = [...store.entries()][0]?.cloudhsm;
    expect(second?.value).toBe(first);
    expect(second?.atMs).toBe(2);
    store.setClusters(target("us-east-1"), [{ ...cluster, activeAvailabilityZones: 1 }], 3);
    expect([...store.entries()][0]?.cloudhsm?.value).not.toBe(first);
  });

  it("keeps the key inventory's counts and undescribed keys, and tells listeners which targets stay", () => {
    const store = new EnrichmentStore();
    const kept: string[][] = [];
    store.onRetain((keys) => kept.push([...keys]));
    const counts = [{ storeId: "cks-1", byState: { Enabled: 2 }, byLastAvailable: { Enabled: 2 } }];
    store.setKeys(target("us-east-1"), counts, 3, 7);
    expect(store.get(target("us-east-1").key)?.keys).toEqual({
      value: counts,
      undescribed: 3,
      atMs: 7,
    });
    store.retain(new Set([target("eu-west-1").key]));
    expect(store.get(target("us-east-1").key)).toBeUndefined();
    expect(kept).toEqual([[target("eu-west-1").key]]);
  });
});
