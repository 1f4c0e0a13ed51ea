import { partitionOfRegion } from "../aws/partition.js";
import { formatDuration } from "../config/duration.js";
import type { Config, StoreFilter } from "../config/types.js";
import { planTargets } from "./plan.js";
import { describeStoreFilter } from "./store-filter.js";

/** The partition the config is in (load.ts refuses configs that span several), and STS's region. */
function partitionLine(config: Config): string {
  const regions = [
    ...config.regions,
    ...config.accounts.flatMap((account) => account.regions ?? []),
    ...(config.discovery ? [config.discovery.region] : []),
  ];
  const partition = regions[0] === undefined ? "aws" : partitionOfRegion(regions[0]);
  const sts = config.stsRegion ?? "each account's first region";
  return `partition ${partition}; AssumeRole and GetCallerIdentity through STS in ${sts}`;
}

/** What --config.check prints: the plan the config amounts to, without calling AWS. */
export function describeConfig(config: Config): string {
  const { shard } = config;
  const lines = [
    `config OK${config.configFile ? `: ${config.configFile}` : ""}`,
    `interval ${formatDuration(config.intervalMs)}, timeout ${formatDuration(config.timeoutMs)}, concurrency ${config.concurrency}, shard ${shard.index} of ${shard.count}`,
  ];
  lines.push(partitionLine(config));
  const plan = planTargets(config, undefined, []);
  lines.push(`stores: ${describeStoreFilter(config.stores)}`);
  const ownFilter = (stores: StoreFilter | undefined) =>
    stores ? ` (stores: ${describeStoreFilter(stores)})` : "";
  const accountLines = plan.accounts.map(
    (account) =>
      `  ${account.accountId}${account.name ? ` (${account.name})` : ""} via ${account.roleArn}: ${account.regions.join(", ")}${ownFilter(account.stores)}`,
  );
  let targets = plan.targets.length;
  // Its id, and so its shard, is only known once GetCallerIdentity answers at start.
  const defaultEntry = config.accounts.find((account) => account.roleArn === undefined);
  if (defaultEntry) {
    const regions = defaultEntry.regions ?? config.regions;
    targets += regions.length;
    accountLines.push(
      `  the default credentials' account${defaultEntry.name ? ` (${defaultEntry.name})` : ""}, found with sts:GetCallerIdentity at start: ${regions.join(", ")}${ownFilter(defaultEntry.stores)}`,
    );
  }
  lines.push(`accounts in this shard (${accountLines.length}):`, ...accountLines);
  const discovery = config.discovery;
  if (discovery) {
    const regions = discovery.regions ?? config.regions;
    lines.push(
      `plus every ACTIVE account of the organization (ListAccounts in ${discovery.region} via ${discovery.roleArn ?? "the default credentials"}, every ${formatDuration(discovery.refreshMs)})` +
        `, through role ${discovery.memberRoleName}, in ${regions.join(", ")}` +
        (discovery.includeOrganizationalUnits.length > 0
          ? `, only under ${discovery.includeOrganizationalUnits.join(", ")}`
          : "") +
        (discovery.excludeOrganizationalUnits.length > 0
          ? `, not under ${discovery.excludeOrganizationalUnits.join(", ")}`
          : "") +
        (discovery.excludeAccounts.length > 0
          ? `, except ${discovery.excludeAccounts.join(", ")}`
          : ""),
    );
  }
  lines.push(`targets (accounts × regions): ${targets}${discovery ? " before discovery" : ""}`);
  return `${lines.join("\n")}\n`;
}
