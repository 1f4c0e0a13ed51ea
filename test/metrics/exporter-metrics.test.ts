import { describe, expect, it } from "vitest";
import { MetricsCache } from "../../src/metrics/cache.js";
import { createExporterMetrics, forgetTargetCounters } from "../../src/metrics/exporter-metrics.js";
import { exporterSources } from "../../src/metrics/sources.js";
import { StateStore } from "../../src/state/state.js";
import { plainText } from "../helpers/exposition.js";

describe("exporter metrics", () => {
  it("exports build facts and no *_total gauges that promtool would flag", async () => {
    const metrics = createExporterMetrics({ version: "1.2.3", revision: "abc" });
    const rendered = await new MetricsCache(exporterSources(new StateStore(), metrics)).render();
    const text = plainText(rendered);
    expect(text).toContain(
      `kms_keystore_exporter_build_info{version="1.2.3",revision="abc",nodejs_version="${process.version}"} 1`,
    );
    expect(text).not.toMatch(/^nodejs_active_(handles|requests|resources)_total/m);
    expect(text).toMatch(/^nodejs_active_handles\{/m);
  });

  it("leaves prom-client only the process_* and nodejs_* defaults", async () => {
    const metrics = createExporterMetrics({ version: "1.2.3", revision: "abc" });
    const names = (await metrics.processRegistry.getMetricsAsJSON()).map((metric) => metric.name);
    expect(names.filter((name) => !/^(process|nodejs)_/.test(name))).toEqual([]);
  });

  it("forgets the counters of removed targets and keeps the others", async () => {
    const metrics = createExporterMetrics({ version: "t", revision: "t" });
    const kept = { account_id: "111111111111", region: "us-east-1" };
    const gone = { account_id: "111111111111", region: "eu-west-1" };
    for (const labels of [kept, gone]) {
      metrics.apiRequests.inc({ ...labels, operation: "DescribeCustomKeyStores" });
      metrics.apiRequestErrors.inc({ ...labels, operation: "DescribeCustomKeyStores", error: "X" });
      metrics.pollErrors.inc({ ...labels, error: "X" });
      metrics.rateLimitWait.inc(labels, 1);
      metrics.cloudWatchIncompleteResults.inc({ ...labels, status_code: "PartialData" });
    }
    forgetTargetCounters(metrics, [{ accountId: "111111111111", region: "eu-west-1" }]);
    for (const counter of [
      metrics.apiRequests,
      metrics.apiRequestErrors,
      metrics.pollErrors,
      metrics.rateLimitWait,
      metrics.cloudWatchIncompleteResults,
    ]) {
      const regions = (await counter.get()).values.map((value) => value.labels.region);
      expect(regions).toEqual(["us-east-1"]);
    }
  });
});
