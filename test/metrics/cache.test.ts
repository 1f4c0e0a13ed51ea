import { gunzipSync } from "node:zlib";
import { Gauge, Registry } from "prom-client";
import { describe, expect, it } from "vitest";
import { MetricsCache } from "../../src/metrics/cache.js";
import { createExporterMetrics } from "../../src/metrics/exporter-metrics.js";
import type { KeyStore } from "../../src/model.js";
import { StateStore } from "../../src/state/state.js";
import { keyStore } from "../helpers/stores.js";

const TARGET = {
  key: "111111111111/us-east-1",
  accountId: "111111111111",
  accountName: "prod",
  region: "us-east-1",
};

function store(id: string): KeyStore {
  return keyStore({ id, name: id, creationTimeSeconds: undefined, cloudHsmClusterId: "" });
}

function setUp() {
  const state = new StateStore();
  state.setTargets([TARGET]);
  state.recordSuccess(TARGET.key, [store("cks-1")], 1_800_000_000_000, 10);
  const registry = new Registry();
  return { state, registry, cache: new MetricsCache(state, registry, "1m") };
}

const text = async (cache: MetricsCache) => (await cache.render()).textParts.join("");

describe("MetricsCache", () => {
  it("reuses the rendered store part until a store list changes", async () => {
    const { state, cache } = setUp();
    const first = (await cache.render()).textParts[0];
    state.recordSuccess(TARGET.key, [store("cks-1")], 1_800_000_060_000, 10);
    expect((await cache.render()).textParts[0]).toBe(first);
    state.recordSuccess(TARGET.key, [store("cks-2")], 1_800_000_120_000, 10);
    const next = (await cache.render()).textParts[0];
    expect(next).not.toBe(first);
    expect(String(next)).toContain('custom_key_store_id="cks-2"');
  });

  it("quotes a new interval in the HELP texts, and keeps its cache for the same one", async () => {
    const { cache } = setUp();
    const first = (await cache.render()).textParts[0];
    cache.setIntervalText("1m");
    expect((await cache.render()).textParts[0]).toBe(first);
    cache.setIntervalText("5m");
    const rendered = await text(cache);
    expect(rendered).toContain("every 5m");
    expect(rendered).not.toContain("every 1m");
  });

  it("renders the target gauges anew after every poll", async () => {
    const { state, cache } = setUp();
    expect(await text(cache)).toContain(
      'kms_keystore_exporter_target_last_success_timestamp_seconds{account_id="111111111111",region="us-east-1"} 1800000000\n',
    );
    state.recordSuccess(TARGET.key, [store("cks-1")], 1_800_000_060_000, 10);
    expect(await text(cache)).toContain(
      'kms_keystore_exporter_target_last_success_timestamp_seconds{account_id="111111111111",region="us-east-1"} 1800000060\n',
    );
  });

  it("writes prom-client's NaN the standard way and touches nothing else", async () => {
    const { registry, cache } = setUp();
    new Gauge({ name: "odd_value", help: "Nanny state, Nan words.", registers: [registry] }).set(
      Number.NaN,
    );
    const rendered = await text(cache);
    expect(rendered).toContain("\nodd_value NaN\n");
    expect(rendered).toContain("# HELP odd_value Nanny state, Nan words.\n");
  });

  it("serves the same text gzipped", async () => {
    const { registry, cache } = setUp();
    new Gauge({ name: "tail_gauge", help: "In the tail.", registers: [registry] }).set(3);
    const rendered = await cache.render();
    const gzipped = Buffer.concat(await rendered.gzipParts());
    expect(gunzipSync(gzipped).toString("utf8")).toBe(rendered.textParts.join(""));
  });
});

describe("MetricsCache with the exporter's own metrics", () => {
  it("serves every one of them after the store and target families", async () => {
    const state = new StateStore();
    const metrics = createExporterMetrics({ version: "1.0.0", revision: "abc" });
    // The per-target counters are rendered by hand and served with their registry.
    const rendered = await text(new MetricsCache(state, metrics.registry, "1m"));
    for (const name of [
      "kms_keystore_exporter_build_info",
      "kms_keystore_exporter_poll_interval_seconds",
      "kms_keystore_exporter_api_requests_total",
      "kms_keystore_exporter_api_request_errors_total",
      "kms_keystore_exporter_target_poll_errors_total",
      "kms_keystore_exporter_rate_limit_wait_seconds_total",
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

  it("labels the shard gauge by shard", async () => {
    const metrics = createExporterMetrics({ version: "1.0.0", revision: "abc" });
    metrics.shardTargets.set({ shard: "0" }, 12);
    expect(await metrics.registry.metrics()).toContain(
      'kms_keystore_exporter_shard_targets{shard="0"} 12',
    );
  });
});
