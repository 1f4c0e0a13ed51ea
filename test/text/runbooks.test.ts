import { describe, expect, it } from "vitest";
import { RUNBOOKS_URL, runbookSection } from "../../src/text/runbooks.js";

describe("runbook links", () => {
  it("points a section at its anchor in docs/runbooks.md", () => {
    expect(RUNBOOKS_URL).toMatch(/\/docs\/runbooks\.md$/);
    expect(runbookSection("network_errors")).toBe(`${RUNBOOKS_URL}#network_errors`);
  });
});
