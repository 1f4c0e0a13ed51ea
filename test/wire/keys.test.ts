import { describe, expect, it } from "vitest";
import { createLogger } from "../../src/log/logger.js";
import { pollOnce } from "../../src/once.js";
import { renderTable } from "../../src/status/table.js";
import { enrich } from "../helpers/enrich.js";
import { runExporter, testConfig } from "../helpers/exporter.js";
import { type Sample, samplesNamed, sampleValue } from "../helpers/exposition.js";
import { FAKE_CREDENTIALS, simulate } from "../helpers/simulator.js";
import { until } from "../helpers/wait.js";

const ACCOUNT = "111111111111";
const REGION = "us-east-1";
const STORE = "cks-0000000000000aaaa";
const LABELS = { account_id: ACCOUNT, region: REGION };
const STORE_LABELS = { ...LABELS, custom_key_store_id: STORE };

function scenario(state: string, keys: string): string {
  return `
defaultAccountId: "${ACCOUNT}"
accounts:
  - id: "${ACCOUNT}"
    regions:
      - region: ${REGION}
        stores:
          - {id: ${STORE}, name: hsm, state: ${state}, cloudHsmClusterId: cluster-1a23b4cdefg}
        keys:
${keys.replace(/^/gm, "          ")}
`;
}

const ACCEPTANCE_KEYS = `- {store: ${STORE}, state: Enabled, count: 5}
- {store: ${STORE}, state: Disabled, count: 2}
- {store: ${STORE}, state: PendingDeletion}
- {state: Enabled, count: 20}`;

/** Fast rounds: a poll every 200 ms, the inventory after each, buckets opened up. */
const FAST = {
  intervalMs: 200,
  timeoutMs: 2_000,
  enrich: enrich({ keys: true, keysRateLimit: { listKeys: 500, describeKey: 2_000 } }),
};

async function scrapeUntil(
  scrape: () => Promise<Sample[]>,
  ready: (samples: Sample[]) => boolean,
): Promise<Sample[]> {
  let samples: Sample[] = [];
  await until(async () => {
    samples = await scrape();
    return ready(samples);
  });
  return samples;
}

const keys = (samples: Sample[], state: string, name = "aws_kms_custom_key_store_keys") =>
  sampleValue(samples, name, { ...STORE_LABELS, key_state: state });

