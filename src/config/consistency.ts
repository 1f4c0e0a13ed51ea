import { partitionOfArn } from "../aws/arn.js";
import { partitionOfRegion } from "../aws/partition.js";
import { formatDuration } from "./duration.js";
import { type FileConfig, REGION } from "./file.js";
import type { RetryPolicy } from "./types.js";

/**
 * Checks that look at more than one key of the config, or at the environment beside it.
 * Each returns its problems. betweenKeys and partitionProblems are about the file only, and
 * the caller prefixes them with its name; regionProblems also speaks of the environment, so
 * it prefixes its own.
 */

/** Where the default regions came from, for messages that say what to set. */
export interface DefaultRegions {
  regions: string[];
  /** The environment variable they came from; undefined when from the file or nowhere. */
  variable: "AWS_REGION" | "AWS_DEFAULT_REGION" | undefined;
}

/** Region list for accounts that do not name their own: the file's, else the SDK's variables. */
export function defaultRegions(file: FileConfig, env: NodeJS.ProcessEnv): DefaultRegions {
  if (file.regions) return { regions: file.regions, variable: undefined };
  if (env.AWS_REGION) return { regions: [env.AWS_REGION], variable: "AWS_REGION" };
  if (env.AWS_DEFAULT_REGION)
    return { regions: [env.AWS_DEFAULT_REGION], variable: "AWS_DEFAULT_REGION" };
  return { regions: [], variable: undefined };
}

/**
 * Every account must end up with regions, from its entry, the file or the environment.
 * Messages say which of those to set; `fileName` is undefined when there is no file.
 */
export function regionProblems(
  fileName: string | undefined,
  file: FileConfig,
  defaults: DefaultRegions,
): string[] {
  const problems: string[] = [];
  if (defaults.variable !== undefined && !REGION.test(defaults.regions[0] ?? "")) {
    problems.push(
      `${defaults.variable}: ${JSON.stringify(defaults.regions[0])} is not an AWS region name (like us-east-1)`,
    );
  }
  if (defaults.regions.length > 0) return problems;
  if (fileName === undefined) {
    problems.push(
      "no region to poll: set AWS_REGION (or AWS_DEFAULT_REGION), or give a config file with regions (--config.file)",
    );
    return problems;
  }
  const fix = "set regions at the top of the file (like regions: [us-east-1]) or AWS_REGION";
  const discovery = file.discovery?.organizations;
  if (discovery && !discovery.regions) {
    problems.push(
      `${fileName}: discovery.organizations.regions: no regions: set them here, or ${fix}`,
    );
  }
  if (file.accounts === undefined && !discovery) {
    problems.push(`${fileName}: regions: no regions to poll: ${fix}`);
  }
  file.accounts?.forEach((account, index) => {
    if (!account.regions)
      problems.push(
        `${fileName}: accounts[${index}].regions: no regions: set them in this entry, or ${fix}`,
      );
  });
  return problems;
}

/**
 * Checks between keys of the file, made on the keys that are valid on their own so they are
 * reported together with every other problem, and against the defaults of keys not set.
 */
export function betweenKeys(
  file: FileConfig,
  retry: RetryPolicy,
  invalid: Set<string>,
  defaultIntervalMs: number,
): string[] {
  const problems: string[] = [];
  // A default standing in for a key the user got wrong would only confuse.
  if (["interval", "timeout", "maxStaleness", "retry"].some((key) => invalid.has(key))) {
    return problems;
  }
  const interval = file.interval ?? defaultIntervalMs;
  const intervalText = `interval (${formatDuration(interval)}${file.interval === undefined ? ", the default" : ""})`;
  if (file.timeout !== undefined && file.timeout > interval) {
    problems.push(
      `timeout: ${formatDuration(file.timeout)} is longer than ${intervalText}; a poll would still run when the next is due`,
    );
  }
  if (file.maxStaleness !== undefined && file.maxStaleness < interval) {
    problems.push(
      `maxStaleness: ${formatDuration(file.maxStaleness)} is shorter than ${intervalText}; every series would flap`,
    );
  }
  if (
    !invalid.has("enrich") &&
    file.enrich?.interval !== undefined &&
    file.enrich.interval < interval
  ) {
    problems.push(
      `enrich.interval: ${formatDuration(file.enrich.interval)} is shorter than ${intervalText}; enrichments run after a poll, at most once each`,
    );
  }
  if (retry.minDelayMs > retry.maxDelayMs) {
    problems.push(
      `retry.minDelay: ${formatDuration(retry.minDelayMs)} is longer than retry.maxDelay (${formatDuration(retry.maxDelayMs)}${file.retry?.maxDelay === undefined ? ", the default" : ""})`,
    );
  }
  return problems;
}

