import {
  ListAccountsCommand,
  ListAccountsForParentCommand,
  ListChildrenCommand,
  type Account as OrganizationsAccount,
  type OrganizationsClient,
} from "@aws-sdk/client-organizations";
import { partitionOfArn, roleArnOf } from "../aws/arn.js";
import { paginate } from "../aws/pagination.js";
import type { OrganizationsDiscovery } from "../config/types.js";
import type { Account } from "../model.js";

export interface OrganizationMember {
  id: string;
  name: string | undefined;
  status: string | undefined;
  /** From the member's ARN, so GovCloud and China organisations get their own partition. */
  partition: string;
}

/** Called before each Organizations request, with its operation (the requests counter). */
export type OnRequest = (operation: string) => void;

/** Organizations allows five levels of OUs; deeper means a broken answer, not a tree. */
const MAX_DEPTH = 8;

/**
 * More pages than any organisation needs: Organizations allows 10,000 accounts by quota
 * request, 20 to a page.
 */
const MAX_PAGES = 1_000;

/** Every item of one list, through the shared paginator (page cap, repeated-token guard). */
async function allItems<T>(
  operation: string,
  onRequest: OnRequest,
  signal: AbortSignal,
  fetchPage: (token: string | undefined) => Promise<{ items: T[] | undefined; next?: string }>,
): Promise<T[]> {
  const items: T[] = [];
  const pages = paginate(
    { operation, tokenName: "NextToken", maxPages: MAX_PAGES },
    async (token) => {
      onRequest(operation);
      const page = await fetchPage(token);
      signal.throwIfAborted();
      return page;
    },
    (page) => page.next,
  );
  for await (const page of pages) items.push(...(page.items ?? []));
  return items;
}

function toMembers(accounts: OrganizationsAccount[]): OrganizationMember[] {
  return accounts.flatMap((account) =>
    account.Id && /^\d{12}$/.test(account.Id)
      ? [
          {
            id: account.Id,
            name: account.Name,
            // Newer answers carry State; Status is deprecated but still sent.
            status: account.Status,
            partition: partitionOfArn(account.Arn ?? "") ?? "aws",
          },
        ]
      : [],
  );
}

/** Which part of the organisation to list; both empty: every account (ListAccounts). */
export interface UnitFilter {
  includeOrganizationalUnits: string[];
  excludeOrganizationalUnits: string[];
}

/**
 * The organisation's member accounts: all of them (ListAccounts), or those under the
 * included OUs or roots, recursively (ListAccountsForParent and ListChildren), less those
 * under the excluded OUs.
 */
export async function listOrganizationMembers(
  client: OrganizationsClient,
  units: UnitFilter,
  signal: AbortSignal,
  onRequest: OnRequest,
): Promise<OrganizationMember[]> {
  const send = { abortSignal: signal };
  const everyAccount = async () =>
    toMembers(
      await allItems("ListAccounts", onRequest, signal, async (NextToken) => {
        const page = await client.send(new ListAccountsCommand({ NextToken }), send);
        return { items: page.Accounts, next: page.NextToken };
      }),
    );
  const visited = new Set<string>();
  const under = async (parentId: string, depth: number): Promise<OrganizationMember[]> => {
    if (visited.has(parentId)) return [];
    if (depth > MAX_DEPTH) throw new Error(`organizational units nest deeper than ${MAX_DEPTH}`);
    visited.add(parentId);
    const accounts = await allItems(
      "ListAccountsForParent",
      onRequest,
      signal,
      async (NextToken) => {
        const page = await client.send(
          new ListAccountsForParentCommand({ ParentId: parentId, NextToken }),
          send,
        );
        return { items: page.Accounts, next: page.NextToken };
      },
    );
    const units = await allItems("ListChildren", onRequest, signal, async (NextToken) => {
      const page = await client.send(
        new ListChildrenCommand({
          ParentId: parentId,
          ChildType: "ORGANIZATIONAL_UNIT",
          NextToken,
        }),
        send,
      );
      return { items: page.Children, next: page.NextToken };
    });
    const nested: OrganizationMember[] = [];
    for (const unit of units) if (unit.Id) nested.push(...(await under(unit.Id, depth + 1)));
    return [...toMembers(accounts), ...nested];
  };
  const collect = async (parents: string[]) => {
    const found: OrganizationMember[] = [];
    for (const parent of parents) found.push(...(await under(parent, 0)));
    return found;
  };
  const included =
    units.includeOrganizationalUnits.length === 0
      ? await everyAccount()
      : await collect(units.includeOrganizationalUnits);
  visited.clear();
  const excluded = new Set((await collect(units.excludeOrganizationalUnits)).map((m) => m.id));
  const seen = new Set<string>();
  return included.filter((member) => {
    if (excluded.has(member.id) || seen.has(member.id)) return false;
    seen.add(member.id);
    return true;
  });
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
