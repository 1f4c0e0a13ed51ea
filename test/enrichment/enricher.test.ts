import { describe, expect, it } from "vitest";
import { createEnricher, type EnrichRound } from "../../src/enrichment/enricher.js";
import { EnrichmentStore } from "../../src/enrichment/state.js";
import { createLogger } from "../../src/log/logger.js";
import { createExporterMetrics } from "../../src/metrics/exporter-metrics.js";
import { type KeyStore, targetKey } from "../../src/model.js";
import { enrich as enrichWith } from "../helpers/enrich.js";

const TARGET = {
  key: targetKey("111111111111", "us-east-1"),
  accountId: "111111111111",
  accountName: undefined,
  region: "us-east-1",
};
const HSM_STORE = {
  id: "cks-1",
  name: "one",
  type: "AWS_CLOUDHSM",
  state: "CONNECTED",
  cloudHsmClusterId: "cluster-a",
} as KeyStore;

function setUp(answers: (Error | object)[], intervalMs = 0) {
  const clock = { ms: 5_000 };
  const enrichment = new EnrichmentStore();
  const metrics = createExporterMetrics({ version: "test", revision: "test" });
  const levels: string[] = [];
  const logger = createLogger("debug", "json", {
    write: (line: string) => levels.push(JSON.parse(line).level),
  } as unknown as NodeJS.WritableStream);
  const enrich = createEnricher({ enrichment, metrics, logger, now: () => clock.ms });
  const session = {
    cloudHsmClient: () => ({
      describeClusters: async () => {
        const answer = answers.shift() ?? new Error("no answer left");
        if (answer instanceof Error) throw answer;
        return answer;
      },
    }),
    cloudWatchClient: () => {
      throw new Error("XKS is off in these rounds");
    },
  } as unknown as EnrichRound["session"];
  const round = (cloudhsm: boolean): EnrichRound => ({
    target: TARGET,
    session,
    stores: [HSM_STORE],
    enrich: enrichWith({ intervalMs, cloudhsm }),
    timeoutMs: 1_000,
    signal: new AbortController().signal,
  });
  return { enrichment, metrics, levels, enrich, round, clock, answers };
}

const denied = () =>
  Object.assign(new Error("denied"), {
    name: "CloudHsmAccessDeniedException",
    $metadata: { httpStatusCode: 400 },
  });

describe("the enricher", () => {
  it("keeps the last clusters through failures, warns once per new error, and forgets them when turned off", async () => {
    const cluster = { ClusterId: "cluster-a", State: "ACTIVE", Hsms: [] };
    const { enrichment, levels, enrich, round, metrics } = setUp([
      { Clusters: [cluster] },
      denied(),
      denied(),
      { Clusters: [cluster] },
    ]);
    await enrich(round(true));
    await enrich(round(true));
    await enrich(round(true));
    expect([...enrichment.entries()][0]?.cloudhsm?.value.map((c) => c.id)).toEqual(["cluster-a"]);
    expect(levels.filter((level) => level === "warn")).toHaveLength(1);
    await enrich(round(true));
    expect(levels.filter((level) => level === "info")).toHaveLength(1);
    const { values } = await metrics.apiRequestErrors.get();
    expect(values.map((v) => [v.labels.operation, v.labels.error, v.value])).toEqual([
      ["DescribeClusters", "CloudHsmAccessDeniedException", 2],
    ]);
    await enrich(round(false));
    expect([...enrichment.entries()][0]?.cloudhsm).toBeUndefined();
  });

  it("runs once per enrich.interval and target, failed rounds included, and again when turned back on", async () => {
    const cluster = { ClusterId: "cluster-a", State: "ACTIVE", Hsms: [] };
    const answers = [denied(), { Clusters: [cluster] }, { Clusters: [cluster] }];
    const { enrichment, enrich, round, clock } = setUp(answers, 300_000);
    await enrich(round(true));
    clock.ms += 60_000;
    await enrich(round(true));
    // The denied round waited for the interval like any other: no cluster yet.
    expect(answers).toHaveLength(2);
    expect([...enrichment.entries()]).toEqual([]);
    // Due within a tenth of the interval: polls drift by their own duration.
    clock.ms += 240_000 - 10_000;
    await enrich(round(true));
    expect(answers).toHaveLength(1);
    expect([...enrichment.entries()][0]?.cloudhsm?.value).toHaveLength(1);
    await enrich(round(false));
    await enrich(round(true));
    expect(answers).toHaveLength(0);
  });
});

describe("the enricher's schedule", () => {
  const CLUSTERS = { Clusters: [{ ClusterId: "cluster-a", State: "ACTIVE", Hsms: [] }] };

  function scheduled() {
    let clock = 0;
    let calls = 0;
    const enrichment = new EnrichmentStore();
    const enrichTarget = createEnricher({
      enrichment,
      metrics: createExporterMetrics({ version: "test", revision: "test" }),
      logger: createLogger("silent", "json"),
      now: () => clock,
    });
    const session = {
      cloudHsmClient: () => ({
        describeClusters: async () => {
          calls++;
          return CLUSTERS;
        },
      }),
    } as unknown as EnrichRound["session"];
    const round = (overrides: Partial<EnrichRound> = {}): EnrichRound => ({
      target: TARGET,
      session,
      stores: [HSM_STORE],
      enrich: enrichWith({ cloudhsm: true, intervalMs: 300_000 }),
      timeoutMs: 1_000,
      signal: new AbortController().signal,
      ...overrides,
    });
    return {
      enrichment,
      enrichTarget,
      round,
      calls: () => calls,
      at: (ms: number) => {
        clock = ms;
      },
    };
  }

  it("runs an enrichment at most once per enrich.interval, polls drifting by a tenth", async () => {
    const { enrichTarget, round, calls, at } = scheduled();
    await enrichTarget(round());
    at(60_000);
    await enrichTarget(round());
    expect(calls()).toBe(1);
    at(270_000);
    await enrichTarget(round());
    expect(calls()).toBe(2);
    at(300_000);
    await enrichTarget(round());
    expect(calls()).toBe(2);
  });

  it("starts again at once when an enrichment is turned off and on", async () => {
    const { enrichTarget, round, calls, at } = scheduled();
    await enrichTarget(round());
    at(1_000);
    await enrichTarget(round({ enrich: enrichWith({ cloudhsm: false, intervalMs: 300_000 }) }));
    at(2_000);
    await enrichTarget(round());
    expect(calls()).toBe(2);
  });

  it("publishes no key calls for a target without stores, and drops the keys when turned off", async () => {
    const { enrichment, enrichTarget, round } = scheduled();
    const keys = enrichWith({ keys: true });
    await enrichTarget(round({ stores: [], enrich: keys }));
    await enrichTarget.settled();
    expect(enrichment.get(TARGET.key)?.keys).toMatchObject({ value: [], undescribed: 0 });
    await enrichTarget(round({ stores: [], enrich: enrichWith({ keys: false }) }));
    expect(enrichment.get(TARGET.key)?.keys).toBeUndefined();
  });
});
