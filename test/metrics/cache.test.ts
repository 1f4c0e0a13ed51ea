import { gunzipSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import { enrichmentSection } from "../../src/enrichment/series.js";
import { EnrichmentStore } from "../../src/enrichment/state.js";
import { MetricsCache } from "../../src/metrics/cache.js";
import { createExporterMetrics } from "../../src/metrics/exporter-metrics.js";
import { type DeflatedPart, deflatePart } from "../../src/metrics/gzip-splice.js";
import { MEMBERS_PER_CHUNK } from "../../src/metrics/section.js";
import { exporterSources } from "../../src/metrics/sources.js";
import type { KeyStore, Target } from "../../src/model.js";
import { StateStore } from "../../src/state/state.js";
import { plainText } from "../helpers/exposition.js";
import { keyStore, target } from "../helpers/stores.js";

const TARGET = target("111111111111", "us-east-1", "prod");

function store(id: string): KeyStore {
  return keyStore({ id, name: id, creationTimeSeconds: undefined, cloudHsmClusterId: "" });
}

/** Bytes handed to the compressor, one entry per call. */
function countingDeflate(): { calls: Buffer[]; deflate: (data: Buffer) => Promise<DeflatedPart> } {
  const calls: Buffer[] = [];
  return {
    calls,
    deflate: (data) => {
      calls.push(data);
      return deflatePart(data);
    },
  };
}

function setUp(targets: Target[] = [TARGET]) {
  const state = new StateStore();
  state.setTargets(targets);
  for (const [index, each] of targets.entries()) {
    state.recordSuccess(each.key, [store(`cks-${index}`)], 1_800_000_000_000, 10);
  }
  const metrics = createExporterMetrics({ version: "1.0.0", revision: "abc" });
  const counting = countingDeflate();
  const cache = new MetricsCache({
    ...exporterSources(state, metrics),
    // A fixed text stands for prom-client's defaults, which move with every scrape.
    processText: async () => "process_fixed 1\n",
    deflate: counting.deflate,
  });
  return { state, metrics, cache, calls: counting.calls };
}

const text = async (cache: MetricsCache) => plainText(await cache.render());
const gunzipped = async (cache: MetricsCache) =>
  gunzipSync(Buffer.concat(await (await cache.render()).gzipParts())).toString("utf8");

const manyTargets = (count: number) =>
  Array.from({ length: count }, (_, index) => target(String(100_000_000_000 + index), "us-east-1"));

describe("MetricsCache", () => {
  it("reuses the rendered store part until a store list changes", async () => {
    const { state, cache } = setUp();
    // The gzip body's header, the family's header, then the compressed info lines of the
    // (one) chunk of targets: the same buffer as long as the part is reused.
    const storePart = async () => (await (await cache.render()).gzipParts())[2];
    const first = await storePart();
    state.recordSuccess(TARGET.key, [store("cks-0")], 1_800_000_060_000, 10);
    expect(await storePart()).toBe(first);
    state.recordSuccess(TARGET.key, [store("cks-2")], 1_800_000_120_000, 10);
    expect(await storePart()).not.toBe(first);
    expect(await text(cache)).toContain('custom_key_store_id="cks-2"');
  });

  it("renders the target gauges anew after every poll", async () => {
    const { state, cache } = setUp();
    expect(await text(cache)).toContain(
      'kms_keystore_exporter_target_last_success_timestamp_seconds{account_id="111111111111",region="us-east-1"} 1800000000\n',
    );
    state.recordSuccess(TARGET.key, [store("cks-0")], 1_800_000_060_000, 10);
    expect(await text(cache)).toContain(
      'kms_keystore_exporter_target_last_success_timestamp_seconds{account_id="111111111111",region="us-east-1"} 1800000060\n',
    );
  });

  it("serves the same text gzipped, in one gzip member", async () => {
    const { metrics, cache } = setUp(manyTargets(3 * MEMBERS_PER_CHUNK + 1));
    metrics.apiRequests.inc({ account_id: "1", region: "r", operation: "o" });
    const rendered = await cache.render();
    const body = Buffer.concat(await rendered.gzipParts());
    expect(gunzipSync(body).toString("utf8")).toBe(plainText(rendered));
    expect(body.readUInt32LE(body.length - 4)).toBe(Buffer.byteLength(plainText(rendered)));
  });

  it("compresses only the parts that changed since the last scrape", async () => {
    const targets = manyTargets(3 * MEMBERS_PER_CHUNK);
    const { state, metrics, cache, calls } = setUp(targets);
    expect(await gunzipped(cache)).toBe(await text(cache));
    const firstCalls = calls.length;
    expect(firstCalls).toBeGreaterThan(10);
    calls.length = 0;
    expect(await gunzipped(cache)).toBe(await text(cache));
    expect(calls).toEqual([]);
    // One poll of one target: its chunk of the two target gauges whose values it changes
    // (not up, not account_info), and its chunk of api_requests, are all that is compressed.
    const polled = targets[MEMBERS_PER_CHUNK + 5] as Target;
    state.recordSuccess(polled.key, [store(`cks-${MEMBERS_PER_CHUNK + 5}`)], 1_800_000_060_000, 20);
    metrics.apiRequests.inc({
      account_id: polled.accountId,
      region: polled.region,
      operation: "o",
    });
    expect(await gunzipped(cache)).toBe(await text(cache));
    const changed = calls.map((part) => part.toString("utf8"));
    expect(changed).toHaveLength(3);
    for (const part of changed) expect(part).toContain(`account_id="${polled.accountId}"`);
  });

  it("gives concurrent gzip scrapes the one body being built", async () => {
    const { state, cache, calls } = setUp();
    const one = await cache.render();
    state.recordSuccess(TARGET.key, [store("cks-9")], 1_800_000_060_000, 10);
    const two = await cache.render();
    const [first, second] = await Promise.all([one.gzipParts(), two.gzipParts()]);
    expect(second).toBe(first);
    const compressed = calls.length;
    // Once built, the next scrape builds its own (with the change) and compresses it.
    const three = await (await cache.render()).gzipParts();
    expect(three).not.toBe(first);
    expect(gunzipSync(Buffer.concat(three)).toString()).toContain("cks-9");
    expect(calls.length).toBeGreaterThan(compressed);
  });

  it("tries a failed compression again on the next scrape", async () => {
    const state = new StateStore();
    let fail = true;
    const cache = new MetricsCache({
      ...exporterSources(state, createExporterMetrics({ version: "1", revision: "a" })),
      processText: async () => "",
      deflate: (data) => (fail ? Promise.reject(new Error("zlib broke")) : deflatePart(data)),
    });
    await expect((await cache.render()).gzipParts()).rejects.toThrow("zlib broke");
    fail = false;
    expect(await gunzipped(cache)).toBe(await text(cache));
  });
});

describe("MetricsCache across changes", () => {
  /** Deterministic, so that a failure replays. */
  function random(seed: number): () => number {
    let value = seed;
    return () => {
      value = (value * 1_103_515_245 + 12_345) % 2 ** 31;
      return value / 2 ** 31;
    };
  }

  it("serves after every change exactly what a fresh cache renders from the same state, plain and gzip", async () => {
    const next = random(7);
    const pick = <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)] as T;
    // Three regions per account, so that which target holds account_info can change.
    const all = Array.from({ length: 3 * MEMBERS_PER_CHUNK }, (_, index) =>
      target(String(200_000_000_000 + Math.floor(index / 3)), `region-${index % 3}`, "name-0"),
    );
    let targets = all;
    const state = new StateStore();
    state.setTargets(targets);
    // Every target with stores, so that a change renders a chunk whose other members are
    // copied from parts kept compressed.
    for (const each of targets)
      state.recordSuccess(each.key, [store("cks-0")], 1_800_000_000_000, 10);
    const enrichment = new EnrichmentStore();
    const metrics = createExporterMetrics({ version: "1.0.0", revision: "abc" });
    const sources = {
      ...exporterSources(state, metrics, [enrichmentSection(enrichment)]),
      processText: async () => "",
    };
    const cache = new MetricsCache(sources);
    const changes: (() => void)[] = [
      () => {
        const each = pick(targets);
        const stores = next() < 0.5 ? [] : [store(`cks-${Math.floor(next() * 3)}`)];
        state.recordSuccess(each.key, stores, 1_800_000_000_000 + Math.floor(next() * 1e6), 10);
      },
      () => state.recordFailure(pick(targets).key, { name: "AccessDenied", message: "no" }, 5),
      () => state.dropStores(pick(targets).key),
      () => {
        const each = pick(targets);
        metrics.apiRequests.inc({
          account_id: each.accountId,
          region: each.region,
          operation: "o",
        });
      },
      () => {
        const at = Math.floor(next() * 1e6);
        enrichment.setClusters(
          pick(targets),
          [{ id: `c-${at % 2}`, state: "ACTIVE", hsms: { ACTIVE: 2 }, activeAvailabilityZones: 2 }],
          at,
        );
      },
      () => enrichment.drop(pick(targets).key, "cloudhsm"),
      () => {
        // A reload: some targets go (an account's first among them), the rest are renamed.
        const name = `name-${Math.floor(next() * 3)}`;
        targets = all
          .filter(() => next() < 0.8)
          .map((each) => target(each.accountId, each.region, name));
        state.setTargets(targets);
        enrichment.retain(new Set(targets.map((each) => each.key)));
      },
    ];
    for (let step = 0; step < 300; step++) {
      const count = 1 + Math.floor(next() * 4);
      for (let change = 0; change < count; change++) pick(changes)();
      const expected = await text(new MetricsCache(sources));
      // A gzip scrape leaves the store parts compressed only: the plain scrape after it and
      // the next change's render read them back inflated.
      if (next() < 0.5) expect(await gunzipped(cache), `step ${step} gzip`).toBe(expected);
      expect(await text(cache), `step ${step}`).toBe(expected);
    }
  });
});

