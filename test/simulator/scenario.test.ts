import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import {
  loadScenarioFile,
  parseScenario,
  SIMULATOR_CREDENTIALS,
} from "../../src/simulator/index.js";

const scenarioPath = (name: string) =>
  fileURLToPath(new URL(`../../scenarios/${name}`, import.meta.url));

describe("parseScenario", () => {
  it("fills defaults and converts durations to milliseconds", () => {
    const scenario = parseScenario(`
accounts:
  - id: "111111111111"
    regions:
      - region: us-east-1
        stores:
          - id: cks-1
            name: a
            state: CONNECTING
            timeline: [{at: 1m30s, state: CONNECTED}, {at: 0, state: CONNECTING}]
        faults: [{kind: slow, delay: 250ms}]
`);
    expect(scenario.defaultAccountId).toBe("000000000000");
    const target = scenario.accounts[0]?.regions[0];
    expect(target?.stores[0]?.timeline).toEqual([
      { at: 90_000, state: "CONNECTED" },
      { at: 0, state: "CONNECTING" },
    ]);
    expect(target?.faults).toEqual([{ kind: "slow", delay: 250 }]);
  });

  it("reads rate limits, organizations and member fields", () => {
    const scenario = parseScenario(`
rateLimit: {perSecond: 5, burst: 5}
organizations:
  managementAccountId: "111111111111"
  pageSize: 10
  faults: [{kind: throttling, calls: [1]}]
accounts:
  - id: "111111111111"
    email: root@example.com
    status: SUSPENDED
    regions: [{region: us-east-1, rateLimit: {perSecond: 0.5}}]
`);
    expect(scenario.rateLimit).toEqual({ perSecond: 5, burst: 5 });
    expect(scenario.organizations).toEqual({
      managementAccountId: "111111111111",
      pageSize: 10,
      faults: [{ kind: "throttling", calls: [1] }],
      organizationalUnits: [],
    });
    expect(scenario.accounts[0]).toMatchObject({ email: "root@example.com", status: "SUSPENDED" });
    expect(scenario.accounts[0]?.regions[0]?.rateLimit).toEqual({ perSecond: 0.5 });
  });

  it("reads a JSON document the same as its YAML", () => {
    const yamlText =
      'accounts:\n  - id: "111111111111"\n    regions: [{region: us-east-1, generate: {count: 2}}]\n';
    const json = JSON.stringify({
      accounts: [
        { id: "111111111111", regions: [{ region: "us-east-1", generate: { count: 2 } }] },
      ],
    });
    expect(parseScenario(json)).toEqual(parseScenario(yamlText));
    expect(parseScenario("{accounts: []}")).toEqual(parseScenario("accounts: []"));
  });

  it("accepts an empty document as a world without accounts", () => {
    expect(parseScenario("")).toEqual({
      credentials: [SIMULATOR_CREDENTIALS],
      defaultAccountId: "000000000000",
      accounts: [],
    });
  });

  it.each([
    ["an unknown top-level key", "acounts: []", /unknown key "acounts"/],
    [
      "an unknown nested key",
      'accounts: [{id: "111111111111", regions: [{region: us-east-1, stores: [{id: a, name: b, state: CONNECTED, colour: red}]}]}]',
      /unknown key "accounts\.0\.regions\.0\.stores\.0\.colour"/,
    ],
    [
      "a bad duration",
      'accounts: [{id: "111111111111", regions: [{region: us-east-1, faults: [{kind: slow, delay: 2 seconds}]}]}]',
      /accounts\.0\.regions\.0\.faults\.0\.delay: not a duration: "2 seconds"/,
    ],
    ["a bad account id", "accounts: [{id: 1234, regions: []}]", /accounts\.0\.id/],
    [
      "a short account id",
      'accounts: [{id: "1234", regions: []}]',
      /accounts\.0\.id: must be a 12-digit/,
    ],
    ["a bad defaultAccountId", "defaultAccountId: abc", /defaultAccountId/],
    [
      "an unknown fault kind",
      'accounts: [{id: "111111111111", regions: [{region: us-east-1, faults: [{kind: flood}]}]}]',
      /accounts\.0\.regions\.0\.faults\.0\.kind/,
    ],
    [
      "calls and probability together",
      'accounts: [{id: "111111111111", regions: [{region: us-east-1, faults: [{kind: hang, calls: [1], probability: 0.5}]}]}]',
      /faults\.0\.probability: use calls or probability/,
    ],
    [
      "duplicate store ids",
      'accounts: [{id: "111111111111", regions: [{region: us-east-1, stores: [{id: a, name: x, state: FAILED}, {id: a, name: y, state: FAILED}]}]}]',
      /stores\.1\.id: duplicate id "a"/,
    ],
    ["a page size over 1000", "pageSize: 5000", /pageSize/],
    ["a zero rate limit", "rateLimit: {perSecond: 0}", /rateLimit\.perSecond/],
    [
      "an unknown rate limit key",
      'accounts: [{id: "111111111111", regions: [{region: us-east-1, rateLimit: {perMinute: 5}}]}]',
      /unknown key "accounts\.0\.regions\.0\.rateLimit\.perMinute"/,
    ],
    ["organizations without a management account", "organizations: {}", /managementAccountId/],
    [
      "an organizations page size over 20",
      'organizations: {managementAccountId: "111111111111", pageSize: 21}',
      /organizations\.pageSize/,
    ],
    [
      "an OU under an unknown parent",
      'organizations: {managementAccountId: "111111111111", organizationalUnits: [{id: ou-a1b2-aaaaaaaa, parent: ou-a1b2-zzzzzzzz}]}',
      /unknown parent "ou-a1b2-zzzzzzzz"/,
    ],
    [
      "an unknown account status",
      'accounts: [{id: "111111111111", status: CLOSED}]',
      /accounts\.0\.status/,
    ],
    ["invalid YAML", "accounts: [", /not valid YAML/],
  ])("rejects %s, naming the key", (_, yamlText, message) => {
    expect(() => parseScenario(yamlText)).toThrow(message);
  });

  it("names the file when loading fails", () => {
    expect(() => loadScenarioFile("/nonexistent/scenario.yaml")).toThrow(
      /\/nonexistent\/scenario\.yaml/,
    );
  });
});

