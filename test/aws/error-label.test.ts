import { describe, expect, it } from "vitest";
import { awsErrorName, ErrorLabels, OTHER_ERROR } from "../../src/aws/error-label.js";

describe("awsErrorName", () => {
  it.each([
    ["KMSInternalException", "KMSInternalException"],
    [
      "com.amazon.coral.service.AccessDeniedException",
      "com.amazon.coral.service.AccessDeniedException",
    ],
    ["A", "A"],
    [`A${"b".repeat(63)}`, `A${"b".repeat(63)}`],
    [`A${"b".repeat(64)}`, OTHER_ERROR],
    ["", OTHER_ERROR],
    ["9Lives", OTHER_ERROR],
    [".Dot", OTHER_ERROR],
    ["Bad Name", OTHER_ERROR],
    ["Under_score", OTHER_ERROR],
    ['Quote"', OTHER_ERROR],
    ["Line\nBreak", OTHER_ERROR],
  ])("%j → %j", (name, label) => {
    expect(awsErrorName(name)).toBe(label);
  });
});

describe("ErrorLabels", () => {
  it("keeps the first names of a scope up to the budget, then counts the rest as Other", () => {
    const labels = new ErrorLabels(2);
    expect(labels.label("t1", "A")).toBe("A");
    expect(labels.label("t1", "B")).toBe("B");
    expect(labels.label("t1", "C")).toBe(OTHER_ERROR);
    expect(labels.label("t1", "A")).toBe("A");
    expect(labels.label("t1", "B")).toBe("B");
    expect(labels.label("t2", "C")).toBe("C");
  });

  it("gives a forgotten scope a new budget", () => {
    const labels = new ErrorLabels(1);
    labels.label("t1", "A");
    expect(labels.label("t1", "B")).toBe(OTHER_ERROR);
    labels.forget("t1");
    expect(labels.label("t1", "B")).toBe("B");
  });

  it("allows 32 names per scope by default", () => {
    const labels = new ErrorLabels();
    const names = Array.from({ length: 40 }, (_, index) => labels.label("t", `E${index}`));
    expect(new Set(names).size).toBe(33);
    expect(names[31]).toBe("E31");
    expect(names[32]).toBe(OTHER_ERROR);
  });
});