describe("enrich.keys against the simulator", () => {
  it("counts a store's keys by state, and after the store fails, the blast radius", async () => {
    const { simulator, scrape } = await runExporter(scenario("CONNECTED", ACCEPTANCE_KEYS), FAST);
    let samples = await scrapeUntil(scrape, (s) => keys(s, "Enabled") === 5);
    expect(keys(samples, "Disabled")).toBe(2);
    expect(keys(samples, "PendingDeletion")).toBe(1);
    expect(samplesNamed(samples, "aws_kms_custom_key_store_keys")).toHaveLength(3);
    const last = (state: string) =>
      keys(samples, state, "aws_kms_custom_key_store_keys_last_available");
    expect([last("Enabled"), last("Disabled"), last("PendingDeletion")]).toEqual([5, 2, 1]);
    expect(
      sampleValue(samples, "kms_keystore_exporter_key_inventory_undescribed_keys", LABELS),
    ).toBe(0);
    expect(
      sampleValue(samples, "kms_keystore_exporter_enrichment_last_success_timestamp_seconds", {
        ...LABELS,
        enrichment: "keys",
      }),
    ).toBeGreaterThan(0);

    simulator.setStores(ACCOUNT, REGION, [
      { id: STORE, name: "hsm", state: "FAILED", errorCode: "NETWORK_ERRORS" },
    ]);
    samples = await scrapeUntil(scrape, (s) => keys(s, "Unavailable") === 7);
    expect(keys(samples, "PendingDeletion")).toBe(1);
    expect(keys(samples, "Enabled")).toBeUndefined();
    expect([last("Enabled"), last("Disabled"), last("PendingDeletion")]).toEqual([5, 2, 1]);
    expect(last("Unavailable")).toBeUndefined();

    // Every round lists the keys once and describes only the 8 keys known to be in the store.
    await until(() => simulator.callCount({ operation: "ListKeys" }) >= 4);
    const calls = simulator.calls.filter(
      (call) => call.operation === "ListKeys" || call.operation === "DescribeKey",
    );
    const rounds: number[] = [];
    for (const call of calls) {
      if (call.operation === "ListKeys") rounds.push(0);
      else rounds[rounds.length - 1] = (rounds.at(-1) ?? 0) + 1;
    }
    expect(rounds[0]).toBe(28);
    // The last round may still be running.
    expect(rounds.slice(1, -1)).toEqual(Array(rounds.length - 2).fill(8));
    expect(
      sampleValue(samples, "kms_keystore_exporter_api_requests_total", {
        ...LABELS,
        operation: "ListKeys",
      }),
    ).toBeGreaterThanOrEqual(2);
  });

  it("counts keys whose DescribeKey a key policy denies as undescribed, and keeps the target up", async () => {
    const { scrape } = await runExporter(
      scenario(
        "CONNECTED",
        `- {store: ${STORE}, state: Enabled, count: 3}
- {store: ${STORE}, denyDescribeKey: true}
- {denyDescribeKey: true}
- {count: 4}`,
      ),
      FAST,
    );
    const samples = await scrapeUntil(scrape, (s) => keys(s, "Enabled") === 3);
    expect(
      sampleValue(samples, "kms_keystore_exporter_key_inventory_undescribed_keys", LABELS),
    ).toBe(2);
    expect(sampleValue(samples, "kms_keystore_exporter_target_up", LABELS)).toBe(1);
    expect(
      sampleValue(samples, "aws_kms_custom_key_store_connection_state", {
        ...STORE_LABELS,
        state: "CONNECTED",
      }),
    ).toBe(1);
    expect(
      sampleValue(samples, "kms_keystore_exporter_api_request_errors_total", {
        ...LABELS,
        operation: "DescribeKey",
        error: "AccessDeniedException",
      }),
    ).toBeGreaterThanOrEqual(2);
  });

  it("forgets keys that vanished from ListKeys", async () => {
    const { simulator, scrape } = await runExporter(scenario("CONNECTED", ACCEPTANCE_KEYS), FAST);
    await scrapeUntil(scrape, (s) => keys(s, "Enabled") === 5);
    simulator.setKeys(ACCOUNT, REGION, [{ store: STORE, state: "Enabled", count: 2 }]);
    const samples = await scrapeUntil(scrape, (s) => keys(s, "Enabled") === 2);
    expect(keys(samples, "Disabled")).toBeUndefined();
    expect(samplesNamed(samples, "aws_kms_custom_key_store_keys_last_available")).toHaveLength(1);
  });

  it("keeps polling the stores on schedule while a slow first inventory runs", async () => {
    const { simulator, scrape } = await runExporter(
      scenario("CONNECTED", `- {store: ${STORE}, count: 2}\n- {count: 60}`),
      { ...FAST, enrich: enrich({ keys: true, keysRateLimit: { listKeys: 5, describeKey: 1 } }) },
    );
    // 62 keys at one DescribeKey a second: a minute's inventory; the polls do not wait for it.
    await until(() => simulator.callCount({ operation: "DescribeCustomKeyStores" }) >= 5);
    expect(simulator.callCount({ operation: "DescribeKey" })).toBeLessThan(62);
    const samples = await scrape();
    expect(samplesNamed(samples, "aws_kms_custom_key_store_keys")).toHaveLength(0);
    expect(sampleValue(samples, "kms_keystore_exporter_target_up", LABELS)).toBe(1);
  });

  it("keeps the last counts when ListKeys fails, and counts the error", async () => {
    const { simulator, scrape } = await runExporter(
      `
defaultAccountId: "${ACCOUNT}"
accounts:
  - id: "${ACCOUNT}"
    regions:
      - region: ${REGION}
        stores:
          - {id: ${STORE}, name: hsm, state: CONNECTED}
        keys:
          - {store: ${STORE}, count: 2}
        faults:
          - {kind: internal-error, operation: ListKeys, calls: [2, 3]}
`,
      FAST,
    );
    const samples = await scrapeUntil(
      scrape,
      (s) =>
        sampleValue(s, "kms_keystore_exporter_api_request_errors_total", {
          ...LABELS,
          operation: "ListKeys",
          error: "KMSInternalException",
        }) === 2,
    );
    expect(keys(samples, "Enabled")).toBe(2);
    expect(simulator.callCount({ operation: "ListKeys" })).toBeGreaterThanOrEqual(3);
  });

  it("--once waits for the key inventory and names the keys of each store that is down", async () => {
    const simulator = await simulate(scenario("FAILED", ACCEPTANCE_KEYS));
    const config = testConfig({ enrich: enrich({ keys: true }), logLevel: "silent" });
    const { report, complete } = await pollOnce(
      config,
      {
        endpoint: simulator.url,
        baseCredentials: async () => FAKE_CREDENTIALS,
        connectTimeoutMs: 1_000,
        requestTimeoutMs: config.timeoutMs,
      },
      createLogger("silent", "json"),
    );
    expect(complete).toBe(true);
    expect(report.stores[0]?.keys?.text).toBe(
      "8 keys (0 Enabled before it went down, 7 never seen available)",
    );
    expect(report.summary).toMatchObject({ keysAffected: 8, enabledKeysAffected: 0 });
    const table = renderTable(report, complete);
    expect(table).toContain("8 keys in stores not CONNECTED (0 Enabled before they went down)");
    expect(table).toMatch(/KEYS\n.*8 keys \(0 Enabled/);
  });
});
