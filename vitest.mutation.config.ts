import { configDefaults, defineConfig } from "vitest/config";
import base from "./vitest.config.js";

// The tests Stryker runs against each mutant: the in-process unit tests (fake clocks, fake
// clients, the simulator in-process), which take milliseconds. The wire, fault and e2e tests
// start the whole exporter and wait on real timers (about 1 s each); every one of them covers
// nearly every mutant, so running them per mutant would make a full run last hours. Tests that
// read the source text (architecture, docs) are left out: Stryker instruments that text.
export default defineConfig({
  ...base,
  test: {
    ...base.test,
    include: [
      "test/aws/**/*.test.ts",
      "test/config/**/*.test.ts",
      "test/enrichment/**/*.test.ts",
      "test/log/**/*.test.ts",
      "test/targets/**/*.test.ts",
      "test/poller/**/*.test.ts",
      "test/state/**/*.test.ts",
      "test/metrics/**/*.test.ts",
      "test/server/**/*.test.ts",
      "test/status/**/*.test.ts",
      "test/text/**/*.test.ts",
      "test/*.test.ts",
    ],
    exclude: [
      ...configDefaults.exclude,
      // Starts the whole exporter, like the wire tests.
      "test/exporter.test.ts",
      // Compare generated sources with their generators: Stryker instruments that text.
      "test/status/error-codes.test.ts",
      "test/enrichment/thresholds.test.ts",
    ],
  },
});