/** "us-east-1 is" / "us-east-1 and eu-west-1 are", for messages about regions. */
function regionsAre(regions: string[]): string {
  return `${regions.join(", ")} ${regions.length === 1 ? "is" : "are"}`;
}

/** Problems of a region list that spans partitions; [] when it is in one. */
function mixedList(where: string, regions: string[]): string[] {
  const partitions = [...new Set(regions.map(partitionOfRegion))];
  if (partitions.length < 2) return [];
  const byPartition = partitions.map(
    (partition) =>
      `${regions.filter((region) => partitionOfRegion(region) === partition).join(", ")} (${partition})`,
  );
  return [
    `${where}: ${byPartition.join(" and ")} are in different partitions; list one partition's regions`,
  ];
}

/** Regions outside the partition of the role that is to reach them. */
function foreignRegions(where: string, roleArn: string, regions: string[]): string[] {
  const partition = partitionOfArn(roleArn);
  const foreign = regions.filter((region) => partitionOfRegion(region) !== partition);
  if (foreign.length === 0) return [];
  return [
    `${where}: ${JSON.stringify(roleArn)} is in partition ${partition}, but ${regionsAre(foreign)} in ${partitionOfRegion(foreign[0] ?? "")}; a role reaches only its own partition's regions`,
  ];
}

/**
 * An account, its roles and its regions are in one partition (aws, aws-cn, aws-us-gov), and
 * credentials of one partition cannot assume a role in another: one exporter serves one
 * partition. `defaults` are the regions of accounts that name none.
 */
export function partitionProblems(file: FileConfig, defaults: string[]): string[] {
  const problems: string[] = [];
  /** Where each partition the config uses first appears, for the one-partition check. */
  const used = new Map<string, string>();
  const use = (partition: string | undefined, where: string) => {
    if (partition !== undefined && !used.has(partition)) used.set(partition, where);
  };
  const roles: Array<[string, string]> = [];
  if (file.regions) problems.push(...mixedList("regions", file.regions));
  for (const region of defaults) use(partitionOfRegion(region), file.regions ? "regions" : region);
  file.accounts?.forEach((account, index) => {
    const at = `accounts[${index}]`;
    const regions = account.regions ?? defaults;
    if (account.regions) problems.push(...mixedList(`${at}.regions`, account.regions));
    for (const region of regions) use(partitionOfRegion(region), `${at}.regions`);
    if (account.roleArn === undefined) return;
    roles.push([`${at}.roleArn`, account.roleArn]);
    problems.push(...foreignRegions(`${at}.roleArn`, account.roleArn, regions));
  });
  const organizations = file.discovery?.organizations;
  if (organizations) {
    const at = "discovery.organizations";
    const regions = organizations.regions ?? defaults;
    if (organizations.regions) problems.push(...mixedList(`${at}.regions`, organizations.regions));
    for (const region of regions) use(partitionOfRegion(region), `${at}.regions`);
    if (organizations.region) use(partitionOfRegion(organizations.region), `${at}.region`);
    if (organizations.roleArn) {
      roles.push([`${at}.roleArn`, organizations.roleArn]);
      const where = `${at}.roleArn`;
      problems.push(...foreignRegions(where, organizations.roleArn, regions));
      const rolePartition = partitionOfArn(organizations.roleArn);
      if (organizations.region && partitionOfRegion(organizations.region) !== rolePartition)
        problems.push(
          `${at}.region: ${organizations.region} is in partition ${partitionOfRegion(organizations.region)}, but ${where} is in ${rolePartition}; Organizations is asked in the role's partition`,
        );
    }
  }
  const stsRegion = file.sts?.region;
  if (stsRegion) {
    use(partitionOfRegion(stsRegion), "sts.region");
    for (const [where, roleArn] of roles) {
      if (partitionOfArn(roleArn) !== partitionOfRegion(stsRegion))
        problems.push(
          `sts.region: ${stsRegion} is in partition ${partitionOfRegion(stsRegion)}, but ${where} is in ${partitionOfArn(roleArn)}; STS assumes a role only in its own partition`,
        );
    }
  }
  for (const [where, roleArn] of roles) use(partitionOfArn(roleArn), where);
  if (problems.length === 0 && used.size > 1) {
    const spans = [...used].map(([partition, where]) => `${partition} (${where})`).join(", ");
    problems.push(
      `the config spans partitions ${spans}; credentials belong to one partition, so run one exporter per partition`,
    );
  }
  return problems;
}
