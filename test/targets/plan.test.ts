import { describe, expect, it } from "vitest";
import type { Account } from "../../src/model.js";
import { needsCallerIdentity, planTargets } from "../../src/targets/plan.js";
import { shardOfAccount } from "../../src/targets/shard.js";

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
