import { describe, expect, it } from "vitest";
import { closestKey, editDistance } from "../../src/config/suggest.js";

const KEYS = ["interval", "timeout", "concurrency", "regions", "accounts", "roleArn", "name"];

describe("editDistance", () => {
  it.each([
    ["interval", "interval", 0],
    ["intervall", "interval", 1],
    ["inetrval", "interval", 1], // two neighbours swapped: one edit
    ["timout", "timeout", 1],
    ["regoins", "regions", 1],
    ["acounts", "accounts", 1],
    ["abc", "", 3],
    ["kitten", "sitting", 3],
  ])("%s → %s: %i", (a, b, distance) => {
    expect(editDistance(a, b)).toBe(distance);
    expect(editDistance(b, a)).toBe(distance);
  });
});

describe("closestKey", () => {
  it.each([
    ["intervall", "interval"],
    ["intrval", "interval"],
    ["timout", "timeout"],
    ["rolearn", "roleArn"],
    ["RoleARN", "roleArn"],
    ["concurency", "concurrency"],
    ["region", "regions"],
    ["acount", "accounts"],
    ["nme", "name"],
  ])("suggests %s → %s", (typo, meant) => {
    expect(closestKey(typo, KEYS)).toBe(meant);
  });

  it.each(["bogus", "foo", "intervalll2", "nm", "x"])("suggests nothing for %s", (word) => {
    expect(closestKey(word, KEYS)).toBeUndefined();
  });

  it("prefers the closer of two candidates", () => {
    expect(closestKey("retryy", ["retry", "refresh"])).toBe("retry");
  });
});
