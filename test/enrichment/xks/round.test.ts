import { describe, expect, it } from "vitest";
import {
  fetchXksHealth,
  planXksQueries,
  toXksHealth,
  xksStoreIdsOf,
  xksWindow,
} from "../../../src/enrichment/xks/round.js";
import type { KeyStore } from "../../../src/model.js";
import { keyStore } from "../../helpers/stores.js";

const store = (id: string, type: string): KeyStore =>
  keyStore({ id, name: id, type, creationTimeSeconds: undefined, cloudHsmClusterId: "" });

const result = (value: number | undefined, statusCode = "Complete") => ({
  value,
  newestMs: 0,
  statusCode,
});

describe("XKS queries", () => {
  it("asks 8 queries per external key store, with positional ids and the store dimension", () => {
    const planned = planXksQueries(["cks-1", "cks-2"]);
    expect(planned).toHaveLength(16);
    expect(planned.map((p) => p.query.Id)).toEqual(planned.map((_, index) => `q${index}`));
    const errors = planned.filter(
      (p) => p.query.MetricStat?.Metric?.MetricName === "XksProxyErrors",
    );
    expect(errors[0]?.query.MetricStat).toMatchObject({
      Stat: "Sum",
      Period: 300,
      Metric: {
        Namespace: "AWS/KMS",
        Dimensions: [
          { Name: "CustomKeyStoreId", Value: "cks-1" },
          { Name: "ErrorType", Value: "Retryable errors" },
        ],
      },
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

  it("converts milliseconds, zero-fills errors only in complete answers, and reports the rest", () => {
    const planned = planXksQueries(["cks-1"]);
    const byKind = (kind: string) => planned.filter((p) => p.field.kind === kind);
    const results = new Map<string, ReturnType<typeof result>>();
    results.set(byKind("latency")[0]?.query.Id as string, result(250));
    results.set(byKind("certificate")[0]?.query.Id as string, result(3));
    results.set(byKind("errors")[0]?.query.Id as string, result(undefined));
    results.set(byKind("errors")[1]?.query.Id as string, result(undefined, "InternalError"));
    results.set(byKind("managers")[1]?.query.Id as string, result(2, "PartialData"));
    const incomplete: string[] = [];
    const [health] = toXksHealth(planned, results, (code) => incomplete.push(code));
    expect(health).toEqual({
      storeId: "cks-1",
      certificateDaysToExpire: 3,
      credentialAgeDays: undefined,
      latencySeconds: 0.25,
      errors: { "Retryable errors": 0 },
      externalKeyManagers: { Degraded: 2 },
    });
    // Missing: credential age, Active and Unavailable (no result at all).
    expect(incomplete.sort()).toEqual([
      "InternalError",
      "Missing",
      "Missing",
      "Missing",
      "PartialData",
    ]);
  });

  it("gives all the calls of a round one deadline, not one each", async () => {
    const slow = {
      send: (_command: unknown, { abortSignal }: { abortSignal: AbortSignal }) =>
        new Promise<never>((resolve, reject) => {
          const timer = setTimeout(
            () => resolve({ $metadata: {}, MetricDataResults: [] } as never),
            150,
          );
          abortSignal.addEventListener("abort", () => {
            clearTimeout(timer);
            reject(abortSignal.reason);
          });
        }),
    };
    const ids = Array.from({ length: 63 }, (_, index) => `cks-${index}`);
    const attempts: string[] = [];
    await expect(
      fetchXksHealth(slow, ids, {
        signal: new AbortController().signal,
        timeoutMs: 250,
        maxPages: 10,
        now: Date.now,
        onAttempt: (event) => attempts.push(event.error?.name ?? "ok"),
        onIncomplete: () => {},
      }),
    ).rejects.toMatchObject({ errorName: "TimeoutError" });
    // The first call (500 queries) took 150 ms of the 250; the second ran out of the rest.
    expect(attempts).toEqual(["ok", "TimeoutError"]);
  });
});
