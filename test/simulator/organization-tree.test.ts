import {
  ListAccountsForParentCommand,
  ListChildrenCommand,
  paginateListAccountsForParent,
  paginateListChildren,
} from "@aws-sdk/client-organizations";
import { describe, expect, it } from "vitest";
import { organizationsClient, simulate } from "../helpers/simulator.js";

/**
 * The organisation's tree through the real SDK: root r-a1b2 holds the management account
 * and OU prod, which holds OU prod-eu (two accounts) and one account of its own.
 */
const MANAGEMENT = "100000000000";
const PROD = "ou-a1b2-prod0001";
const PROD_EU = "ou-a1b2-prodeu01";
const SCENARIO = `
defaultAccountId: "${MANAGEMENT}"
organizations:
  managementAccountId: "${MANAGEMENT}"
  pageSize: 1
  organizationalUnits:
    - {id: ${PROD}, name: prod}
    - {id: ${PROD_EU}, name: prod-eu, parent: ${PROD}}
accounts:
  - {id: "${MANAGEMENT}"}
  - {id: "100000000001", parent: ${PROD}}
  - {id: "100000000002", parent: ${PROD_EU}}
  - {id: "100000000003", parent: ${PROD_EU}}
`;

describe("Organizations ListChildren and ListAccountsForParent through the real SDK", () => {
  it("lists OUs and accounts under a parent, a page at a time", async () => {
    const simulator = await simulate(SCENARIO);
    const client = organizationsClient(simulator);
    const children = async (ParentId: string, ChildType: "ACCOUNT" | "ORGANIZATIONAL_UNIT") => {
      const ids: string[] = [];
      for await (const page of paginateListChildren({ client }, { ParentId, ChildType }))
        ids.push(...(page.Children ?? []).map((child) => `${child.Type}:${child.Id}`));
      return ids;
    };
    expect(await children("r-a1b2", "ORGANIZATIONAL_UNIT")).toEqual([
      `ORGANIZATIONAL_UNIT:${PROD}`,
    ]);
    expect(await children("r-a1b2", "ACCOUNT")).toEqual([`ACCOUNT:${MANAGEMENT}`]);
    expect(await children(PROD, "ORGANIZATIONAL_UNIT")).toEqual([`ORGANIZATIONAL_UNIT:${PROD_EU}`]);
    const accounts: string[] = [];
    for await (const page of paginateListAccountsForParent({ client }, { ParentId: PROD_EU }))
      accounts.push(...(page.Accounts ?? []).map((account) => `${account.Id}:${account.Status}`));
    expect(accounts).toEqual(["100000000002:ACTIVE", "100000000003:ACTIVE"]);
    // pageSize 1: one call per account.
    expect(simulator.callCount({ operation: "ListAccountsForParent" })).toBe(2);
  });

  it("answers ParentNotFoundException and InvalidInputException as AWS does", async () => {
    const simulator = await simulate(SCENARIO);
    const client = organizationsClient(simulator);
    await expect(
      client.send(new ListAccountsForParentCommand({ ParentId: "ou-a1b2-nothere1" })),
    ).rejects.toMatchObject({ name: "ParentNotFoundException" });
    await expect(
      client.send(new ListChildrenCommand({ ParentId: PROD, ChildType: "POLICY" as "ACCOUNT" })),
    ).rejects.toMatchObject({ name: "InvalidInputException" });
  });
});
