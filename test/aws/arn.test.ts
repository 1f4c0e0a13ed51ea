import { describe, expect, it } from "vitest";
import { accountIdOfRoleArn, partitionOfArn, ROLE_ARN, roleArnOf } from "../../src/aws/arn.js";

describe("ARNs", () => {
  it.each([
    ["arn:aws:iam::111111111111:role/reader", "111111111111", "aws"],
    ["arn:aws-cn:iam::222222222222:role/reader", "222222222222", "aws-cn"],
    ["arn:aws-us-gov:iam::333333333333:role/service-role/reader", "333333333333", "aws-us-gov"],
  ])("reads the account and partition of %s", (arn, accountId, partition) => {
    expect(ROLE_ARN.test(arn)).toBe(true);
    expect(accountIdOfRoleArn(arn)).toBe(accountId);
    expect(partitionOfArn(arn)).toBe(partition);
  });

  it.each([
    "arn:aws:iam::11111111111:role/short-account",
    "arn:aws:iam::111111111111:user/not-a-role",
    "arn:aws:sts::111111111111:role/wrong-service",
    "arn:gcp:iam::111111111111:role/x",
    "arn:aws:iam::111111111111:role/",
    " arn:aws:iam::111111111111:role/x",
  ])("refuses %s as a role ARN", (arn) => {
    expect(ROLE_ARN.test(arn)).toBe(false);
    expect(accountIdOfRoleArn(arn)).toBeUndefined();
  });

  it("has no partition for what is not an ARN", () => {
    expect(partitionOfArn("role/x")).toBeUndefined();
    expect(partitionOfArn("arn:aws-us-gov:organizations::1:account/o-1/2")).toBe("aws-us-gov");
  });

  it("builds a role ARN that it reads back", () => {
    const arn = roleArnOf("aws-cn", "444444444444", "path/reader");
    expect(arn).toBe("arn:aws-cn:iam::444444444444:role/path/reader");
    expect(accountIdOfRoleArn(arn)).toBe("444444444444");
  });
});
