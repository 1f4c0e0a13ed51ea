import { accountIdOfRoleArn } from "../aws/arn.js";
import type { AccountConfig, Config } from "../config/types.js";
import { type Account, type Target, targetKey } from "../model.js";
import { inShard } from "./shard.js";

/**
 * Config accounts → accounts with ids. The id of a role comes from its ARN; the id of the
 * default credentials must be looked up (GetCallerIdentity) and is passed in.
 */
export function resolveAccounts(
  accounts: AccountConfig[],
  defaultRegions: string[],
  defaultCredentialsAccountId: string | undefined,
): Account[] {
  const resolved: Account[] = [];
  for (const account of accounts) {
    const accountId =
      account.roleArn === undefined
        ? defaultCredentialsAccountId
        : accountIdOfRoleArn(account.roleArn);
    if (accountId === undefined) continue;
    resolved.push({
      accountId,
      name: account.name,
      roleArn: account.roleArn,
      externalId: account.externalId,
      regions: account.regions ?? defaultRegions,
      stores: account.stores,
    });
  }
  return resolved;
}

/** Configured accounts win over discovered ones with the same id (they may name a role). */
export function mergeAccounts(configured: Account[], discovered: Account[]): Account[] {
  const ids = new Set(configured.map((account) => account.accountId));
  return [...configured, ...discovered.filter((account) => !ids.has(account.accountId))];
}

export function needsCallerIdentity(accounts: AccountConfig[]): boolean {
  return accounts.some((account) => account.roleArn === undefined);
}

export function targetsOf(accounts: Account[]): Target[] {
  return accounts.flatMap((account) =>
    account.regions.map((region) => ({
      key: targetKey(account.accountId, region),
      accountId: account.accountId,
      accountName: account.name,
      region,
    })),
  );
}

export interface Plan {
  /** This shard's accounts. */
  accounts: Account[];
  targets: Target[];
}

/** Config + the default credentials' account + discovered accounts → this shard's targets. */
export function planTargets(
  config: Pick<Config, "accounts" | "regions" | "shard">,
  defaultAccountId: string | undefined,
  discovered: Account[],
): Plan {
  const configured = resolveAccounts(config.accounts, config.regions, defaultAccountId);
  const accounts = mergeAccounts(configured, discovered).filter((account) =>
    inShard(account.accountId, config.shard),
  );
  return { accounts, targets: targetsOf(accounts) };
}
