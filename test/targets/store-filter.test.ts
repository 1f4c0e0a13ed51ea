import { describe, expect, it } from "vitest";
import type { StoreFilter } from "../../src/config/types.js";
import { describeStoreFilter, filterStores, keepsStore } from "../../src/targets/store-filter.js";

const store = (id: string, name: string, type = "AWS_CLOUDHSM") => ({ id, name, type });
const STORES = [
  store("cks-1111111111111111a", "prod-payments"),
  store("cks-2222222222222222b", "prod-payments-sandbox"),
  store("cks-3333333333333333c", "dev-payments"),
  store("cks-4444444444444444d", "prod-xks", "EXTERNAL_KEY_STORE"),
  store("cks-5555555555555555e", ""),
];
const kept = (filter: StoreFilter | undefined) =>
  filterStores(STORES, filter).map((s) => s.name || s.id);

describe("store filter", () => {
  it.each<[string, StoreFilter | undefined, string[]]>([
    ["no filter keeps all", undefined, STORES.map((s) => s.name || s.id)],
    ["an empty filter keeps all", {}, STORES.map((s) => s.name || s.id)],
    [
      "include by name",
      { include: [/^prod-/] },
      ["prod-payments", "prod-payments-sandbox", "prod-xks"],
    ],
    ["include by id", { include: [/^cks-3/, /e$/] }, ["dev-payments", "cks-5555555555555555e"]],
    [
      "exclude after include",
      { include: [/^prod-/], exclude: [/-sandbox$/] },
      ["prod-payments", "prod-xks"],
    ],
    ["exclude alone", { exclude: [/payments/] }, ["prod-xks", "cks-5555555555555555e"]],
    ["types", { types: ["EXTERNAL_KEY_STORE"] }, ["prod-xks"]],
    [
      "all three",
      { include: [/^prod-/], exclude: [/-sandbox$/], types: ["AWS_CLOUDHSM"] },
      ["prod-payments"],
    ],
  ])("%s", (_case, filter, names) => {
    expect(kept(filter)).toEqual(names);
  });

  it("matches unanchored, as written", () => {
    expect(keepsStore({ include: [/payments/] }, store("cks-1", "dev-payments-2"))).toBe(true);
    expect(keepsStore({ include: [/^payments$/] }, store("cks-1", "dev-payments-2"))).toBe(false);
  });

  it("describes itself for --config.check", () => {
    expect(describeStoreFilter(undefined)).toBe("all");
    expect(describeStoreFilter({})).toBe("all");
    expect(
      describeStoreFilter({
        include: [/^prod-/, /^shared-/],
        exclude: [/-sandbox$/],
        types: ["AWS_CLOUDHSM"],
      }),
    ).toBe("include ^prod-, ^shared-; exclude -sandbox$; types AWS_CLOUDHSM");
  });
});