describe("MetricsCache with the exporter's own metrics", () => {
  it("serves every one of them after the store and target families", async () => {
    const state = new StateStore();
    const metrics = createExporterMetrics({ version: "1.0.0", revision: "abc" });
    const rendered = await text(new MetricsCache(exporterSources(state, metrics)));
    for (const name of [
      "kms_keystore_exporter_build_info",
      "kms_keystore_exporter_poll_interval_seconds",
      "kms_keystore_exporter_api_requests_total",
      "kms_keystore_exporter_api_request_errors_total",
      "kms_keystore_exporter_target_poll_errors_total",
      "kms_keystore_exporter_rate_limit_wait_seconds_total",
      "kms_keystore_exporter_cloudwatch_incomplete_results_total",
      "kms_keystore_exporter_shard_targets",
      "kms_keystore_exporter_config_last_reload_successful",
      "kms_keystore_exporter_config_last_reload_success_timestamp_seconds",
      "kms_keystore_exporter_discovery_accounts",
      "kms_keystore_exporter_discovery_refresh_failures_total",
      "kms_keystore_exporter_discovery_last_success_timestamp_seconds",
      "process_cpu_seconds_total",
    ]) {
      expect(rendered, name).toMatch(new RegExp(`^# TYPE ${name} (gauge|counter)$`, "m"));
    }
    expect(rendered.indexOf("kms_keystore_exporter_build_info")).toBeGreaterThan(
      rendered.indexOf("kms_keystore_exporter_target_up"),
    );
  });

  it("lists the store and target families with no target at all", async () => {
    const rendered = await text(
      new MetricsCache(
        exporterSources(new StateStore(), createExporterMetrics({ version: "1", revision: "a" })),
      ),
    );
    expect(rendered).toContain("# TYPE aws_kms_custom_key_store_connection_state gauge\n");
    expect(rendered).toContain("# TYPE kms_keystore_exporter_target_up gauge\n");
  });

  it("labels the shard gauge by shard, and a reset drops the old shard's series", async () => {
    const metrics = createExporterMetrics({ version: "1.0.0", revision: "abc" });
    const cache = new MetricsCache(exporterSources(new StateStore(), metrics));
    metrics.shardTargets.set({ shard: "0" }, 12);
    expect(await text(cache)).toContain('kms_keystore_exporter_shard_targets{shard="0"} 12\n');
    metrics.shardTargets.reset();
    metrics.shardTargets.set({ shard: "1" }, 3);
    const after = await text(cache);
    expect(after).toContain('kms_keystore_exporter_shard_targets{shard="1"} 3\n');
    expect(after).not.toContain('shard="0"');
  });
});
