import type { ListMetricsCommandInput } from "@aws-sdk/client-cloudwatch";
import { describe, expect, it } from "vitest";
import {
  type CloudWatchCalls,
  discoverXksSeries,
  seriesOfStores,
  XKS_METRIC_NAMES,
} from "../../../src/enrichment/xks/discover.js";

const OPTIONS = {
  signal: new AbortController().signal,
  timeoutMs: 1_000,
  maxPages: 10,
  onAttempt: () => {},
};

describe("XKS series discovery", () => {
  it("keeps the series of the wanted stores with their exact dimensions", () => {
    const found = seriesOfStores(
      "XksProxyLatency",
      [
        {
          $metadata: {},
          Metrics: [
            {
              MetricName: "XksProxyLatency",
              Dimensions: [
                { Name: "CustomKeyStoreId", Value: "cks-1" },
                { Name: "KmsOperation", Value: "Encrypt" },
              ],
            },
            {
              MetricName: "XksProxyLatency",
              Dimensions: [{ Name: "CustomKeyStoreId", Value: "cks-other" }],
            },
            { MetricName: "XksProxyLatency", Dimensions: [{ Name: "KeySpec", Value: "AES_256" }] },
            {
              MetricName: "XksProxyErrors",
              Dimensions: [{ Name: "CustomKeyStoreId", Value: "cks-1" }],
            },
          ],
        },
      ],
      new Set(["cks-1"]),
    );
    expect(found).toEqual([
      {
        storeId: "cks-1",
        metricName: "XksProxyLatency",
        dimensions: [
          { Name: "CustomKeyStoreId", Value: "cks-1" },
          { Name: "KmsOperation", Value: "Encrypt" },
        ],
      },
    ]);
  });

  it("asks one call chain per metric name, every page, for the last three hours of AWS/KMS", async () => {
    const asked: ListMetricsCommandInput[] = [];
    const calls: CloudWatchCalls = {
      listMetrics: async (input) => {
        asked.push(input);
        return input.NextToken === undefined && input.MetricName === "XksProxyErrors"
          ? { $metadata: {}, Metrics: [], NextToken: "page-2" }
          : { $metadata: {}, Metrics: [] };
      },
      getMetricData: async () => {
        throw new Error("not in discovery");
      },
    };
    await discoverXksSeries(calls, ["cks-1"], OPTIONS);
    expect(asked.map((input) => input.MetricName)).toEqual([
      ...XKS_METRIC_NAMES.slice(0, 3),
      "XksProxyErrors",
      ...XKS_METRIC_NAMES.slice(3),
    ]);
    expect(asked.every((input) => input.Namespace === "AWS/KMS")).toBe(true);
    expect(asked.every((input) => input.RecentlyActive === "PT3H")).toBe(true);
    expect(asked[3]?.NextToken).toBe("page-2");
  });
});
