import { Gauge, Histogram, Registry } from "prom-client";
import { describe, expect, it } from "vitest";
import { processDefaultsText } from "../../src/metrics/process-defaults.js";
import { parseExposition } from "../helpers/exposition.js";

describe("processDefaultsText", () => {
  it("writes what prom-client writes, but NaN the standard way", async () => {
    const registry = new Registry();
    new Gauge({ name: "odd_value", help: "Nanny state, Nan words.", registers: [registry] }).set(
      Number.NaN,
    );
    const gauge = new Gauge({
      name: "labelled",
      help: 'Back\\slash "quoted".',
      labelNames: ["kind"],
      registers: [registry],
    });
    gauge.set({ kind: 'a "b"\\c' }, 2.5);
    const histogram = new Histogram({
      name: "lasted_seconds",
      help: "How long.",
      labelNames: ["kind"],
      buckets: [0.1, 1],
      registers: [registry],
    });
    histogram.observe({ kind: "minor" }, 0.5);
    const text = processDefaultsText(await registry.getMetricsAsJSON());
    const reference = (await registry.metrics()).replaceAll("\n\n", "\n");
    expect(text).toBe(reference.replace("odd_value Nan\n", "odd_value NaN\n"));
    expect(text).toContain("\nodd_value NaN\n");
    expect(() => parseExposition(text)).not.toThrow();
  });
});
