import { describe, expect, it } from "vitest";
import { ProcessSeries } from "../../src/metrics/process-series.js";
import { sectionText } from "../helpers/exposition.js";

describe("ProcessSeries", () => {
  it("has its one series at 0 from the start when it has no labels, as prom-client", () => {
    const gauge = new ProcessSeries({ name: "g", help: "G.", type: "gauge" });
    expect(sectionText(gauge)).toBe("# HELP g G.\n# TYPE g gauge\ng 0\n\n");
    gauge.set(2.5);
    expect(sectionText(gauge)).toContain("\ng 2.5\n");
    gauge.reset();
    expect(sectionText(gauge)).toContain("\ng 0\n");
  });

  it("writes labelled series only once set, escaped, and forgets them on reset", () => {
    const gauge = new ProcessSeries({ name: "g", help: "G.", type: "gauge", labelNames: ["a"] });
    expect(sectionText(gauge)).toBe("# HELP g G.\n# TYPE g gauge\n\n");
    gauge.set({ a: 'x"y' }, 1);
    expect(sectionText(gauge)).toContain('\ng{a="x\\"y"} 1\n');
    gauge.reset();
    expect(sectionText(gauge)).not.toContain("{");
  });

  it("counts up, never down", async () => {
    const counter = new ProcessSeries({ name: "c_total", help: "C.", type: "counter" });
    counter.inc();
    counter.inc(2);
    expect((await counter.get()).values).toEqual([{ labels: {}, value: 3 }]);
    expect(() => counter.inc(-1)).toThrow(/cannot move by -1/);
  });
});
