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
    ).rejects.toThrow("ListAccounts: NextToken repeated on page 2; the pages would loop");
    expect(tokens).toEqual([undefined, "same"]);
  });
});

/** An organisation tree: per parent, its accounts and its child OUs. */
type Tree = Record<string, { accounts: string[]; units: string[] }>;

/** A real client answering ListAccounts, ListAccountsForParent and ListChildren from a tree. */
function treeClient(tree: Tree) {
  const client = new OrganizationsClient({ region: "us-east-1" });
  const requests: string[] = [];
  const account = (id: string) => ({ Id: id, Name: `n${id}`, Status: "ACTIVE" });
  client.send = (async (command: { input: Record<string, unknown> }) => {
    const { ParentId, ChildType } = command.input as { ParentId?: string; ChildType?: string };
    if (ParentId === undefined) {
      requests.push("ListAccounts");
      const all = Object.values(tree).flatMap((node) => node.accounts);
      return { $metadata: {}, Accounts: [...new Set(all)].map(account) };
    }
    const node = tree[ParentId] ?? { accounts: [], units: [] };
    if (ChildType !== undefined) {
      requests.push(`ListChildren ${ParentId} ${ChildType}`);
      return { $metadata: {}, Children: node.units.map((Id) => ({ Id, Type: ChildType })) };
    }
    requests.push(`ListAccountsForParent ${ParentId}`);
    return { $metadata: {}, Accounts: node.accounts.map(account) };
  }) as never;
  return { client, requests };
}

const [A, B, C, D] = ["111111111111", "222222222222", "333333333333", "444444444444"];
const TREE: Tree = {
  "r-root": { accounts: [A], units: ["ou-one", "ou-two"] },
  "ou-one": { accounts: [B], units: ["ou-three"] },
  "ou-three": { accounts: [C], units: [] },
  "ou-two": { accounts: [D, A], units: [] },
};

const list = async (
  tree: Tree,
  includeOrganizationalUnits: string[],
  excludeOrganizationalUnits: string[] = [],
) => {
  const { client, requests } = treeClient(tree);
  const operations: string[] = [];
  const members = await listOrganizationMembers(
    client,
    { includeOrganizationalUnits, excludeOrganizationalUnits },
    new AbortController().signal,
    (operation) => operations.push(operation),
  );
  return { ids: members.map((member) => member.id), requests, operations };
};

describe("listOrganizationMembers by organizational unit", () => {
  it("walks an included root or OU down through every child OU, each account once", async () => {
    const { ids, requests, operations } = await list(TREE, ["r-root"]);
    expect(ids).toEqual([A, B, C, D]);
    expect(requests).toEqual([
      "ListAccountsForParent r-root",
      "ListChildren r-root ORGANIZATIONAL_UNIT",
      "ListAccountsForParent ou-one",
      "ListChildren ou-one ORGANIZATIONAL_UNIT",
      "ListAccountsForParent ou-three",
      "ListChildren ou-three ORGANIZATIONAL_UNIT",
      "ListAccountsForParent ou-two",
      "ListChildren ou-two ORGANIZATIONAL_UNIT",
    ]);
    expect(operations).toEqual(requests.map((request) => request.split(" ")[0]));
  });

  it("leaves out the accounts under an excluded OU, nested ones included", async () => {
    expect((await list(TREE, ["r-root"], ["ou-one"])).ids).toEqual([A, D]);
    expect((await list(TREE, [], ["ou-one"])).ids).toEqual([A, D]);
  });

  it("walks an OU included twice (directly and under its root) once", async () => {
    const { ids, requests } = await list(TREE, ["ou-one", "r-root"]);
    expect(ids).toEqual([B, C, A, D]);
    expect(requests.filter((request) => request === "ListAccountsForParent ou-one")).toHaveLength(
      1,
    );
  });

  it("gives up on OUs nested deeper than Organizations allows", async () => {
    const deep: Tree = {};
    for (let level = 0; level < 10; level++)
      deep[`ou-${level}`] = { accounts: [], units: [`ou-${level + 1}`] };
    await expect(list(deep, ["ou-0"])).rejects.toThrow("organizational units nest deeper than 8");
    const allowed: Tree = {};
    for (let level = 0; level < 9; level++)
      allowed[`ou-${level}`] = {
        accounts: level === 8 ? [A] : [],
        units: level < 8 ? [`ou-${level + 1}`] : [],
      };
    expect((await list(allowed, ["ou-0"])).ids).toEqual([A]);
  });
});
