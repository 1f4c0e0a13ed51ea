import { inShard } from "../targets/shard.js";
import { formatDuration } from "./duration.js";
import { accountIdOfRoleArn } from "./load.js";
import type { Config } from "./types.js";

/** What --config.check prints: the plan the config amounts to, without calling AWS. */
export function describeConfig(config: Config): string {
  const { shard } = config;
  const lines = [
    `config OK${config.configFile ? `: ${config.configFile}` : ""}`,
    `interval ${formatDuration(config.intervalMs)}, timeout ${formatDuration(config.timeoutMs)}, concurrency ${config.concurrency}, shard ${shard.index} of ${shard.count}`,
  ];
  let targets = 0;
  const accountLines: string[] = [];
  for (const account of config.accounts) {
    const regions = account.regions ?? config.regions;
    const accountId = account.roleArn ? accountIdOfRoleArn(account.roleArn) : undefined;
    if (accountId !== undefined && !inShard(accountId, shard)) continue;
    targets += regions.length;
    const who = account.roleArn
      ? `${accountId}${account.name ? ` (${account.name})` : ""} via ${account.roleArn}`
      : `the default credentials' account${account.name ? ` (${account.name})` : ""}, found with sts:GetCallerIdentity at start`;
    accountLines.push(`  ${who}: ${regions.join(", ")}`);
  }
  lines.push(`accounts in this shard (${accountLines.length}):`, ...accountLines);
  const discovery = config.discovery;
  if (discovery) {
    const regions = discovery.regions ?? config.regions;
    lines.push(
      `plus every ACTIVE account of the organization (ListAccounts via ${discovery.roleArn ?? "the default credentials"}, every ${formatDuration(discovery.refreshMs)})` +
        `, through role ${discovery.memberRoleName}, in ${regions.join(", ")}` +
        (discovery.excludeAccounts.length > 0
          ? `, except ${discovery.excludeAccounts.join(", ")}`
          : ""),
    );
  }
  lines.push(`targets (accounts × regions): ${targets}${discovery ? " before discovery" : ""}`);
  return `${lines.join("\n")}\n`;
}
