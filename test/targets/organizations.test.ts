import {
  type ListAccountsCommand,
  type ListAccountsCommandOutput,
  OrganizationsClient,
} from "@aws-sdk/client-organizations";
import { describe, expect, it } from "vitest";
import { listOrganizationMembers } from "../../src/targets/organizations.js";

/** No organizational unit filter: every account, through ListAccounts. */
const ALL = { includeOrganizationalUnits: [], excludeOrganizationalUnits: [] };

/** A real client (the paginator insists on one) whose answers the test scripts. */
function clientAnswering(pages: Array<Partial<ListAccountsCommandOutput>>) {
  const client = new OrganizationsClient({ region: "us-east-1" });
  const tokens: Array<string | undefined> = [];
  client.send = (async (command: ListAccountsCommand) => {
    tokens.push(command.input.NextToken);
    return { $metadata: {}, ...pages.shift() };
  }) as never;
  return { client, tokens };
}

const arn = (partition: string, id: string) =>
  `arn:${partition}:organizations::999999999999:account/o-abc/${id}`;

describe("listOrganizationMembers", () => {
  it("reads every page, counting each request, with the partition of each member's ARN", async () => {
    const { client, tokens } = clientAnswering([
      {
        Accounts: [
          { Id: "111111111111", Name: "one", Status: "ACTIVE", Arn: arn("aws", "111111111111") },
        ],
        NextToken: "t1",
      },
      {
        Accounts: [
          {
            Id: "222222222222",
            Name: "gov",
            Status: "SUSPENDED",
            Arn: arn("aws-us-gov", "222222222222"),
          },
          { Id: "333333333333", Name: "no arn", Status: "ACTIVE" },
          { Id: "444444444444", Status: "ACTIVE", Arn: "not an arn:aws-cn:x" },
        ],
      },
    ]);
    let pages = 0;
    const members = await listOrganizationMembers(client, ALL, new AbortController().signal, () => {
      pages++;
    });
    expect(pages).toBe(2);
    expect(tokens).toEqual([undefined, "t1"]);
    expect(members).toEqual([
      { id: "111111111111", name: "one", status: "ACTIVE", partition: "aws" },
      { id: "222222222222", name: "gov", status: "SUSPENDED", partition: "aws-us-gov" },
      { id: "333333333333", name: "no arn", status: "ACTIVE", partition: "aws" },
      { id: "444444444444", name: undefined, status: "ACTIVE", partition: "aws" },
    ]);
  });

  it("skips entries without a 12-digit account id, and pages without accounts", async () => {
    const { client } = clientAnswering([
      { NextToken: "t1" },
      {
        Accounts: [
          { Name: "no id", Status: "ACTIVE" },
          { Id: "12345", Status: "ACTIVE" },
          { Id: "x111111111111", Status: "ACTIVE" },
          { Id: "1111111111112", Status: "ACTIVE" },
          { Id: "555555555555", Status: "ACTIVE" },
        ],
      },
    ]);
    const members = await listOrganizationMembers(
      client,
      ALL,
      new AbortController().signal,
      () => {},
    );
    expect(members.map((member) => member.id)).toEqual(["555555555555"]);
  });

  it("stops after the page during which it was aborted", async () => {
    const controller = new AbortController();
    const { client, tokens } = clientAnswering([
      { Accounts: [], NextToken: "t1" },
      { Accounts: [] },
    ]);
    const listed = listOrganizationMembers(client, ALL, controller.signal, () =>
      controller.abort(new Error("stopping")),
    );
    await expect(listed).rejects.toThrow("stopping");
    expect(tokens).toEqual([undefined]);
  });

  it("fails when ListAccounts repeats its NextToken instead of looping", async () => {
    const { client, tokens } = clientAnswering(
      Array.from({ length: 50 }, () => ({ Accounts: [], NextToken: "same" })),
    );
    await expect(
      listOrganizationMembers(client, ALL, new AbortController().signal, () => {}),
    ).rejects.toThrow("ListAccounts repeated its NextToken");
    expect(tokens).toEqual([undefined, "same"]);
  });
});
