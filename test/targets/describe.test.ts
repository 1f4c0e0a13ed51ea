import { describe, expect, it } from "vitest";
import { describeConfig } from "../../src/targets/describe.js";
import { inShard } from "../../src/targets/shard.js";
import { defaultConfig } from "../helpers/config.js";

const role = (id: string) => `arn:aws:iam::${id}:role/reader`;

describe("describeConfig", () => {
  it("lists this shard's accounts with their regions and counts the targets", () => {
    const ids = ["111111111111", "222222222222", "333333333333", "444444444444"];
    const shard = { index: 1, count: 2 };
    const text = describeConfig(
      defaultConfig({
        configFile: "/etc/kms.yml",
        regions: ["us-east-1", "eu-west-1"],
        shard,
        accounts: [...ids.map((id) => ({ roleArn: role(id), name: `n${id}` })), { name: "own" }],
      }),
    );
    const mine = ids.filter((id) => inShard(id, shard));
    expect(mine.length).toBeGreaterThan(0);
    expect(mine.length).toBeLessThan(ids.length);
    expect(text).toContain("config OK: /etc/kms.yml\n");
    expect(text).toContain("interval 1m, timeout 30s, concurrency 16, shard 1 of 2\n");
    expect(text).toContain(
      "partition aws; AssumeRole and GetCallerIdentity through STS in each account's first region\n",
    );
    expect(text).toContain(`accounts in this shard (${mine.length + 1}):\n`);
    for (const id of ids) {
      const line = `  ${id} (n${id}) via ${role(id)}: us-east-1, eu-west-1\n`;
      if (mine.includes(id)) expect(text).toContain(line);
      else expect(text).not.toContain(line);
    }
    expect(text).toContain(
      "  the default credentials' account (own), found with sts:GetCallerIdentity at start: us-east-1, eu-west-1\n",
    );
    expect(text).toMatch(
      new RegExp(`targets \\(accounts × regions\\): ${(mine.length + 1) * 2}\\n$`),
    );
  });

  it("describes discovery and says the count is before it", () => {
    const text = describeConfig(
      defaultConfig({
        regions: ["us-east-1"],
        accounts: [],
        discovery: {
          roleArn: role("999999999999"),
          externalId: undefined,
          memberRoleName: "kms-reader",
          memberExternalId: undefined,
          refreshMs: 3_600_000,
          region: "us-east-1",
          excludeAccounts: ["555555555555"],
          includeOrganizationalUnits: ["ou-a1b2-prod0001", "r-a1b2"],
          excludeOrganizationalUnits: ["ou-a1b2-sandbox1"],
          regions: ["eu-west-1"],
        },
      }),
    );
    expect(text).toContain(
      `plus every ACTIVE account of the organization (ListAccounts in us-east-1 via ${role("999999999999")}, every 1h), through role kms-reader, in eu-west-1, only under ou-a1b2-prod0001, r-a1b2, not under ou-a1b2-sandbox1, except 555555555555\n`,
    );
    expect(text).toContain("targets (accounts × regions): 0 before discovery\n");
    expect(text).toContain("config OK\n");
  });

  it("describes discovery through the default credentials without OU or account filters", () => {
    const text = describeConfig(
      defaultConfig({
        regions: ["us-east-1"],
        accounts: [],
        discovery: {
          roleArn: undefined,
          externalId: undefined,
          memberRoleName: "kms-reader",
          memberExternalId: undefined,
          refreshMs: 600_000,
          region: "us-east-1",
          excludeAccounts: [],
          includeOrganizationalUnits: [],
          excludeOrganizationalUnits: [],
          regions: undefined,
        },
      }),
    );
    expect(text).toContain(
      "plus every ACTIVE account of the organization (ListAccounts in us-east-1 via the default credentials, every 10m), through role kms-reader, in us-east-1\n",
    );
  });

  it.each([
    [{ regions: ["cn-north-1"] }, "partition aws-cn"],
    [
      {
        regions: [],
        accounts: [
          { roleArn: "arn:aws-us-gov:iam::111111111111:role/r", regions: ["us-gov-west-1"] },
        ],
      },
      "partition aws-us-gov",
    ],
    [{ regions: [], accounts: [] }, "partition aws"],
  ])("names the partition of the config's regions (%j)", (overrides, expected) => {
    expect(describeConfig(defaultConfig(overrides)).split("\n")[2]).toBe(
      `${expected}; AssumeRole and GetCallerIdentity through STS in each account's first region`,
    );
  });

  it("names the discovery region's partition and a configured STS region", () => {
    const text = describeConfig(
      defaultConfig({
        regions: [],
        accounts: [],
        stsRegion: "cn-northwest-1",
        discovery: {
          roleArn: undefined,
          externalId: undefined,
          memberRoleName: "r",
          memberExternalId: undefined,
          refreshMs: 600_000,
          region: "cn-northwest-1",
          excludeAccounts: [],
          includeOrganizationalUnits: [],
          excludeOrganizationalUnits: [],
          regions: undefined,
        },
      }),
    );
    expect(text.split("\n")[2]).toBe(
      "partition aws-cn; AssumeRole and GetCallerIdentity through STS in cn-northwest-1",
    );
  });

  it("prints the global store filter and an account's own", () => {
    const text = describeConfig(
      defaultConfig({
        regions: ["us-east-1"],
        stores: { include: [/^prod-/], exclude: undefined, types: undefined },
        accounts: [
          {
            roleArn: role("111111111111"),
            stores: { include: undefined, exclude: [/-sandbox$/], types: ["AWS_CLOUDHSM"] },
          },
          { roleArn: role("222222222222") },
        ],
      }),
    );
    expect(text).toContain("stores: include ^prod-\n");
    expect(text).toContain(
      `  111111111111 via ${role("111111111111")}: us-east-1 (stores: exclude -sandbox$; types AWS_CLOUDHSM)\n`,
    );
    expect(text).toContain(`  222222222222 via ${role("222222222222")}: us-east-1\n`);
    expect(describeConfig(defaultConfig({ regions: ["us-east-1"] }))).toContain("stores: all\n");
  });
});
