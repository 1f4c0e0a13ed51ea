import { describe, expect, it } from "vitest";
import { betweenKeys, partitionProblems, regionProblems } from "../../src/config/consistency.js";
import type { FileConfig } from "../../src/config/file.js";

const cn = (id: string) => `arn:aws-cn:iam::${id}:role/reader`;
const aws = (id: string) => `arn:aws:iam::${id}:role/reader`;

describe("partitionProblems", () => {
  it.each<[string, FileConfig, string[]]>([
    ["an aws config", { regions: ["us-east-1"], accounts: [{ roleArn: aws("111111111111") }] }, []],
    [
      "a China config with discovery and STS",
      {
        regions: ["cn-north-1"],
        accounts: [{ roleArn: cn("111111111111") }],
        sts: { region: "cn-northwest-1" },
        discovery: {
          organizations: {
            roleArn: cn("999999999999"),
            memberRoleName: "r",
            region: "cn-northwest-1",
          },
        },
      },
      [],
    ],
    [
      "a role whose own regions are outside its partition",
      {
        regions: ["cn-north-1"],
        accounts: [{ roleArn: cn("111111111111"), regions: ["eu-west-1", "eu-central-1"] }],
      },
      [
        'accounts[0].roleArn: "arn:aws-cn:iam::111111111111:role/reader" is in partition aws-cn, but eu-west-1, eu-central-1 are in aws; a role reaches only its own partition\'s regions',
      ],
    ],
    [
      "an account's region list across partitions",
      { accounts: [{ regions: ["us-gov-west-1", "us-east-1"] }] },
      [
        "accounts[0].regions: us-gov-west-1 (aws-us-gov) and us-east-1 (aws) are in different partitions; list one partition's regions",
      ],
    ],
    [
      "discovered members' regions outside the organisation's partition",
      {
        discovery: {
          organizations: {
            roleArn: cn("999999999999"),
            memberRoleName: "r",
            regions: ["us-east-1"],
          },
        },
      },
      [
        'discovery.organizations.roleArn: "arn:aws-cn:iam::999999999999:role/reader" is in partition aws-cn, but us-east-1 is in aws; a role reaches only its own partition\'s regions',
      ],
    ],
  ])("%s", (_case, file, problems) => {
    expect(partitionProblems(file, file.regions ?? ["us-east-1"])).toEqual(problems);
  });

  it("refuses the environment's region when it is not the roles' partition", () => {
    expect(
      partitionProblems({ accounts: [{ roleArn: cn("111111111111") }] }, ["us-east-1"]),
    ).toEqual([
      'accounts[0].roleArn: "arn:aws-cn:iam::111111111111:role/reader" is in partition aws-cn, but us-east-1 is in aws; a role reaches only its own partition\'s regions',
    ]);
  });
});

describe("regionProblems and betweenKeys", () => {
  it("says what to set, with or without a file", () => {
    const none = { regions: [], variable: undefined };
    expect(regionProblems(undefined, {}, none)).toEqual([
      "no region to poll: set AWS_REGION (or AWS_DEFAULT_REGION), or give a config file with regions (--config.file)",
    ]);
    expect(regionProblems("c.yml", { accounts: [{ regions: ["us-east-1"] }, {}] }, none)).toEqual([
      "c.yml: accounts[1].regions: no regions: set them in this entry, or set regions at the top of the file (like regions: [us-east-1]) or AWS_REGION",
    ]);
  });

  it("compares with the defaults of keys that are not set", () => {
    const retry = { maxAttempts: 5, minDelayMs: 200, maxDelayMs: 5_000 };
    expect(betweenKeys({ timeout: 90_000 }, retry, new Set(), 60_000)).toEqual([
      "timeout: 1m30s is longer than interval (1m, the default); a poll would still run when the next is due",
    ]);
    expect(betweenKeys({ timeout: 90_000 }, retry, new Set(["interval"]), 60_000)).toEqual([]);
  });
});
