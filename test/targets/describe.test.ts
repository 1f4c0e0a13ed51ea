import { describe, expect, it } from "vitest";
import { defaultConfig } from "../../src/config/load.js";
import { describeConfig } from "../../src/targets/describe.js";
import { inShard } from "../../src/targets/shard.js";

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
});
