import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { runCli } from "../helpers/cli.js";

/** Partitions and role paths as --config.check sees them, through the built CLI. */
const dir = mkdtempSync(join(tmpdir(), "kms-partitions-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function check(name: string, lines: string[]) {
  const path = join(dir, name);
  writeFileSync(path, `${lines.join("\n")}\n`);
  const result = await runCli([`--config.file=${path}`, "--config.check"], {
    AWS_REGION: undefined,
    AWS_DEFAULT_REGION: undefined,
  });
  const problems = result.stderr
    .trimEnd()
    .split("\n")
    .filter(Boolean)
    .map((line) => line.replace(/^kms-keystore-exporter: /, "").replace(`${path}: `, ""));
  return { ...result, problems };
}

describe("partitions through --config.check", () => {
  it("accepts a China account and organisation, with Organizations in cn-northwest-1", async () => {
    const result = await check("china.yml", [
      "regions: [cn-north-1, cn-northwest-1]",
      "accounts:",
      "  - roleArn: arn:aws-cn:iam::111111111111:role/kms-keystore-exporter-reader",
      "discovery:",
      "  organizations:",
      "    roleArn: arn:aws-cn:iam::999999999999:role/kms-keystore-exporter-reader",
      "    memberRoleName: kms-keystore-exporter-reader",
    ]);
    expect(result.problems).toEqual([]);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(
      "partition aws-cn; AssumeRole and GetCallerIdentity through STS in each account's first region\n",
    );
    expect(result.stdout).toContain(
      "111111111111 via arn:aws-cn:iam::111111111111:role/kms-keystore-exporter-reader: cn-north-1, cn-northwest-1\n",
    );
    expect(result.stdout).toContain(
      "(ListAccounts in cn-northwest-1 via arn:aws-cn:iam::999999999999:",
    );
  });

  it("accepts GovCloud with sts.region, discovery.organizations.region and a member role path", async () => {
    const result = await check("govcloud.yml", [
      "regions: [us-gov-west-1, us-gov-east-1]",
      "sts: {region: us-gov-east-1}",
      "discovery:",
      "  organizations:",
      "    region: us-gov-east-1",
      "    memberRoleName: service-role/kms-keystore-exporter-reader",
    ]);
    expect(result.problems).toEqual([]);
    expect(result.stdout).toContain(
      "partition aws-us-gov; AssumeRole and GetCallerIdentity through STS in us-gov-east-1\n",
    );
    expect(result.stdout).toContain("(ListAccounts in us-gov-east-1 via the default credentials");
    expect(result.stdout).toContain("through role service-role/kms-keystore-exporter-reader,");
  });

  it("defaults Organizations to us-gov-west-1 for a GovCloud organisation", async () => {
    const result = await check("govcloud-default.yml", [
      "regions: [us-gov-east-1]",
      "discovery: {organizations: {memberRoleName: reader}}",
    ]);
    expect(result.stdout).toContain("(ListAccounts in us-gov-west-1 ");
  });

  it("refuses a role ARN whose partition is not its regions'", async () => {
    const result = await check("cn-role-us-region.yml", [
      "regions: [us-east-1]",
      "accounts:",
      "  - roleArn: arn:aws-cn:iam::111111111111:role/reader",
    ]);
    expect(result.code).toBe(2);
    expect(result.problems).toEqual([
      'accounts[0].roleArn: "arn:aws-cn:iam::111111111111:role/reader" is in partition aws-cn, but us-east-1 is in aws; a role reaches only its own partition\'s regions',
    ]);
  });

  it("refuses regions, STS and Organizations outside the roles' partition", async () => {
    const result = await check("mixed.yml", [
      "regions: [us-east-1, cn-north-1]",
      "sts: {region: us-east-1}",
      "accounts:",
      "  - roleArn: arn:aws-cn:iam::222222222222:role/reader",
      "    regions: [cn-north-1]",
      "discovery:",
      "  organizations:",
      "    roleArn: arn:aws-us-gov:iam::999999999999:role/reader",
      "    region: us-east-1",
      "    memberRoleName: reader",
      "    regions: [us-gov-west-1]",
    ]);
    expect(result.code).toBe(2);
    expect(result.problems.sort()).toEqual(
      [
        "regions: us-east-1 (aws) and cn-north-1 (aws-cn) are in different partitions; list one partition's regions",
        "discovery.organizations.region: us-east-1 is in partition aws, but discovery.organizations.roleArn is in aws-us-gov; Organizations is asked in the role's partition",
        "sts.region: us-east-1 is in partition aws, but accounts[0].roleArn is in aws-cn; STS assumes a role only in its own partition",
        "sts.region: us-east-1 is in partition aws, but discovery.organizations.roleArn is in aws-us-gov; STS assumes a role only in its own partition",
      ].sort(),
    );
  });

  it("refuses a config that spans partitions, each part consistent on its own", async () => {
    const result = await check("spans.yml", [
      "accounts:",
      "  - roleArn: arn:aws:iam::111111111111:role/reader",
      "    regions: [us-east-1]",
      "  - roleArn: arn:aws-cn:iam::222222222222:role/reader",
      "    regions: [cn-north-1]",
    ]);
    expect(result.code).toBe(2);
    expect(result.problems).toEqual([
      "the config spans partitions aws (accounts[0].regions), aws-cn (accounts[1].regions); credentials belong to one partition, so run one exporter per partition",
    ]);
  });

  it("accepts role paths in memberRoleName and role ARNs, and refuses malformed ones", async () => {
    const good = await check("paths.yml", [
      "regions: [us-east-1]",
      "accounts:",
      "  - roleArn: arn:aws:iam::111111111111:role/service-role/team/reader",
      "discovery: {organizations: {memberRoleName: service-role/team/reader}}",
    ]);
    expect(good.problems).toEqual([]);
    const bad = await check("bad-paths.yml", [
      "regions: [us-east-1]",
      "discovery: {organizations: {memberRoleName: /service-role//reader}}",
    ]);
    expect(bad.code).toBe(2);
    expect(bad.problems).toEqual([
      'discovery.organizations.memberRoleName: "/service-role//reader" is not an IAM role name: up to 64 letters, digits and +=,.@_-, after an optional path like service-role/',
    ]);
  });
});
