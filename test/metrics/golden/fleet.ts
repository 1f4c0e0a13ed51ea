import { EnrichmentStore } from "../../../src/enrichment/state.js";
import { noXksFigures } from "../../../src/enrichment/xks/figures.js";
import {
  createExporterMetrics,
  type ExporterMetrics,
} from "../../../src/metrics/exporter-metrics.js";
import { StateStore } from "../../../src/state/state.js";
import { keyStore, target } from "../../helpers/stores.js";

/**
 * A small fleet in every shape /metrics shows, built through the same calls the poller and
 * the enrichments make, at fixed times: the golden exposition (golden.test.ts) is rendered
 * from it.
 */
export interface GoldenFleet {
  state: StateStore;
  enrichment: EnrichmentStore;
  metrics: ExporterMetrics;
}

const T0 = 1_800_000_000_000;

export function goldenFleet(): GoldenFleet {
  const state = new StateStore();
  const enrichment = new EnrichmentStore();
  const metrics = createExporterMetrics({ version: "1.2.3", revision: "abcdef0" });
  const prodEast = target("111111111111", "us-east-1", "prod");
  const prodWest = target("111111111111", "eu-west-1", "prod");
  const hostile = target("222222222222", "us-east-1", 'team "x"\\ops\nnight');
  const unnamed = target("333333333333", "ap-southeast-2");
  const failing = target("444444444444", "us-east-1", "never-up");
  const dropped = target("555555555555", "us-west-2", "gone-stale");
  state.setTargets([prodEast, prodWest, hostile, unnamed, failing, dropped]);

  const hsm = keyStore({ id: "cks-1111111111111111a", name: "payments-hsm" });
  state.recordSuccess(prodEast.key, [{ ...hsm, state: "CONNECTING" }], T0, 812);
  state.recordSuccess(
    prodEast.key,
    [
      hsm,
      keyStore({
        id: "cks-1111111111111111b",
        name: "xks-public",
        type: "EXTERNAL_KEY_STORE",
        state: "FAILED",
        errorCode: "XKS_PROXY_TIMED_OUT",
        cloudHsmClusterId: "",
        xksProxyConnectivity: "PUBLIC_ENDPOINT",
        xksProxyUriEndpoint: "https://xks.example.com",
        xksProxyUriPath: "/kms/xks/v1",
      }),
    ],
    T0 + 60_000,
    1_234,
  );
  state.recordSuccess(prodWest.key, [], T0 + 61_500, 95);
  state.recordSuccess(
    hostile.key,
    [
      keyStore({
        id: "cks-2222222222222222a",
        name: 'quote " back\\slash new\nline 鍵 a:"x,b:y"',
        state: "SOME_FUTURE_STATE",
        creationTimeSeconds: undefined,
      }),
      keyStore({
        id: "cks-2222222222222222b",
        name: "vpc",
        type: "EXTERNAL_KEY_STORE",
        state: "DISCONNECTED",
        errorCode: "USER_LOGGED_IN",
        cloudHsmClusterId: "",
        xksProxyConnectivity: "VPC_ENDPOINT_SERVICE",
        xksProxyUriEndpoint: "https://vpc.example.internal",
        xksProxyUriPath: "/example/kms/xks/v1",
        xksProxyVpcEndpointServiceName: "com.amazonaws.vpce.us-east-1.vpce-svc-0abc",
      }),
    ],
    T0 + 62_250,
    3_001,
  );
  state.recordSuccess(unnamed.key, [keyStore({ id: "cks-3333333333333333a" })], T0 + 63_000, 7);
  state.recordFailure(unnamed.key, { name: "ThrottlingException", message: "slow down" }, 4_000);
  state.recordFailure(failing.key, { name: "AccessDeniedException", message: "no" }, 15);
  state.recordSuccess(dropped.key, [keyStore({ id: "cks-5555555555555555a" })], T0, 20);
  state.dropStores(dropped.key);

  enrichment.setClusters(
    prodEast,
    [
      {
        id: "cluster-1a23b4cdefg",
        state: "ACTIVE",
        hsms: { ACTIVE: 2, DEGRADED: 1 },
        activeAvailabilityZones: 2,
      },
    ],
    T0 + 64_000,
  );
  enrichment.setClusters(
    hostile,
    [
      {
        id: "cluster-2b",
        state: "BRAND_NEW_STATE",
        hsms: { WARMING: 1 },
        activeAvailabilityZones: 0,
      },
    ],
    T0 + 64_500,
  );
  enrichment.setXks(
    prodEast,
    [
      {
        storeId: "cks-1111111111111111b",
        series: 9,
        certificates: { "xks.example.com": 12.5, "xks-next.example.com": 300 },
        credentialAgeDays: 400,
        errors: { retryable: 3, non_retryable: 0 },
        requests: 120,
        latencySeconds: 0.125,
        latencyMaxSeconds: 0.5,
        externalKeyManagers: { Active: 2, Degraded: 1 },
      },
      noXksFigures("cks-xks-without-data"),
    ],
    T0 + 65_000,
  );
  // enrich.keys: a store that went down with 5 Enabled keys, one never seen available.
  enrichment.setKeys(
    hostile,
    [
      {
        storeId: "cks-2222222222222222a",
        byState: { PendingDeletion: 1, Unavailable: 8 },
        byLastAvailable: { Disabled: 2, Enabled: 5, PendingDeletion: 1, unknown: 1 },
      },
    ],
    2,
    T0 + 66_000,
  );

  const labels = (t: { accountId: string; region: string }) => ({
    account_id: t.accountId,
    region: t.region,
  });
  for (const t of [prodEast, prodWest, hostile, unnamed, failing, dropped]) {
    metrics.apiRequests.inc({ ...labels(t), operation: "DescribeCustomKeyStores" }, 2);
    metrics.apiRequests.inc({ ...labels(t), operation: "AssumeRole" });
  }
  metrics.apiRequestErrors.inc({
    ...labels(unnamed),
    operation: "DescribeCustomKeyStores",
    error: "ThrottlingException",
  });
  metrics.apiRequestErrors.inc({
    ...labels(failing),
    operation: "AssumeRole",
    error: "AccessDeniedException",
  });
  metrics.pollErrors.inc({ ...labels(unnamed), error: "ThrottlingException" });
  metrics.pollErrors.inc({ ...labels(failing), error: "AccessDeniedException" }, 3);
  metrics.rateLimitWait.inc(labels(prodEast), 0.25);
  metrics.rateLimitWait.inc(labels(prodEast), 0.125);
  metrics.rateLimitWait.inc(labels(hostile), 1.5);
  metrics.cloudWatchIncompleteResults.inc({ ...labels(prodEast), status_code: "PartialData" });
  metrics.cloudWatchIncompleteResults.inc({ ...labels(prodEast), status_code: "PartialData" });
  metrics.pollInterval.set(60);
  metrics.shardTargets.set({ shard: "0" }, 6);
  metrics.configReloadSuccessful.set(1);
  metrics.configReloadSuccessTimestamp.set(T0 / 1000);
  metrics.discoveryAccounts.set(5);
  metrics.discoveryRefreshFailures.inc();
  metrics.discoveryLastSuccessTimestamp.set((T0 + 1_500) / 1000);
  return { state, enrichment, metrics };
}

/**
 * The exposition without what may differ for the same state: HELP wording, the process'
 * own process_* and nodejs_* families, and the Node.js version in build_info.
 */
export function normalised(text: string): string {
  const lines: string[] = [];
  let skipping = false;
  for (const line of text.split("\n")) {
    const header = /^# (HELP|TYPE) (\S+)/.exec(line);
    const name = header?.[2] ?? line.match(/^[a-zA-Z_:][a-zA-Z0-9_:]*/)?.[0] ?? "";
    if (header) skipping = /^(process|nodejs)_/.test(name);
    if (skipping) continue;
    if (header?.[1] === "HELP") lines.push(`# HELP ${name}`);
    else lines.push(line.replace(/nodejs_version="[^"]*"/, 'nodejs_version="(node)"'));
  }
  return lines.join("\n");
}
