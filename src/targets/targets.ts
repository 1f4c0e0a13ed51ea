import { accountIdOfRoleArn } from "../config/load.js";
import type { AccountConfig } from "../config/types.js";

/** One account whose id is known, with the regions to poll in it. */
export interface Account {
  accountId: string;
  name: string | undefined;
  /** Undefined: the default credentials are this account's. */
  roleArn: string | undefined;
  externalId: string | undefined;
  regions: string[];
}

/** One account × one region: the unit that is polled, timed out and reported on. */
export interface Target {
  key: string;
  accountId: string;
  accountName: string | undefined;
  region: string;
}

export function targetKey(accountId: string, region: string): string {
  return `${accountId}/${region}`;
}

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
