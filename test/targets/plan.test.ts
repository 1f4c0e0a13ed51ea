import { describe, expect, it } from "vitest";
import type { OrganizationsDiscovery } from "../../src/config/types.js";
import type { Account } from "../../src/model.js";
import { memberAccounts } from "../../src/targets/organizations.js";
import {
  mergeAccounts,
  needsCallerIdentity,
  planTargets,
  resolveAccounts,
  targetsOf,
} from "../../src/targets/plan.js";
import { inShard, shardOfAccount } from "../../src/targets/shard.js";

const role = (id: string) => `arn:aws:iam::${id}:role/reader`;

describe("needsCallerIdentity", () => {
  it("is true only when some account uses the default credentials", () => {
    expect(needsCallerIdentity([])).toBe(false);
    expect(needsCallerIdentity([{ roleArn: role("111111111111") }])).toBe(false);
    expect(needsCallerIdentity([{ roleArn: role("111111111111") }, { name: "own" }])).toBe(true);
    expect(needsCallerIdentity([{ name: "own" }, { roleArn: role("111111111111") }])).toBe(true);
  });
});

describe("planTargets", () => {
  const discovered: Account = {
    accountId: "333333333333",
    name: "found",
    roleArn: role("333333333333"),
    externalId: "ext",
    regions: ["eu-west-1"],
  };

  it("plans configured, default and discovered accounts with every field kept", () => {
    const plan = planTargets(
      {
        accounts: [
          { roleArn: role("222222222222"), name: "b", externalId: "x", regions: ["us-west-2"] },
          { name: "own" },
        ],
        regions: ["us-east-1", "eu-central-1"],
        shard: { index: 0, count: 1 },
      },
      "111111111111",
      [discovered],
    );
    expect(plan.accounts).toEqual([
      {
        accountId: "222222222222",
        name: "b",
        roleArn: role("222222222222"),
        externalId: "x",
        regions: ["us-west-2"],
      },
      {
        accountId: "111111111111",
        name: "own",
        roleArn: undefined,
        externalId: undefined,
        regions: ["us-east-1", "eu-central-1"],
      },
      discovered,
    ]);
    expect(plan.targets).toEqual([
      {
        key: "222222222222/us-west-2",
        accountId: "222222222222",
        accountName: "b",
        region: "us-west-2",
      },
      {
        key: "111111111111/us-east-1",
        accountId: "111111111111",
        accountName: "own",
        region: "us-east-1",
      },
      {
        key: "111111111111/eu-central-1",
        accountId: "111111111111",
        accountName: "own",
        region: "eu-central-1",
      },
      {
        key: "333333333333/eu-west-1",
        accountId: "333333333333",
        accountName: "found",
        region: "eu-west-1",
      },
    ]);
  });

  it("keeps only this shard's accounts and their targets", () => {
    const ids = Array.from({ length: 12 }, (_, index) => String(100_000_000_000 + index));
    const config = {
      accounts: ids.map((id) => ({ roleArn: role(id) })),
      regions: ["us-east-1"],
    };
    for (const index of [0, 1, 2]) {
      const plan = planTargets({ ...config, shard: { index, count: 3 } }, undefined, []);
      const mine = ids.filter((id) => shardOfAccount(id, 3) === index);
      expect(plan.accounts.map((account) => account.accountId)).toEqual(mine);
      expect(plan.targets.map((target) => target.accountId)).toEqual(mine);
    }
  });
});

const ids = Array.from({ length: 1_000 }, (_, index) => String(100_000_000_000 + index * 7_919));

describe("sharding", () => {
  it("puts each of 1,000 accounts in exactly one of 4 shards, spread evenly", () => {
    const counts = new Map<number, number>();
    for (const id of ids) {
      const owners = [0, 1, 2, 3].filter((index) => inShard(id, { index, count: 4 }));
      expect(owners).toHaveLength(1);
      const owner = owners[0] as number;
      counts.set(owner, (counts.get(owner) ?? 0) + 1);
    }
    expect([...counts.keys()].sort()).toEqual([0, 1, 2, 3]);
    for (const count of counts.values()) expect(count).toBeGreaterThan(200);
  });

  it("is stable: the same account always lands in the same shard", () => {
    expect(shardOfAccount("111111111111", 4)).toBe(shardOfAccount("111111111111", 4));
    expect(ids.every((id) => inShard(id, { index: 0, count: 1 }))).toBe(true);
  });
});

describe("accounts and targets", () => {
  it("takes account ids from role ARNs and the default credentials' id from the caller", () => {
    const accounts = resolveAccounts(
      [
        { roleArn: "arn:aws:iam::222222222222:role/x", name: "b", regions: ["eu-west-1"] },
        { name: "own" },
      ],
      ["us-east-1"],
      "111111111111",
    );
    expect(targetsOf(accounts).map((target) => target.key)).toEqual([
      "222222222222/eu-west-1",
      "111111111111/us-east-1",
    ]);
    expect(resolveAccounts([{ name: "own" }], ["us-east-1"], undefined)).toEqual([]);
  });

  it("builds discovered accounts from ACTIVE, not excluded members, in their partition", () => {
    const discovery: OrganizationsDiscovery = {
      roleArn: undefined,
      externalId: undefined,
      memberRoleName: "kms-reader",
      memberExternalId: "ext",
      refreshMs: 3_600_000,
      region: "us-east-1",
      excludeAccounts: ["333333333333"],
      includeOrganizationalUnits: [],
      excludeOrganizationalUnits: [],
      regions: undefined,
    };
    const accounts = memberAccounts(
      [
        { id: "111111111111", name: "a", status: "ACTIVE", partition: "aws" },
        { id: "222222222222", name: "b", status: "SUSPENDED", partition: "aws" },
        { id: "333333333333", name: "c", status: "ACTIVE", partition: "aws" },
        { id: "444444444444", name: "d", status: "ACTIVE", partition: "aws-us-gov" },
      ],
      discovery,
      ["us-east-1"],
    );
    expect(accounts).toEqual([
      {
        accountId: "111111111111",
        name: "a",
        roleArn: "arn:aws:iam::111111111111:role/kms-reader",
        externalId: "ext",
        regions: ["us-east-1"],
      },
      {
        accountId: "444444444444",
        name: "d",
        roleArn: "arn:aws-us-gov:iam::444444444444:role/kms-reader",
        externalId: "ext",
        regions: ["us-east-1"],
      },
    ]);
  });

  it("lets a configured account win over the discovered one with the same id", () => {
    const configured = [
      {
        accountId: "111111111111",
        name: "mine",
        roleArn: "arn:aws:iam::111111111111:role/own",
        externalId: undefined,
        regions: ["eu-west-1"],
      },
    ];
    const discovered = [
      {
        accountId: "111111111111",
        name: "org",
        roleArn: "arn:aws:iam::111111111111:role/member",
        externalId: undefined,
        regions: ["us-east-1"],
      },
      {
        accountId: "222222222222",
        name: "other",
        roleArn: "arn:aws:iam::222222222222:role/member",
        externalId: undefined,
        regions: ["us-east-1"],
      },
    ];
    expect(mergeAccounts(configured, discovered).map((account) => account.name)).toEqual([
      "mine",
      "other",
    ]);
  });
});
