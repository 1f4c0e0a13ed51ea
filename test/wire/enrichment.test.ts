import { describe, expect, it } from "vitest";
import { enrich } from "../helpers/enrich.js";
import { runExporter } from "../helpers/exporter.js";
import { type Sample, samplesNamed, sampleValue } from "../helpers/exposition.js";
import { until } from "../helpers/wait.js";

const ACCOUNT = "111111111111";
/** One enrichment round in these tests, unless a test polls fast to see later rounds. */
const ENRICH = enrich({ intervalMs: 300_000 });
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
  let samples: Sample[] = [];
  await until(
    async () => {
      samples = await scrape();
      return ready(samples);
    },
    20_000,
    what,
  );
  return samples;
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
      enrich: { ...ENRICH, cloudhsm: true, xks: false },
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
      { enrich: { ...ENRICH, cloudhsm: true, xks: false } },
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
      {
        enrich: enrich({ intervalMs: 300, cloudhsm: true, xks: false }),
        intervalMs: 300,
        timeoutMs: 300,
      },
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

/**
 * The acceptance store: two certificates (5 and 40 days); 1,000 successful requests, 7
 * retryable errors (under both of AWS's spellings) and 2 non-retryable ones over two
 * operations; latency series of 10 requests at 100 ms and 30 at 400 ms. The simulator's
 * older periods hold other values.
 */
const ACCEPTANCE = `  - id: cks-xks-acceptance
    name: acceptance
    type: EXTERNAL_KEY_STORE
    state: CONNECTED
    xksMetrics:
      certificates: {proxy.example.com: 5, proxy-next.example.com: 40}
      credentialAgeDays: 400
      operations:
        - kmsOperation: Encrypt
          xksOperation: Encrypt
          successes: 600
          errors:
            - {errorType: Retryable errors, exceptionName: XksProxyUriUnreachableException, count: 5}
            - {errorType: Non-retryable errors, exceptionName: XksProxyInvalidResponseException, count: 2}
          latency: {count: 10, averageMs: 100, maxMs: 150}
        - kmsOperation: Decrypt
          xksOperation: Decrypt
          successes: 400
          errors:
            - {errorType: Retryable, exceptionName: XksProxyTimeoutException, count: 2}
          latency: {count: 30, averageMs: 400, maxMs: 900}
      externalKeyManagers: {Active: 1, Degraded: 1, Unavailable: 1}
`;

const XKS = `pageSize: 200
stores:
${ACCEPTANCE}  - id: cks-xks-broken-metrics
    name: broken
    type: EXTERNAL_KEY_STORE
    state: CONNECTED
    xksMetrics: {certificates: {broken.example.com: 1}, statusCode: InternalError}
  - {id: cks-xks-quiet, name: quiet, type: EXTERNAL_KEY_STORE, state: DISCONNECTED}
  - {id: cks-hsm, name: hsm, type: AWS_CLOUDHSM, state: CONNECTED, cloudHsmClusterId: cluster-aaaaaaaaaaa}
`;

const store = (id: string, extra: Record<string, string> = {}) => ({
  ...LABELS,
  custom_key_store_id: id,
  ...extra,
});
const ACCEPTANCE_ID = "cks-xks-acceptance";

function expectAcceptanceFigures(samples: Sample[]): void {
  const value = (name: string, extra: Record<string, string> = {}) =>
    sampleValue(samples, name, store(ACCEPTANCE_ID, extra));
  const days = samplesNamed(
    samples,
    "aws_kms_xks_proxy_certificate_days_to_expire",
    store(ACCEPTANCE_ID),
  );
  expect(Object.fromEntries(days.map((s) => [s.labels.certificate_name, s.value]))).toEqual({
    "proxy-next.example.com": 40,
    "proxy.example.com": 5,
  });
  expect(Math.min(...days.map((s) => s.value))).toBe(5);
  expect(value("aws_kms_xks_proxy_errors", { error_type: "retryable" })).toBe(7);
  expect(value("aws_kms_xks_proxy_errors", { error_type: "non_retryable" })).toBe(2);
  expect(value("aws_kms_xks_proxy_requests")).toBe(1_009);
  expect(value("aws_kms_xks_proxy_latency_seconds")).toBe(0.325);
  expect(value("aws_kms_xks_proxy_latency_max_seconds")).toBe(0.9);
  expect(value("aws_kms_xks_proxy_credential_age_days")).toBe(400);
  for (const state of ["Active", "Degraded", "Unavailable"]) {
    expect(value("aws_kms_xks_external_key_managers", { state })).toBe(1);
  }
}

