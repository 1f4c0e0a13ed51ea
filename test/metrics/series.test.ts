import { constants, gunzipSync, inflateRawSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import { MetricsCache } from "../../src/metrics/cache.js";
import { escapeLabelValue, formatValue } from "../../src/metrics/exposition.js";
import {
  STORE_FAMILIES,
  storeSampleLines,
  storeSection,
  TARGET_FAMILIES,
  targetSection,
} from "../../src/metrics/series.js";
import type { KeyStore } from "../../src/model.js";
import { toKeyStore } from "../../src/poller/response.js";
import { NO_HISTORY } from "../../src/state/history.js";
import { StateStore, type TargetState } from "../../src/state/state.js";
import {
  familiesText,
  parseExposition,
  plainText,
  samplesNamed,
  sampleValue,
  sectionText,
} from "../helpers/exposition.js";
import { keyStore } from "../helpers/stores.js";

function store(overrides: Partial<KeyStore> = {}): KeyStore {
  return {
    id: "cks-1",
    name: "prod",
    type: "AWS_CLOUDHSM",
    state: "CONNECTED",
    errorCode: undefined,
    creationTimeSeconds: 1_700_000_000,
    cloudHsmClusterId: "cluster-1",
    xksProxyConnectivity: "",
    xksProxyUriEndpoint: "",
    xksProxyUriPath: "",
    xksProxyVpcEndpointServiceName: "",
    ...overrides,
  };
}

const render = (stores: KeyStore[]) =>
  parseExposition(
    familiesText(STORE_FAMILIES, [
      storeSampleLines("111111111111", "us-east-1", stores, NO_HISTORY),
    ]),
  );

describe("store series", () => {
  it("says in every HELP that values are polled every interval, naming the interval's gauge", () => {
    for (const family of STORE_FAMILIES) {
      expect(family.help).toContain(
        "polled every interval (see kms_keystore_exporter_poll_interval_seconds)",
      );
    }
  });

  it.each([
    ["CONNECTED", undefined, 5, []],
    ["FAILED", "NETWORK_ERRORS", 5, ["NETWORK_ERRORS"]],
    ["SOMETHING_NEW", undefined, 6, []],
  ])(
    "exports %s as one 1 among %i state series, with errors %j",
    (state, errorCode, count, errors) => {
      const samples = render([store({ state, errorCode })]);
      const states = samplesNamed(samples, "aws_kms_custom_key_store_connection_state");
      expect(states).toHaveLength(count);
      expect(
        states.filter((sample) => sample.value === 1).map((sample) => sample.labels.state),
      ).toEqual([state]);
      expect(
        samplesNamed(samples, "aws_kms_custom_key_store_connection_error").map(
          (sample) => sample.labels.error_code,
        ),
      ).toEqual(errors);
    },
  );

  it("exports the creation time only when AWS gave one, and the facts in _info", () => {
    const samples = render([store(), store({ id: "cks-2", creationTimeSeconds: undefined })]);
    expect(
      samplesNamed(samples, "aws_kms_custom_key_store_creation_timestamp_seconds").map((sample) => [
        sample.labels.custom_key_store_id,
        sample.value,
      ]),
    ).toEqual([["cks-1", 1_700_000_000]]);
    expect(samplesNamed(samples, "aws_kms_custom_key_store_info")[0]?.labels).toMatchObject({
      account_id: "111111111111",
      region: "us-east-1",
      custom_key_store_id: "cks-1",
      custom_key_store_name: "prod",
      cloud_hsm_cluster_id: "cluster-1",
      xks_proxy_uri_path: "",
    });
  });

  it("writes every family's header once, even without samples, with samples grouped under it", () => {
    const text = familiesText(STORE_FAMILIES, [
      storeSampleLines("111111111111", "us-east-1", [store()], NO_HISTORY),
      storeSampleLines("222222222222", "eu-west-1", [store({ id: "cks-2" })], NO_HISTORY),
    ]);
    for (const family of STORE_FAMILIES) {
      expect(text.split(`# TYPE ${family.name} ${family.type}\n`)).toHaveLength(2);
    }
    const infoLines = text
      .split("\n")
      .filter((line) => line.startsWith("aws_kms_custom_key_store_info{"));
    expect(infoLines).toHaveLength(2);
    const lines = text.split("\n");
    expect(lines.indexOf(infoLines[1] as string)).toBe(lines.indexOf(infoLines[0] as string) + 1);
  });
});

describe("target series", () => {
  function targetState(
    accountId: string,
    region: string,
    overrides: Partial<TargetState> = {},
  ): TargetState {
    return {
      target: { key: `${accountId}/${region}`, accountId, accountName: "payments", region },
      stores: [],
      history: NO_HISTORY,
      up: true,
      polled: true,
      lastSuccessMs: 1_700_000_000_500,
      lastPollDurationMs: 250,
      lastError: undefined,
      version: 0,
      ...overrides,
    };
  }

  it("exports one account_info per account and up, last success and duration per target", () => {
    // The same objects on every call, as the StateStore holds them.
    const states = [
      targetState("111111111111", "us-east-1"),
      targetState("111111111111", "eu-west-1", {
        up: false,
        lastSuccessMs: undefined,
        lastPollDurationMs: undefined,
      }),
    ];
    const samples = parseExposition(
      sectionText(targetSection({ states: () => states.values(), version: 0, targetsVersion: 0 })),
    );
    expect(
      samplesNamed(samples, "kms_keystore_exporter_account_info").map((sample) => sample.labels),
    ).toEqual([{ account_id: "111111111111", account_name: "payments" }]);
    expect(
      samplesNamed(samples, "kms_keystore_exporter_target_up").map((sample) => [
        sample.labels.region,
        sample.value,
      ]),
    ).toEqual([
      ["us-east-1", 1],
      ["eu-west-1", 0],
    ]);
    expect(
      samplesNamed(samples, "kms_keystore_exporter_target_last_success_timestamp_seconds"),
    ).toEqual([expect.objectContaining({ value: 1_700_000_000.5 })]);
    expect(samplesNamed(samples, "kms_keystore_exporter_target_poll_duration_seconds")).toEqual([
      expect.objectContaining({ value: 0.25 }),
    ]);
  });
});

const TARGET = {
  key: "111111111111/us-east-1",
  accountId: "111111111111",
  accountName: "prod",
  region: "us-east-1",
};

/** The store and target families alone. */
function cacheOf(state: StateStore): MetricsCache {
  return new MetricsCache({
    sections: [storeSection(state), targetSection(state)],
    processText: async () => "",
  });
}

async function renderCached(stores: KeyStore[]): Promise<string> {
  const state = new StateStore();
  state.setTargets([TARGET]);
  state.recordSuccess(TARGET.key, stores, 1_800_000_000_000, 1_234);
  const rendered = await cacheOf(state).render();
  return plainText(rendered);
}

const HOSTILE_NAMES = [
  'quote " inside',
  "back\\slash and \\n literal",
  "new\nline",
  'all "of\\them\ntogether"',
  "non-ASCII: Schlüssel 鍵 🔑",
  'a:"x,b:y"',
  "x".repeat(256),
  "trailing backslash \\",
];

describe("escaping", () => {
  it("escapes exactly backslash, quote and newline", () => {
    expect(escapeLabelValue('a"b\\c\nd')).toBe('a\\"b\\\\c\\nd');
    expect(escapeLabelValue("é\t")).toBe("é\t");
  });

  it("formats special values the way Prometheus reads them", () => {
    expect(formatValue(Number.NaN)).toBe("NaN");
    expect(formatValue(Number.POSITIVE_INFINITY)).toBe("+Inf");
    expect(formatValue(1.5)).toBe("1.5");
  });
});

describe("snapshot → series", () => {
  it("exports one state series per known state, exactly one of them 1", async () => {
    const samples = parseExposition(
      await renderCached([keyStore({ state: "FAILED", errorCode: "NETWORK_ERRORS" })]),
    );
    const states = samplesNamed(samples, "aws_kms_custom_key_store_connection_state");
    expect(states.map((sample) => sample.labels.state).sort()).toEqual([
      "CONNECTED",
      "CONNECTING",
      "DISCONNECTED",
      "DISCONNECTING",
      "FAILED",
    ]);
    expect(
      states.filter((sample) => sample.value === 1).map((sample) => sample.labels.state),
    ).toEqual(["FAILED"]);
    expect(
      sampleValue(samples, "aws_kms_custom_key_store_connection_error", {
        error_code: "NETWORK_ERRORS",
      }),
    ).toBe(1);
    expect(sampleValue(samples, "aws_kms_custom_key_store_creation_timestamp_seconds")).toBe(
      1_700_000_000,
    );
  });

  it("exports a state AWS adds later as its own series, not dropped", async () => {
    const samples = parseExposition(await renderCached([keyStore({ state: "DEGRADED" })]));
    const states = samplesNamed(samples, "aws_kms_custom_key_store_connection_state");
    expect(states).toHaveLength(6);
    expect(
      sampleValue(samples, "aws_kms_custom_key_store_connection_state", { state: "DEGRADED" }),
    ).toBe(1);
    expect(
      sampleValue(samples, "aws_kms_custom_key_store_connection_state", { state: "CONNECTED" }),
    ).toBe(0);
  });

  it("has no error series while no ConnectionErrorCode is set", async () => {
    const samples = parseExposition(await renderCached([keyStore()]));
    expect(samplesNamed(samples, "aws_kms_custom_key_store_connection_error")).toHaveLength(0);
  });

  it("puts every static fact in _info, absent fields as empty strings", async () => {
    const samples = parseExposition(
      await renderCached([
        keyStore({
          type: "EXTERNAL_KEY_STORE",
          cloudHsmClusterId: "",
          xksProxyConnectivity: "VPC_ENDPOINT_SERVICE",
          xksProxyUriEndpoint: "https://xks.example.com",
          xksProxyUriPath: "/kms/xks/v1",
          xksProxyVpcEndpointServiceName: "com.amazonaws.vpce.us-east-1.vpce-svc-1",
        }),
      ]),
    );
    expect(samplesNamed(samples, "aws_kms_custom_key_store_info")[0]?.labels).toEqual({
      account_id: "111111111111",
      region: "us-east-1",
      custom_key_store_id: "cks-0123456789abcdef0",
      custom_key_store_name: "plain",
      custom_key_store_type: "EXTERNAL_KEY_STORE",
      cloud_hsm_cluster_id: "",
      xks_proxy_connectivity: "VPC_ENDPOINT_SERVICE",
      xks_proxy_uri_endpoint: "https://xks.example.com",
      xks_proxy_uri_path: "/kms/xks/v1",
      xks_proxy_vpc_endpoint_service_name: "com.amazonaws.vpce.us-east-1.vpce-svc-1",
    });
  });

  it("round-trips hostile store names exactly, one series each", async () => {
    const stores = HOSTILE_NAMES.map((name, index) =>
      keyStore({ id: `cks-${String(index).padStart(17, "0")}`, name }),
    );
    const text = await renderCached(stores);
    const infos = samplesNamed(parseExposition(text), "aws_kms_custom_key_store_info");
    expect(infos.map((sample) => sample.labels.custom_key_store_name)).toEqual(HOSTILE_NAMES);
    // Every sample stays on one line: no raw newline leaked into the output.
    const lines = text
      .split("\n")
      .filter((line) => line.startsWith("aws_kms_custom_key_store_info"));
    expect(lines).toHaveLength(HOSTILE_NAMES.length);
  });

  it("keeps two stores apart whose names would collide in prom-client's label key", async () => {
    const text = await renderCached([
      keyStore({ id: "cks-00000000000000001", name: "x,custom_key_store_type:y" }),
      keyStore({ id: "cks-00000000000000002", name: "x" }),
    ]);
    expect(samplesNamed(parseExposition(text), "aws_kms_custom_key_store_info")).toHaveLength(2);
  });

  it("serves the same text as a single gzip member", async () => {
    const state = new StateStore();
    state.setTargets([TARGET]);
    state.recordSuccess(TARGET.key, [keyStore({ name: "ünïcode" })], 1_800_000_000_000, 10);
    const rendered = await cacheOf(state).render();
    const body = Buffer.concat(await rendered.gzipParts());
    const text = plainText(rendered);
    // gunzip checks the CRC and length in the trailer...
    expect(gunzipSync(body).toString("utf8")).toBe(text);
    // ...and the whole text sits in the first member's deflate stream (curl reads only that).
    expect(inflateRawSync(body.subarray(10, -8)).toString("utf8")).toBe(text);
  });

  it("re-renders the store part only when a store list changes", async () => {
    const state = new StateStore();
    state.setTargets([TARGET]);
    const cache = cacheOf(state);
    // After the gzip header and the family's header, the compressed info lines of the (one)
    // chunk of targets: the same buffer as long as the part is reused.
    const storePart = async () => (await (await cache.render()).gzipParts())[2];
    state.recordSuccess(TARGET.key, [keyStore()], 1_000, 10);
    const first = await storePart();
    expect(
      inflateRawSync(first as Buffer, { finishFlush: constants.Z_SYNC_FLUSH }).toString(),
    ).toMatch(/^aws_kms_custom_key_store_info\{/);
    // Equal stores in a new array.
    state.recordSuccess(TARGET.key, [keyStore()], 2_000, 10);
    expect(await storePart()).toBe(first);
    state.recordSuccess(TARGET.key, [keyStore({ state: "FAILED", name: "renamed" })], 3_000, 10);
    expect(await storePart()).not.toBe(first);
  });

  it("exports each store's state changes and when its state was first seen", async () => {
    const state = new StateStore();
    state.setTargets([TARGET]);
    const cache = cacheOf(state);
    const history = async () => {
      const samples = parseExposition(plainText(await cache.render()));
      return [
        sampleValue(samples, "aws_kms_custom_key_store_state_changes_total"),
        sampleValue(samples, "aws_kms_custom_key_store_state_since_timestamp_seconds"),
      ];
    };
    state.recordSuccess(TARGET.key, [keyStore({ state: "CONNECTED" })], 1_000_000, 10);
    expect(await history()).toEqual([0, 1_000]);
    state.recordSuccess(TARGET.key, [keyStore({ state: "CONNECTED" })], 2_000_000, 10);
    expect(await history()).toEqual([0, 1_000]);
    state.recordSuccess(TARGET.key, [keyStore({ state: "FAILED" })], 3_000_000, 10);
    expect(await history()).toEqual([1, 3_000]);
    // A failed poll keeps the history; the store was not seen changing.
    state.recordFailure(TARGET.key, { name: "KMSInternalException", message: "boom" }, 20);
    state.recordSuccess(TARGET.key, [keyStore({ state: "CONNECTED" })], 5_000_000, 10);
    expect(await history()).toEqual([2, 5_000]);
    const text = plainText(await cache.render());
    expect(text).toContain("# TYPE aws_kms_custom_key_store_state_changes_total counter\n");
    expect(text).toMatch(
      /# HELP aws_kms_custom_key_store_state_since_timestamp_seconds .*restarts with the process/,
    );
  });

  it("keeps a store's history while its series are dropped as stale", async () => {
    const state = new StateStore();
    state.setTargets([TARGET]);
    const cache = cacheOf(state);
    state.recordSuccess(TARGET.key, [keyStore({ state: "FAILED" })], 1_000_000, 10);
    state.dropStores(TARGET.key);
    expect(
      samplesNamed(
        parseExposition(plainText(await cache.render())),
        "aws_kms_custom_key_store_state_changes_total",
      ),
    ).toEqual([]);
    state.recordSuccess(TARGET.key, [keyStore({ state: "FAILED" })], 9_000_000, 10);
    const samples = parseExposition(plainText(await cache.render()));
    expect(sampleValue(samples, "aws_kms_custom_key_store_state_since_timestamp_seconds")).toBe(
      1_000,
    );
  });

  it("keeps the last stores through a failed poll and reports the target down", async () => {
    const state = new StateStore();
    state.setTargets([TARGET]);
    const cache = cacheOf(state);
    state.recordSuccess(TARGET.key, [keyStore({ state: "FAILED" })], 1_000_000, 10);
    state.recordFailure(TARGET.key, { name: "KMSInternalException", message: "boom" }, 20);
    const samples = parseExposition(plainText(await cache.render()));
    expect(sampleValue(samples, "kms_keystore_exporter_target_up")).toBe(0);
    expect(
      sampleValue(samples, "kms_keystore_exporter_target_last_success_timestamp_seconds"),
    ).toBe(1_000);
    expect(
      sampleValue(samples, "aws_kms_custom_key_store_connection_state", { state: "FAILED" }),
    ).toBe(1);
  });

  it("exports one account_info per account, with its name or an empty one", async () => {
    const state = new StateStore();
    state.setTargets([
      TARGET,
      { ...TARGET, key: "111111111111/eu-west-1", region: "eu-west-1" },
      {
        key: "222222222222/us-east-1",
        accountId: "222222222222",
        accountName: undefined,
        region: "us-east-1",
      },
    ]);
    const samples = parseExposition(plainText(await cacheOf(state).render()));
    expect(
      samplesNamed(samples, "kms_keystore_exporter_account_info").map((sample) => sample.labels),
    ).toEqual([
      { account_id: "111111111111", account_name: "prod" },
      { account_id: "222222222222", account_name: "" },
    ]);
  });

  it("drops series of a store missing from a successful poll, and of removed targets", async () => {
    const state = new StateStore();
    state.setTargets([TARGET]);
    const cache = cacheOf(state);
    state.recordSuccess(
      TARGET.key,
      [keyStore(), keyStore({ id: "cks-00000000000000009" })],
      1_000,
      10,
    );
    state.recordSuccess(TARGET.key, [keyStore()], 2_000, 10);
    let samples = parseExposition(plainText(await cache.render()));
    expect(samplesNamed(samples, "aws_kms_custom_key_store_info")).toHaveLength(1);
    state.setTargets([]);
    samples = parseExposition(plainText(await cache.render()));
    expect(samplesNamed(samples, "aws_kms_custom_key_store_info")).toHaveLength(0);
    expect(samplesNamed(samples, "kms_keystore_exporter_target_up")).toHaveLength(0);
  });

  it("never exports a trust anchor or an XKS access key", async () => {
    const fromApi = toKeyStore({
      CustomKeyStoreId: "cks-0123456789abcdef0",
      CustomKeyStoreName: "xks",
      CustomKeyStoreType: "EXTERNAL_KEY_STORE",
      ConnectionState: "CONNECTED",
      TrustAnchorCertificate: "SECRET-TRUST-ANCHOR",
      XksProxyConfiguration: {
        AccessKeyId: "AKIASECRETXKSKEY0001",
        Connectivity: "PUBLIC_ENDPOINT",
      },
    });
    const text = await renderCached([fromApi]);
    expect(text).toContain("PUBLIC_ENDPOINT");
    expect(text).not.toContain("SECRET-TRUST-ANCHOR");
    expect(text).not.toContain("AKIASECRETXKSKEY0001");
  });
});

describe("families", () => {
  it("has the documented names, gauges and _total counters, each with a HELP sentence", () => {
    const families = [...STORE_FAMILIES, ...TARGET_FAMILIES];
    expect(families.map((family) => family.name)).toEqual(
      expect.arrayContaining([
        "aws_kms_custom_key_store_info",
        "aws_kms_custom_key_store_connection_state",
        "aws_kms_custom_key_store_connection_error",
        "aws_kms_custom_key_store_creation_timestamp_seconds",
        "kms_keystore_exporter_account_info",
        "kms_keystore_exporter_target_up",
        "kms_keystore_exporter_target_last_success_timestamp_seconds",
        "kms_keystore_exporter_target_poll_duration_seconds",
      ]),
    );
    for (const family of families) {
      expect(family.type, family.name).toBe(family.name.endsWith("_total") ? "counter" : "gauge");
      // promtool's metrics lint wants a HELP; ours are sentences.
      expect(family.help, family.name).toMatch(/^[A-Z1-9].{20,}\.$/);
    }
    for (const family of STORE_FAMILIES.filter((f) => f.name.startsWith("aws_kms_custom")))
      expect(family.help).toContain(
        "From DescribeCustomKeyStores, polled every interval (see kms_keystore_exporter_poll_interval_seconds), not at scrape time.",
      );
  });
});
