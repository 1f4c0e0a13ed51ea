import { describe, expect, it } from "vitest";
import type { Config } from "../../src/config/types.js";
import { runExporter, waitUntilReady } from "../helpers/exporter.js";
import { samplesNamed } from "../helpers/exposition.js";

/**
 * An organisation in the China partition, polled through the real SDK: STS, Organizations
 * and KMS are each asked in a region of aws-cn, and the member roles (with an IAM path)
 * come out in arn:aws-cn. The simulator records the region each call was signed for.
 */
const MANAGEMENT = "999999999999";
const MEMBERS = ["100000000001", "100000000002"];

const SCENARIO = `organizations: {managementAccountId: "${MANAGEMENT}"}
accounts:
${[MANAGEMENT, ...MEMBERS]
  .map(
    (id) => `  - id: "${id}"
    regions:
      - region: cn-north-1
        stores: [{id: cks-${id}00000, name: s-${id}, state: CONNECTED}]`,
  )
  .join("\n")}
`;

function chinaConfig(overrides: Partial<Config> = {}): Partial<Config> {
  return {
    accounts: [],
    regions: ["cn-north-1"],
    discovery: {
      roleArn: `arn:aws-cn:iam::${MANAGEMENT}:role/kms-keystore-exporter-reader`,
      externalId: undefined,
      memberRoleName: "service-role/kms-keystore-exporter-reader",
      memberExternalId: undefined,
      refreshMs: 3_600_000,
      region: "cn-northwest-1",
      excludeAccounts: [MANAGEMENT],
      includeOrganizationalUnits: [],
      excludeOrganizationalUnits: [],
      regions: undefined,
    },
    ...overrides,
  };
}

describe("partitions against the simulator", () => {
  it("asks STS, Organizations and KMS in the China partition, and assumes roles with a path", async () => {
    const { app, simulator, scrape } = await runExporter(SCENARIO, chinaConfig());
    await waitUntilReady(app);
    const up = samplesNamed(await scrape(), "kms_keystore_exporter_target_up").filter(
      (sample) => sample.value === 1,
    );
    expect(
      up.map((sample) => `${sample.labels.account_id}/${sample.labels.region}`).sort(),
    ).toEqual(MEMBERS.map((id) => `${id}/cn-north-1`));
    const calls = simulator.calls;
    const regionsOf = (operation: string) => [
      ...new Set(calls.filter((call) => call.operation === operation).map((call) => call.region)),
    ];
    expect(regionsOf("ListAccounts")).toEqual(["cn-northwest-1"]);
    expect(regionsOf("DescribeCustomKeyStores")).toEqual(["cn-north-1"]);
    const assumed = calls.filter((call) => call.operation === "AssumeRole");
    // The organisation's role in Organizations' region, each member's in its own first region.
    expect(
      assumed.filter((call) => call.accountId === MANAGEMENT).map((call) => call.region),
    ).toEqual(["cn-northwest-1"]);
    const memberRoles = assumed.filter((call) => call.accountId !== MANAGEMENT);
    expect(new Set(memberRoles.map((call) => call.region))).toEqual(new Set(["cn-north-1"]));
    expect(memberRoles.map((call) => call.roleArn).sort()).toEqual(
      MEMBERS.map((id) => `arn:aws-cn:iam::${id}:role/service-role/kms-keystore-exporter-reader`),
    );
  });

  it("asks STS in sts.region when it is set", async () => {
    const { app, simulator } = await runExporter(
      SCENARIO,
      chinaConfig({ stsRegion: "cn-northwest-1" }),
    );
    await waitUntilReady(app);
    const assumed = simulator.calls.filter((call) => call.operation === "AssumeRole");
    expect(assumed.length).toBeGreaterThanOrEqual(3);
    expect(new Set(assumed.map((call) => call.region))).toEqual(new Set(["cn-northwest-1"]));
  });
});