describe("XKS enrichment against the simulator", () => {
  it("discovers each store's series, asks exactly for them, and serves the newest period's figures", async () => {
    const { app, simulator, scrape } = await runExporter(scenario(XKS), {
      enrich: { ...ENRICH, cloudhsm: false, xks: true },
    });
    const samples = await scrapeUntil(scrape, has("aws_kms_xks_proxy_requests"), "XKS series");
    expectAcceptanceFigures(samples);
    // One ListMetrics chain per metric name (one page each), one GetMetricData: 18 queries.
    expect(simulator.callCount({ operation: "ListMetrics" })).toBe(5);
    expect(simulator.callCount({ operation: "GetMetricData" })).toBe(1);
    for (const operation of ["ListMetrics", "GetMetricData"]) {
      expect(
        sampleValue(samples, "kms_keystore_exporter_api_requests_total", { ...LABELS, operation }),
      ).toBe(operation === "ListMetrics" ? 5 : 1);
    }
    // A store CloudWatch has nothing of gets no samples, not zeros; a failed result is counted.
    for (const id of ["cks-xks-quiet", "cks-xks-broken-metrics"]) {
      expect(
        samples.filter(
          (s) => s.labels.custom_key_store_id === id && s.name.startsWith("aws_kms_xks"),
        ),
      ).toEqual([]);
    }
    expect(
      sampleValue(samples, "kms_keystore_exporter_cloudwatch_incomplete_results_total", {
        ...LABELS,
        status_code: "InternalError",
      }),
    ).toBe(1);
    const page = await (await fetch(`${app.url}/`)).text();
    const quiet = page.slice(page.indexOf("cks-xks-quiet"));
    expect(quiet.slice(0, quiet.indexOf("</tr>"))).toContain(
      "No CloudWatch data in the last 3 hours",
    );
    expect(simulator.callCount({ operation: "DescribeClusters" })).toBe(0);
  });

  it("pages ListMetrics and batches GetMetricData: ⌈queries ÷ 500⌉ calls, every page of each", async () => {
    // 72 healthy proxies: 5 series and 7 queries each, so 72 series per metric name and 504
    // queries. With 50 results a page: ListMetrics 5 × 2 pages, GetMetricData 500 queries in
    // 10 pages, then 4 in one.
    const { simulator, scrape } = await runExporter(
      scenario("pageSize: 50\ngenerate: {count: 72, type: EXTERNAL_KEY_STORE, state: CONNECTED}\n"),
      { enrich: { ...ENRICH, cloudhsm: false, xks: true } },
    );
    const samples = await scrapeUntil(scrape, has("aws_kms_xks_proxy_requests"), "XKS series");
    expect(simulator.callCount({ operation: "ListMetrics" })).toBe(10);
    expect(simulator.callCount({ operation: "GetMetricData" })).toBe(11);
    const days = samplesNamed(samples, "aws_kms_xks_proxy_certificate_days_to_expire");
    expect(days).toHaveLength(72);
    expect(days.every((sample) => sample.value === 180)).toBe(true);
    expect(samplesNamed(samples, "aws_kms_xks_proxy_latency_seconds")).toHaveLength(72);
  });

  it.each([
    ["ListMetrics", "5"],
    ["GetMetricData", "1"],
  ])(
    "keeps the last values through a failing %s, counts it, and leaves the stores and target_up alone",
    async (operation, firstRoundCalls) => {
      // Round 1 takes the first calls; every later one fails.
      const later = Array.from({ length: 200 }, (_, index) => index + 1 + Number(firstRoundCalls));
      const { scrape } = await runExporter(
        scenario(
          `${XKS}faults: [{operation: ${operation}, kind: internal-error, calls: [${later.join(", ")}]}]`,
        ),
        {
          enrich: enrich({ intervalMs: 1_000, cloudhsm: false, xks: true }),
          intervalMs: 1_000,
          timeoutMs: 1_000,
        },
      );
      const errors = { ...LABELS, operation, error: "InternalServiceFault" };
      const samples = await scrapeUntil(
        scrape,
        has("kms_keystore_exporter_api_request_errors_total", errors),
        `the failed ${operation}`,
      );
      expectAcceptanceFigures(samples);
      expect(sampleValue(samples, "kms_keystore_exporter_target_up", LABELS)).toBe(1);
      expect(samplesNamed(samples, "aws_kms_custom_key_store_info")).toHaveLength(4);
      expect(
        samplesNamed(samples, "kms_keystore_exporter_target_poll_errors_total", LABELS),
      ).toHaveLength(0);
    },
  );
});
