import { formatDuration } from "../config/duration.js";
import type { Config } from "../config/types.js";
import { planTargets } from "./plan.js";

/** What --config.check prints: the plan the config amounts to, without calling AWS. */
export function describeConfig(config: Config): string {
  const { shard } = config;
  const lines = [
    `config OK${config.configFile ? `: ${config.configFile}` : ""}`,
    `interval ${formatDuration(config.intervalMs)}, timeout ${formatDuration(config.timeoutMs)}, concurrency ${config.concurrency}, shard ${shard.index} of ${shard.count}`,
  ];
  const plan = planTargets(config, undefined, []);
  const accountLines = plan.accounts.map(
    (account) =>
      `  ${account.accountId}${account.name ? ` (${account.name})` : ""} via ${account.roleArn}: ${account.regions.join(", ")}`,
  );
  let targets = plan.targets.length;
  // Its id, and so its shard, is only known once GetCallerIdentity answers at start.
  const defaultEntry = config.accounts.find((account) => account.roleArn === undefined);
  if (defaultEntry) {
    const regions = defaultEntry.regions ?? config.regions;
    targets += regions.length;
    accountLines.push(
      `  the default credentials' account${defaultEntry.name ? ` (${defaultEntry.name})` : ""}, found with sts:GetCallerIdentity at start: ${regions.join(", ")}`,
    );
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