describe("shipped scenarios", () => {
  it("example-small has one account, one region and three stores", () => {
    const scenario = loadScenarioFile(scenarioPath("example-small.yaml"));
    expect(scenario.accounts).toHaveLength(1);
    expect(scenario.accounts[0]?.regions).toHaveLength(1);
    expect(scenario.accounts[0]?.regions[0]?.stores).toHaveLength(3);
  });

  it("demo covers three accounts × two regions, both types and every state", () => {
    const scenario = loadScenarioFile(scenarioPath("demo.yaml"));
    expect(scenario.accounts.map((account) => [account.id, account.name])).toEqual([
      ["111111111111", "payments-prod"],
      ["222222222222", "analytics-staging"],
      ["333333333333", "identity-prod"],
    ]);
    const targets = scenario.accounts.flatMap((account) => account.regions);
    expect(targets.map((target) => target.region)).toEqual(
      Array.from({ length: 3 }, () => ["us-east-1", "eu-west-1"]).flat(),
    );
    const stores = targets.flatMap((target) => target.stores);
    expect(new Set(stores.map((store) => store.state))).toEqual(
      new Set(["CONNECTED", "CONNECTING", "FAILED", "DISCONNECTED", "DISCONNECTING"]),
    );
    expect(new Set(stores.map((store) => store.type))).toEqual(
      new Set(["AWS_CLOUDHSM", "EXTERNAL_KEY_STORE"]),
    );
    const failedForGood = stores.filter((store) => store.state === "FAILED");
    expect(failedForGood.every((store) => store.timeline === undefined)).toBe(true);
    expect(new Set(failedForGood.map((store) => store.errorCode)).size).toBeGreaterThanOrEqual(2);
    const moving = stores.filter((store) => store.timeline !== undefined);
    expect(
      moving.map((store) => [store.state, ...(store.timeline ?? []).map((step) => step.state)]),
    ).toEqual([["CONNECTING", "CONNECTED", "FAILED", "DISCONNECTED"]]);
    expect(targets.every((target) => target.stores.length >= 3 && target.stores.length <= 6)).toBe(
      true,
    );
    const flaky = scenario.accounts[2]?.regions[1];
    expect(flaky?.faults).toEqual([{ kind: "internal-error", probability: 0.33 }]);
  });
});
