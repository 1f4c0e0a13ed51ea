import { describe, expect, it } from "vitest";
import { amount, asOf, counts, riskFlag } from "../../src/enrichment/html.js";

describe("enrichment cell pieces", () => {
  it("writes CloudWatch's fractional values with one decimal at most", () => {
    expect(amount(2.46)).toBe("2.5");
    expect(amount(14)).toBe("14");
  });

  it("writes counts by state, escaping the state", () => {
    expect(counts({ Degraded: 1, "<b>": 2 })).toBe("1 Degraded, 2 &lt;b&gt;");
  });

  it("flags a risk in words and a symbol, with the runbook", () => {
    expect(riskFlag(["a", "b<"], "https://x/#y", "Rule")).toBe(
      '<p><strong class="risk"><span aria-hidden="true">⚠</span> at risk</strong>: a; b&lt;. <a href="https://x/#y">Runbook: Rule</a></p>',
    );
  });

  it("says when the values are from", () => {
    expect(asOf("2026-12-01T14:03:07.000Z")).toContain("as of <time");
    expect(asOf("2026-12-01T14:03:07.000Z")).toContain("2026-12-01 14:03:07 UTC");
  });
});
