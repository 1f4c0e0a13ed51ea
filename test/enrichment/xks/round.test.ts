import type { GetMetricDataCommandInput } from "@aws-sdk/client-cloudwatch";
import { describe, expect, it, vi } from "vitest";
import type { CloudWatchCalls, XksSeries } from "../../../src/enrichment/xks/discover.js";
import {
  fetchXksHealth,
  mergeResults,
  planXksQueries,
  toXksHealth,
  xksStoreIdsOf,
  xksWindow,
} from "../../../src/enrichment/xks/round.js";
import type { KeyStore } from "../../../src/model.js";
import { keyStore } from "../../helpers/stores.js";

const store = (id: string, type: string): KeyStore =>
  keyStore({ id, name: id, type, creationTimeSeconds: undefined, cloudHsmClusterId: "" });

const series = (storeId: string, metricName: XksSeries["metricName"]): XksSeries => ({
  storeId,
  metricName,
  dimensions: [
    { Name: "CustomKeyStoreId", Value: storeId },
    { Name: "KmsOperation", Value: "Encrypt" },
  ],
});

const OPTIONS = {
  signal: new AbortController().signal,
  timeoutMs: 1_000,
  maxPages: 10,
  now: () => Date.parse("2026-12-01T10:07:30Z"),
  onAttempt: () => {},
  onIncomplete: () => {},
};

describe("XKS queries", () => {
  it("asks each discovered series with its exact dimensions: latency three ways, the others once", () => {
    const planned = planXksQueries([
      series("cks-1", "XksProxyLatency"),
      series("cks-1", "XksProxyErrors"),
    ]);
    expect(planned.map((p) => [p.query.Id, p.stat])).toEqual([
      ["q0", "Sum"],
      ["q1", "SampleCount"],
      ["q2", "Maximum"],
      ["q3", "Sum"],
    ]);
    expect(planned[3]?.query.MetricStat).toEqual({
      Metric: {
        Namespace: "AWS/KMS",
        MetricName: "XksProxyErrors",
        Dimensions: [
          { Name: "CustomKeyStoreId", Value: "cks-1" },
          { Name: "KmsOperation", Value: "Encrypt" },
        ],
      },
      Period: 300,
      Stat: "Sum",
    });
  });

  it("takes only external key stores, each once", () => {
    expect(
      xksStoreIdsOf([
        store("cks-b", "EXTERNAL_KEY_STORE"),
        store("cks-h", "AWS_CLOUDHSM"),
        store("cks-a", "EXTERNAL_KEY_STORE"),
      ]),
    ).toEqual(["cks-a", "cks-b"]);
  });

  it("looks at whole periods ending at the last boundary", () => {
    const { start, end } = xksWindow(Date.parse("2026-12-01T10:07:30Z"));
    expect(end.toISOString()).toBe("2026-12-01T10:05:00.000Z");
    expect(start.toISOString()).toBe("2026-12-01T09:50:00.000Z");
  });

  it("keeps each result's newest datapoint across pages and its last status", () => {
    const merged = mergeResults([
      {
        $metadata: {},
        MetricDataResults: [
          {
            Id: "q0",
            Timestamps: [new Date(2_000), new Date(3_000)],
            Values: [2, 3],
            StatusCode: "PartialData",
          },
        ],
      },
      {
        $metadata: {},
        MetricDataResults: [
          { Id: "q0", Timestamps: [new Date(1_000)], Values: [1], StatusCode: "Complete" },
        ],
      },
    ]);
    expect(merged.get("q0")).toEqual({ value: 3, newestMs: 3_000, statusCode: "Complete" });
  });

  it("gives every store a result, and reports each result that is not Complete", () => {
    const planned = planXksQueries([series("cks-1", "XksProxyCredentialAge")]);
    const incomplete: string[] = [];
    const health = toXksHealth(
      ["cks-1", "cks-2"],
      planned,
      new Map([["q0", { value: 4, newestMs: 1, statusCode: "InternalError" }]]),
      (code) => incomplete.push(code),
    );
    expect(health.map((h) => [h.storeId, h.series, h.credentialAgeDays])).toEqual([
      ["cks-1", 1, 4],
      ["cks-2", 0, undefined],
    ]);
    expect(incomplete).toEqual(["InternalError"]);
  });
});

describe("the XKS round", () => {
  it("lists, then asks at most 500 queries a call, and makes no call without an external key store", async () => {
    const asked: GetMetricDataCommandInput[] = [];
    const ids = Array.from({ length: 120 }, (_, index) => `cks-${index}`);
    const calls: CloudWatchCalls = {
      listMetrics: async (input) => ({
        $metadata: {},
        Metrics:
          input.MetricName === "XksProxyLatency"
            ? ids.map((id) => ({
                MetricName: "XksProxyLatency",
                Dimensions: [{ Name: "CustomKeyStoreId", Value: id }],
              }))
            : [],
      }),
      getMetricData: async (input) => {
        asked.push(input);
        return { $metadata: {}, MetricDataResults: [] };
      },
    };
    await fetchXksHealth(calls, ids, OPTIONS);
    // 120 latency series × 3 statistics = 360 queries: one call.
    expect(asked.map((input) => input.MetricDataQueries?.length)).toEqual([360]);
    await fetchXksHealth(calls, [...ids, ...ids.map((id) => `${id}-b`)], OPTIONS);
    expect(asked.length).toBe(2);
    expect(await fetchXksHealth(calls, [], OPTIONS)).toEqual([]);
  });

  it("gives all the calls of a round one deadline, not one each", async () => {
    vi.useFakeTimers();
    // AbortSignal.timeout runs on node's own timers: here it runs on the fake clock.
    const timeouts = vi.spyOn(AbortSignal, "timeout").mockImplementation((ms) => {
      const controller = new AbortController();
      setTimeout(() => controller.abort(new DOMException("timed out", "TimeoutError")), ms);
      return controller.signal;
    });
    try {
      const slow = <T>(answer: T) =>
        ((_input: unknown, { abortSignal }: { abortSignal: AbortSignal }) =>
          new Promise<T>((resolve, reject) => {
            const timer = setTimeout(() => resolve(answer), 60);
            abortSignal.addEventListener("abort", () => {
              clearTimeout(timer);
              reject(abortSignal.reason);
            });
          })) as never;
      const calls: CloudWatchCalls = {
        listMetrics: slow({ $metadata: {}, Metrics: [] }),
        getMetricData: slow({ $metadata: {}, MetricDataResults: [] }),
      };
      const attempts: string[] = [];
      const outcome = expect(
        fetchXksHealth(calls, ["cks-1"], {
          ...OPTIONS,
          timeoutMs: 200,
          onAttempt: (event) => attempts.push(event.error?.name ?? "ok"),
        }),
      ).rejects.toMatchObject({ errorName: "TimeoutError" });
      await vi.advanceTimersByTimeAsync(1_000);
      await outcome;
      // Five ListMetrics chains of 60 ms each do not fit in 200 ms together.
      expect(attempts.at(-1)).toBe("TimeoutError");
      expect(attempts.filter((a) => a === "ok").length).toBeLessThan(5);
      // Each call had what was left of the one deadline.
      const left = timeouts.mock.calls.map(([ms]) => ms);
      expect(left[0]).toBe(200);
      expect(left.slice(1).every((ms, index) => ms < (left[index] as number))).toBe(true);
    } finally {
      timeouts.mockRestore();
      vi.useRealTimers();
    }
  });
});
