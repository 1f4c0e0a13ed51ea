import { describe, expect, it } from "vitest";
import {
  escapeLabelValue,
  familyHeader,
  formatValue,
  sampleLine,
} from "../../src/metrics/exposition.js";

describe("exposition", () => {
  it("writes a sample with its labels in order, comma-separated and escaped", () => {
    expect(
      sampleLine(
        "m",
        [
          ["a", "x"],
          ["b", 'say "hi"\n'],
        ],
        2,
      ),
    ).toBe('m{a="x",b="say \\"hi\\"\\n"} 2\n');
    expect(sampleLine("m", [], 0.5)).toBe("m{} 0.5\n");
  });

  it("writes the special values as Prometheus reads them", () => {
    expect(formatValue(Number.NaN)).toBe("NaN");
    expect(formatValue(Number.POSITIVE_INFINITY)).toBe("+Inf");
    expect(formatValue(Number.NEGATIVE_INFINITY)).toBe("-Inf");
    expect(formatValue(-0.25)).toBe("-0.25");
    expect(formatValue(1_700_000_000)).toBe("1700000000");
  });

  it("escapes backslash and newline in HELP, and leaves quotes alone there", () => {
    expect(familyHeader({ name: "m", help: 'a\\b\nc "d"', type: "counter" })).toBe(
      '# HELP m a\\\\b\\nc "d"\n# TYPE m counter\n',
    );
  });

  it("escapes label values the way the text format requires", () => {
    expect(escapeLabelValue('\\"\n')).toBe('\\\\\\"\\n');
    expect(escapeLabelValue("plain, text: ok")).toBe("plain, text: ok");
  });
});
