import { describe, expect, it } from "vitest";
import { parseScenario } from "../../src/simulator/index.js";
import { role, runExporter, waitUntilReady } from "../helpers/exporter.js";
import { samplesNamed, sampleValue } from "../helpers/exposition.js";
import { until } from "../helpers/wait.js";

const MANAGEMENT = "999999999999";

function member(id: string, extra = ""): string {
  return `  - id: "${id}"
    name: member-${id}
${extra}    regions:
      - region: us-east-1
        stores: [{id: cks-${id}00000, name: s-${id}, state: CONNECTED}]`;
}

function scenario(ids: string[], organizationsFaults = "[]"): string {
  return `organizations: {managementAccountId: "${MANAGEMENT}", pageSize: 2, faults: ${organizationsFaults}}
accounts:
${[MANAGEMENT, ...ids].map((id) => member(id)).join("\n")}
`;
}

const DISCOVERY = {
  accounts: [],
  regions: ["us-east-1"],
  discovery: {
    roleArn: role(MANAGEMENT),
    externalId: undefined,
    memberRoleName: "kms-keystore-exporter",
    memberExternalId: "member-ext",
    refreshMs: 300,
    region: "us-east-1",
    excludeAccounts: [MANAGEMENT],
    includeOrganizationalUnits: [],
    excludeOrganizationalUnits: [],
    regions: undefined,
  },
};

describe("AWS Organizations discovery", () => {
  it("polls ACTIVE members through the member role, and follows accounts that join and leave", async () => {
    const ids = ["100000000001", "100000000002", "100000000003"];
    const { app, simulator, scrape } = await runExporter(scenario(ids), DISCOVERY);
    await waitUntilReady(app);
    const accountsUp = async () =>
      samplesNamed(await scrape(), "kms_keystore_exporter_target_up")
        .filter((sample) => sample.value === 1)
        .map((sample) => sample.labels.account_id)
        .sort();
    await until(async () => (await accountsUp()).length === 3);
    expect(await accountsUp()).toEqual(ids);
    const assumeRoles = simulator.calls.filter((call) => call.operation === "AssumeRole");
    expect(
      assumeRoles.filter((call) => call.roleArn === role(ids[0] as string))[0]?.externalId,
    ).toBe("member-ext");
    // Two pages of ListAccounts (4 members at 2 per page).
    expect(simulator.callCount({ operation: "ListAccounts" })).toBeGreaterThanOrEqual(2);

    // One account leaves, one joins, one is suspended: the next refresh follows, no restart.
    const next = parseScenario(scenario(["100000000002", "100000000003", "100000000004"]));
    simulator.setAccounts(next.accounts);
    simulator.setAccountStatus("100000000003", "SUSPENDED");
    await until(async () => (await accountsUp()).join() === "100000000002,100000000004");
    const samples = await scrape();
    expect(
      samplesNamed(samples, "kms_keystore_exporter_target_up", { account_id: "100000000001" }),
    ).toHaveLength(0);
    expect(sampleValue(samples, "kms_keystore_exporter_discovery_accounts")).toBe(2);
    expect(
      sampleValue(samples, "kms_keystore_exporter_account_info", { account_id: "100000000004" }),
    ).toBe(1);
  });

  it("keeps the last good list when ListAccounts fails, and counts the failures", async () => {
    const ids = ["100000000001", "100000000002"];
    // The first refresh (calls 1-2) works; every call after it fails.
    const faults = `[{kind: internal-error, calls: [${Array.from({ length: 200 }, (_, i) => i + 3).join(", ")}]}]`;
    const { app, simulator, scrape } = await runExporter(scenario(ids, faults), DISCOVERY);
    await waitUntilReady(app);
    await until(async () => simulator.callCount({ operation: "ListAccounts" }) >= 6);
    const samples = await scrape();
    expect(
      sampleValue(samples, "kms_keystore_exporter_discovery_refresh_failures_total"),
    ).toBeGreaterThanOrEqual(1);
    expect(
      samplesNamed(samples, "kms_keystore_exporter_target_up")
        .filter((sample) => sample.value === 1)
        .map((sample) => sample.labels.account_id)
        .sort(),
    ).toEqual(ids);
    expect(
      sampleValue(samples, "kms_keystore_exporter_api_request_errors_total", {
        operation: "ListAccounts",
        error: "ServiceException",
      }),
    ).toBeGreaterThanOrEqual(1);
  });
});
