import { type OrganizationsClient, paginateListAccounts } from "@aws-sdk/client-organizations";
import { partitionOfArn, roleArnOf } from "../aws/arn.js";
import type { OrganizationsDiscovery } from "../config/types.js";
import type { Account } from "../model.js";

export interface OrganizationMember {
  id: string;
  name: string | undefined;
  status: string | undefined;
  /** From the member's ARN, so GovCloud and China organisations get their own partition. */
  partition: string;
}

/** Every member account (all pages of ListAccounts). */
export async function listOrganizationMembers(
  client: OrganizationsClient,
  signal: AbortSignal,
  onPage: () => void,
): Promise<OrganizationMember[]> {
  const members: OrganizationMember[] = [];
  const pages = paginateListAccounts({ client, stopOnSameToken: true }, {});
  for await (const page of pages) {
    onPage();
    signal.throwIfAborted();
    for (const account of page.Accounts ?? []) {
      if (!account.Id || !/^\d{12}$/.test(account.Id)) continue;
      members.push({
        id: account.Id,
        name: account.Name,
        // Newer answers carry State; Status is deprecated but still sent.
        status: account.Status,
        partition: partitionOfArn(account.Arn ?? "") ?? "aws",
      });
    }
  }
  return members;
}

/** ACTIVE members not excluded → accounts reached through the member role. */
export function memberAccounts(
  members: OrganizationMember[],
  discovery: OrganizationsDiscovery,
  defaultRegions: string[],
): Account[] {
  const excluded = new Set(discovery.excludeAccounts);
  return members
    .filter((member) => member.status === "ACTIVE" && !excluded.has(member.id))
    .map((member) => ({
      accountId: member.id,
      name: member.name,
      roleArn: roleArnOf(member.partition, member.id, discovery.memberRoleName),
      externalId: discovery.memberExternalId,
      regions: discovery.regions ?? defaultRegions,
    }));
}
