import { describe, expect, it } from "vitest";
import { compileStorePattern } from "../../src/config/store-pattern.js";

function compiled(text: string) {
  const pattern = compileStorePattern(text);
  if ("problem" in pattern) throw new Error(pattern.problem);
  return pattern;
}

describe("store patterns (RE2)", () => {
  it.each([
    ["^prod-", "prod-payments", true],
    ["^prod-", "dev-prod-x", false],
    ["-sandbox$", "prod-sandbox", true],
    ["(?i)PROD", "prod", true],
    ["\\d{3}", "cks-123", true],
    ["(a+)+$", `${"a".repeat(40)}!`, false],
    ["(a+)+$", "aaaa", true],
  ])("%s on %s matches: %s", (text, input, expected) => {
    const pattern = compiled(text);
    expect(pattern.test(input)).toBe(expected);
    expect(pattern.source).toBe(text);
  });

  it("matches the ReDoS pattern against a 100,000-character name (a backtracking engine never ends)", () => {
    expect(compiled("(a+)+$").test(`${"a".repeat(100_000)}!`)).toBe(false);
  });

  it.each([
    ["^(?=prod)", /look-arounds .* are not supported in RE2 syntax/],
    ["^(?!dev)", /look-arounds/],
    ["(?<=x)y", /look-arounds/],
    ["(?<!x)y", /look-arounds/],
    ["(a)\\1", /back-references .* are not supported in RE2 syntax/],
    ["(?<n>a)\\k<n>", /back-references/],
    ["^prod-(", /missing closing \)/],
  ])("refuses %s and says why", (text, why) => {
    const result = compileStorePattern(text);
    expect("problem" in result && result.problem).toMatch(why);
  });
});
