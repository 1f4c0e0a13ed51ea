import { describe, expect, it } from "vitest";
import { STORE_FAMILIES, storeSampleLines, targetSection } from "../../src/metrics/series.js";
import type { KeyStore } from "../../src/model.js";
import { NO_HISTORY } from "../../src/state/history.js";
import type { TargetState } from "../../src/state/state.js";
import { familiesText, parseExposition, samplesNamed, sectionText } from "../helpers/exposition.js";

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
      ...overrides,
    };
  }

  it("exports one account_info per account and up, last success and duration per target", () => {
    const samples = parseExposition(
      sectionText(
        targetSection({
          states: () =>
            [
              targetState("111111111111", "us-east-1"),
              targetState("111111111111", "eu-west-1", {
                up: false,
                lastSuccessMs: undefined,
                lastPollDurationMs: undefined,
              }),
            ].values(),
        }),
      ),
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
