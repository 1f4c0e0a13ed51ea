import { describe, expect, it } from "vitest";
import { organizationsRegionOf, partitionOfRegion } from "../../src/aws/partition.js";

describe("partitions", () => {
  it.each([
    ["us-east-1", "aws"],
    ["eu-central-2", "aws"],
    ["ap-southeast-5", "aws"],
    ["cn-north-1", "aws-cn"],
    ["cn-northwest-1", "aws-cn"],
    ["us-gov-west-1", "aws-us-gov"],
    ["us-gov-east-1", "aws-us-gov"],
    ["us-iso-east-1", "aws-iso"],
    ["us-isob-east-1", "aws-iso-b"],
    ["eu-isoe-west-1", "aws-iso-e"],
    ["us-isof-south-1", "aws-iso-f"],
  ])("%s is in %s", (region, partition) => {
    expect(partitionOfRegion(region)).toBe(partition);
  });

  it("knows Organizations' region in the commercial, China and GovCloud partitions", () => {
    expect(organizationsRegionOf("aws")).toBe("us-east-1");
    expect(organizationsRegionOf("aws-cn")).toBe("cn-northwest-1");
    expect(organizationsRegionOf("aws-us-gov")).toBe("us-gov-west-1");
    expect(organizationsRegionOf("aws-iso")).toBeUndefined();
  });
});
