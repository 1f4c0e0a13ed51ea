/**
 * AWS partitions by region name. An account, its credentials and its roles live in one
 * partition; STS and Organizations must be asked there (an `aws-cn` role cannot be assumed
 * through the STS of us-east-1).
 */
const REGION_PREFIXES: ReadonlyArray<readonly [string, string]> = [
  ["cn-", "aws-cn"],
  ["us-gov-", "aws-us-gov"],
  ["us-isob-", "aws-iso-b"],
  ["us-iso-", "aws-iso"],
  ["eu-isoe-", "aws-iso-e"],
  ["us-isof-", "aws-iso-f"],
];

export function partitionOfRegion(region: string): string {
  return REGION_PREFIXES.find(([prefix]) => region.startsWith(prefix))?.[1] ?? "aws";
}

/**
 * Organizations has one endpoint per partition, signed for this region (the SDK sends any
 * other region of the partition there as well).
 */
const ORGANIZATIONS_REGIONS: Record<string, string> = {
  aws: "us-east-1",
  "aws-cn": "cn-northwest-1",
  "aws-us-gov": "us-gov-west-1",
};

/** Organizations' region in a partition; undefined where none is known (the ISO ones). */
export function organizationsRegionOf(partition: string): string | undefined {
  return ORGANIZATIONS_REGIONS[partition];
}
