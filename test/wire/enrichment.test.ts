import { describe, expect, it } from "vitest";
import { enrich } from "../helpers/enrich.js";
import { runExporter } from "../helpers/exporter.js";
import { type Sample, samplesNamed, sampleValue } from "../helpers/exposition.js";

const ACCOUNT = "111111111111";
const LABELS = { account_id: ACCOUNT, region: "us-east-1" };

function scenario(regionYaml: string): string {
  return `
defaultAccountId: "${ACCOUNT}"
accounts:
  - id: "${ACCOUNT}"
    regions:
      - region: us-east-1
${regionYaml.replace(/^/gm, "        ")}
`;
}

/** Scrapes until `ready` holds: enrichments finish after the store poll made /readyz 200. */
async function scrapeUntil(
  scrape: () => Promise<Sample[]>,
  ready: (samples: Sample[]) => boolean,
  what: string,
): Promise<Sample[]> {
  const until = Date.now() + 20_000;
  for (;;) {
    const samples = await scrape();
    if (ready(samples)) return samples;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

const has =
  (name: string, match: Record<string, string> = {}) =>
  (samples: Sample[]) =>
    samplesNamed(samples, name, match).length > 0;

const storesOf = (samples: Sample[]) =>
  samplesNamed(samples, "aws_kms_custom_key_store_connection_state", { state: "CONNECTED" })
    .map((sample) => `${sample.labels.custom_key_store_id}=${sample.value}`)
    .sort();

const CLUSTERS = `pageSize: 1
stores:
  - {id: cks-hsm-one, name: one, type: AWS_CLOUDHSM, state: CONNECTED, cloudHsmClusterId: cluster-one}
  - {id: cks-hsm-two, name: two, type: AWS_CLOUDHSM, state: CONNECTED, cloudHsmClusterId: cluster-one}
  - {id: cks-hsm-degraded, name: three, type: AWS_CLOUDHSM, state: FAILED, errorCode: INSUFFICIENT_CLOUDHSM_HSMS, cloudHsmClusterId: cluster-degraded}
  - {id: cks-hsm-default, name: four, type: AWS_CLOUDHSM, state: CONNECTED, cloudHsmClusterId: cluster-healthy}
  - {id: cks-xks, name: five, type: EXTERNAL_KEY_STORE, state: CONNECTED}
clusters:
  - id: cluster-one
    hsms: [{availabilityZone: us-east-1a}]
  - id: cluster-degraded
    state: DEGRADED
    hsms:
      - {availabilityZone: us-east-1a, state: DEGRADED}
      - {availabilityZone: us-east-1b, state: ACTIVE}
      - {availabilityZone: us-east-1b, state: ACTIVE}
      - {availabilityZone: us-east-1c, state: CREATE_IN_PROGRESS}
  - id: cluster-not-behind-a-store
    hsms: [{availabilityZone: us-east-1a}]
`;

describe("CloudHSM enrichment against the simulator", () => {
  it("describes the clusters behind the stores, all pages, once a round, as the simulator has them", async () => {
    const { simulator, scrape } = await runExporter(scenario(CLUSTERS), {
      enrich: enrich({ cloudhsm: true, xks: false }),
    });
    const samples = await scrapeUntil(
      scrape,
      has("aws_kms_cloudhsm_cluster_state"),
      "cluster series",
    );
    // Three clusters behind stores, one per page: one DescribeClusters of three pages.
    expect(simulator.callCount({ operation: "DescribeClusters" })).toBe(3);
    expect(
      sampleValue(samples, "kms_keystore_exporter_api_requests_total", {
        ...LABELS,
        operation: "DescribeClusters",
      }),
    ).toBe(3);
    const clusterIds = new Set(
      samplesNamed(samples, "aws_kms_cloudhsm_cluster_state").map(
        (sample) => sample.labels.cloud_hsm_cluster_id,
      ),
    );
    expect([...clusterIds].sort()).toEqual(["cluster-degraded", "cluster-healthy", "cluster-one"]);
    const value = (name: string, cluster: string, extra: Record<string, string> = {}) =>
      sampleValue(samples, name, { ...LABELS, cloud_hsm_cluster_id: cluster, ...extra });

    expect(value("aws_kms_cloudhsm_cluster_state", "cluster-degraded", { state: "DEGRADED" })).toBe(
      1,
    );
    expect(value("aws_kms_cloudhsm_cluster_state", "cluster-degraded", { state: "ACTIVE" })).toBe(
      0,
    );
    expect(value("aws_kms_cloudhsm_cluster_hsms", "cluster-degraded", { state: "ACTIVE" })).toBe(2);
    expect(value("aws_kms_cloudhsm_cluster_hsms", "cluster-degraded", { state: "DEGRADED" })).toBe(
      1,
    );
    expect(
      value("aws_kms_cloudhsm_cluster_hsms", "cluster-degraded", { state: "CREATE_IN_PROGRESS" }),
    ).toBe(1);
    // Two ACTIVE HSMs, both in us-east-1b: one zone.
    expect(value("aws_kms_cloudhsm_cluster_active_availability_zones", "cluster-degraded")).toBe(1);
    expect(value("aws_kms_cloudhsm_cluster_hsms", "cluster-one", { state: "ACTIVE" })).toBe(1);
    expect(value("aws_kms_cloudhsm_cluster_active_availability_zones", "cluster-one")).toBe(1);
    expect(value("aws_kms_cloudhsm_cluster_hsms", "cluster-healthy", { state: "ACTIVE" })).toBe(2);
    expect(value("aws_kms_cloudhsm_cluster_active_availability_zones", "cluster-healthy")).toBe(2);
    // Every known state is a series, so alerts can test ACTIVE = 0.
    expect(
      samplesNamed(samples, "aws_kms_cloudhsm_cluster_state", {
        cloud_hsm_cluster_id: "cluster-one",
      }),
    ).toHaveLength(11);
    expect(simulator.callCount({ operation: "GetMetricData" })).toBe(0);
  });

  it("counts a denied DescribeClusters and leaves the store series as they are", async () => {
    const { simulator, scrape } = await runExporter(
      scenario(`${CLUSTERS}faults: [{operation: DescribeClusters, kind: access-denied}]`),
      { enrich: enrich({ cloudhsm: true, xks: false }) },
    );
    const errors = {
      ...LABELS,
      operation: "DescribeClusters",
      error: "CloudHsmAccessDeniedException",
    };
    const samples = await scrapeUntil(
      scrape,
      has("kms_keystore_exporter_api_request_errors_total", errors),
      "the DescribeClusters error",
    );
    expect(sampleValue(samples, "kms_keystore_exporter_api_request_errors_total", errors)).toBe(1);
    expect(simulator.callCount({ operation: "DescribeClusters" })).toBe(1);
    expect(sampleValue(samples, "kms_keystore_exporter_target_up", LABELS)).toBe(1);
    expect(storesOf(samples)).toEqual([
      "cks-hsm-default=1",
      "cks-hsm-degraded=0",
      "cks-hsm-one=1",
      "cks-hsm-two=1",
      "cks-xks=1",
    ]);
    expect(samplesNamed(samples, "aws_kms_cloudhsm_cluster_state")).toHaveLength(0);
    expect(
      samplesNamed(samples, "kms_keystore_exporter_target_poll_errors_total", LABELS),
    ).toHaveLength(0);
  });

  it("keeps the last clusters through failed rounds", async () => {
    // Round 1 takes calls 1-3; every later round fails at its first page.
    const LATER_CALLS = Array.from({ length: 100 }, (_, index) => index + 4).join(", ");
    const { simulator, scrape } = await runExporter(
      scenario(
        `${CLUSTERS}faults: [{operation: DescribeClusters, kind: internal-error, calls: [${LATER_CALLS}]}]`,
      ),
      { enrich: enrich({ cloudhsm: true, xks: false }), intervalMs: 300, timeoutMs: 300 },
    );
    const errors = {
      ...LABELS,
      operation: "DescribeClusters",
      error: "CloudHsmInternalFailureException",
    };
    const samples = await scrapeUntil(
      scrape,
      has("kms_keystore_exporter_api_request_errors_total", errors),
      "the failed second round",
    );
    expect(simulator.callCount({ operation: "DescribeClusters" })).toBeGreaterThanOrEqual(4);
    expect(
      sampleValue(samples, "aws_kms_cloudhsm_cluster_hsms", {
        ...LABELS,
        cloud_hsm_cluster_id: "cluster-one",
        state: "ACTIVE",
      }),
    ).toBe(1);
    expect(sampleValue(samples, "kms_keystore_exporter_target_up", LABELS)).toBe(1);
  });
});

/** 63 external key stores × 8 queries = 504 queries: two GetMetricData calls (500 + 4). */
const XKS = `pageSize: 200
generate: {count: 60, type: EXTERNAL_KEY_STORE, state: CONNECTED}
stores:
  - id: cks-xks-expiring
    name: expiring
    type: EXTERNAL_KEY_STORE
    state: CONNECTED
    xksMetrics:
      certificateDaysToExpire: 5
      credentialAgeDays: 400
      latencyMs: 180
      errors: {"Retryable errors": 12}
      externalKeyManagers: {Active: 1, Degraded: 1, Unavailable: 1}
  - id: cks-xks-broken-metrics
    name: broken
    type: EXTERNAL_KEY_STORE
    state: CONNECTED
    xksMetrics: {statusCode: InternalError}
  - {id: cks-xks-disconnected, name: off, type: EXTERNAL_KEY_STORE, state: DISCONNECTED}
  - {id: cks-hsm, name: hsm, type: AWS_CLOUDHSM, state: CONNECTED, cloudHsmClusterId: cluster-aaaaaaaaaaa}
`;

describe("XKS enrichment against the simulator", () => {
  it("batches every store into GetMetricData calls of at most 500 queries, all pages, values in base units", async () => {
    const { simulator, scrape } = await runExporter(scenario(XKS), {
      enrich: enrich({ cloudhsm: false, xks: true }),
    });
    const samples = await scrapeUntil(
      scrape,
      has("aws_kms_xks_proxy_certificate_days_to_expire"),
      "XKS series",
    );
    // 504 queries: 500 in three pages (200, 200, 100), then 4 in one.
    expect(simulator.callCount({ operation: "GetMetricData" })).toBe(4);
    expect(
      sampleValue(samples, "kms_keystore_exporter_api_requests_total", {
        ...LABELS,
        operation: "GetMetricData",
      }),
    ).toBe(4);
    const store = (id: string, extra: Record<string, string> = {}) => ({
      ...LABELS,
      custom_key_store_id: id,
      ...extra,
    });
    const expiring = "cks-xks-expiring";
    expect(
      sampleValue(samples, "aws_kms_xks_proxy_certificate_days_to_expire", store(expiring)),
    ).toBe(5);
    expect(sampleValue(samples, "aws_kms_xks_proxy_credential_age_days", store(expiring))).toBe(
      400,
    );
    expect(sampleValue(samples, "aws_kms_xks_proxy_latency_seconds", store(expiring))).toBe(0.18);
    expect(
      sampleValue(
        samples,
        "aws_kms_xks_proxy_errors",
        store(expiring, { error_type: "Retryable errors" }),
      ),
    ).toBe(12);
    expect(
      sampleValue(
        samples,
        "aws_kms_xks_proxy_errors",
        store(expiring, { error_type: "Non-retryable errors" }),
      ),
    ).toBe(0);
    for (const state of ["Active", "Degraded", "Unavailable"]) {
      expect(
        sampleValue(samples, "aws_kms_xks_external_key_managers", store(expiring, { state })),
      ).toBe(1);
    }
    // Every one of the 60 generated stores, including those in the second call, has its values.
    const days = samplesNamed(samples, "aws_kms_xks_proxy_certificate_days_to_expire");
    expect(days).toHaveLength(61);
    expect(days.filter((sample) => sample.value === 180)).toHaveLength(60);
    // A DISCONNECTED store has no CloudWatch data; a failed result is counted, not hidden.
    expect(
      samplesNamed(samples, "aws_kms_xks_proxy_latency_seconds", store("cks-xks-disconnected")),
    ).toHaveLength(0);
    expect(
      samplesNamed(samples, "aws_kms_xks_proxy_errors", store("cks-xks-broken-metrics")),
    ).toHaveLength(0);
    expect(
      sampleValue(samples, "kms_keystore_exporter_cloudwatch_incomplete_results_total", {
        ...LABELS,
        status_code: "InternalError",
      }),
    ).toBe(8);
    expect(simulator.callCount({ operation: "DescribeClusters" })).toBe(0);
  });

  it("counts a throttled GetMetricData and leaves the store series as they are", async () => {
    const { scrape } = await runExporter(
      scenario(`${XKS}faults: [{operation: GetMetricData, kind: throttling}]`),
      { enrich: enrich({ cloudhsm: false, xks: true }) },
    );
    const errors = { ...LABELS, operation: "GetMetricData", error: "Throttling" };
    const samples = await scrapeUntil(
      scrape,
      has("kms_keystore_exporter_api_request_errors_total", errors),
      "the GetMetricData error",
    );
    expect(sampleValue(samples, "kms_keystore_exporter_api_request_errors_total", errors)).toBe(1);
    expect(sampleValue(samples, "kms_keystore_exporter_target_up", LABELS)).toBe(1);
    expect(samplesNamed(samples, "aws_kms_custom_key_store_info")).toHaveLength(64);
    expect(samplesNamed(samples, "aws_kms_xks_proxy_certificate_days_to_expire")).toHaveLength(0);
  });
});
