import { describe, expect, it } from "vitest";
import type { OrganizationsDiscovery } from "../../src/config/types.js";
import { role, runExporter, waitUntilReady } from "../helpers/exporter.js";
import { samplesNamed, sampleValue } from "../helpers/exposition.js";
import { until } from "../helpers/wait.js";

/**
 * Discovery by organizational unit against the simulator's organisation:
 *   r-a1b2: management
 *     ou prod: A
 *       ou prod-eu: B, C (suspended)
 *         ou sandbox: D
 *     ou dev: E
 */
const MANAGEMENT = "999999999999";
const [A, B, C, D, E] = [
  "100000000001",
  "100000000002",
  "100000000003",
  "100000000004",
  "100000000005",
];
const PROD = "ou-a1b2-prod0001";
const PROD_EU = "ou-a1b2-prodeu01";
const SANDBOX = "ou-a1b2-sandbox1";
const DEV = "ou-a1b2-dev00001";

function account(id: string, parent?: string, extra = ""): string {
  return `  - id: "${id}"
${parent ? `    parent: ${parent}\n` : ""}${extra}    regions:
      - region: us-east-1
        stores: [{id: cks-${id}00000, name: s-${id}, state: CONNECTED}]`;
}

const SCENARIO = `organizations:
  managementAccountId: "${MANAGEMENT}"
  pageSize: 1
  organizationalUnits:
    - {id: ${PROD}, name: prod}
    - {id: ${PROD_EU}, name: prod-eu, parent: ${PROD}}
    - {id: ${SANDBOX}, name: sandbox, parent: ${PROD_EU}}
    - {id: ${DEV}, name: dev}
accounts:
${[
  account(MANAGEMENT),
  account(A, PROD),
  account(B, PROD_EU),
  account(C, PROD_EU, "    status: SUSPENDED\n"),
  account(D, SANDBOX),
  account(E, DEV),
].join("\n")}
`;

function discovery(units: Partial<OrganizationsDiscovery>): OrganizationsDiscovery {
  return {
    roleArn: role(MANAGEMENT),
    externalId: undefined,
    memberRoleName: "kms-keystore-exporter",
    memberExternalId: undefined,
    refreshMs: 3_600_000,
    region: "us-east-1",
    excludeAccounts: [],
    includeOrganizationalUnits: [],
    excludeOrganizationalUnits: [],
    regions: undefined,
    ...units,
  };
}

async function polledAccounts(units: Partial<OrganizationsDiscovery>) {
  const running = await runExporter(SCENARIO, { accounts: [], discovery: discovery(units) });
  await waitUntilReady(running.app);
  const samples = await running.scrape();
  const ids = samplesNamed(samples, "kms_keystore_exporter_target_up")
    .map((sample) => sample.labels.account_id)
    .sort();
  return { ...running, ids, samples };
}

describe("discovery by organizational unit", () => {
  it("polls the ACTIVE accounts under the included OUs, recursively, less the excluded OUs", async () => {
    const { ids, simulator, samples } = await polledAccounts({
      includeOrganizationalUnits: [PROD],
      excludeOrganizationalUnits: [SANDBOX],
    });
    expect(ids).toEqual([A, B]);
    // The tree is walked with ListAccountsForParent and ListChildren, never ListAccounts.
    expect(simulator.callCount({ operation: "ListAccounts" })).toBe(0);
    const requests = (operation: string) =>
      sampleValue(samples, "kms_keystore_exporter_api_requests_total", {
        account_id: MANAGEMENT,
        operation,
      });
    expect(requests("ListChildren")).toBe(simulator.callCount({ operation: "ListChildren" }));
    expect(requests("ListAccountsForParent")).toBe(
      simulator.callCount({ operation: "ListAccountsForParent" }),
    );
    expect(requests("ListChildren")).toBeGreaterThanOrEqual(3);
  });

  it("takes a root as the whole organisation, and excludes alone from ListAccounts", async () => {
    expect((await polledAccounts({ includeOrganizationalUnits: ["r-a1b2"] })).ids).toEqual(
      [MANAGEMENT, A, B, D, E].sort(),
    );
    const excluded = await polledAccounts({ excludeOrganizationalUnits: [PROD_EU, DEV] });
    expect(excluded.ids).toEqual([MANAGEMENT, A].sort());
    expect(excluded.simulator.callCount({ operation: "ListAccounts" })).toBeGreaterThan(0);
  });

  it("counts a refresh that fails on an unknown OU under the operation that failed", async () => {
    const { app, scrape } = await runExporter(SCENARIO, {
      accounts: [],
      discovery: discovery({ includeOrganizationalUnits: ["ou-a1b2-gone0001"] }),
    });
    await waitUntilReady(app);
    await until(async () => {
      const samples = await scrape();
      return (
        sampleValue(samples, "kms_keystore_exporter_api_request_errors_total", {
          operation: "ListAccountsForParent",
          error: "ParentNotFoundException",
        }) === 1
      );
    });
    expect(
      sampleValue(await scrape(), "kms_keystore_exporter_discovery_refresh_failures_total"),
    ).toBe(1);
  });
});
