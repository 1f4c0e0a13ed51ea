import type { AccountSpec, OrganizationsSpec } from "./scenario.js";

/**
 * The organisation's tree: a root, organizational units under it or under each other, and
 * accounts under either (the root by default). What ListChildren and ListAccountsForParent
 * answer from.
 */
export const DEFAULT_ROOT_ID = "r-a1b2";

export type ChildType = "ACCOUNT" | "ORGANIZATIONAL_UNIT";

export interface Child {
  Id: string;
  Type: ChildType;
}

export function rootIdOf(organizations: OrganizationsSpec): string {
  return organizations.rootId ?? DEFAULT_ROOT_ID;
}

/** Whether an id names the root or one of the organisation's OUs. */
export function isParent(organizations: OrganizationsSpec, parentId: string): boolean {
  return (
    parentId === rootIdOf(organizations) ||
    organizations.organizationalUnits.some((unit) => unit.id === parentId)
  );
}

/** Accounts directly under a parent, in scenario order. */
export function accountsUnder(
  organizations: OrganizationsSpec,
  accounts: readonly AccountSpec[],
  parentId: string,
): AccountSpec[] {
  const root = rootIdOf(organizations);
  return accounts.filter((account) => (account.parent ?? root) === parentId);
}

/** Direct children of a parent of one type. */
export function childrenOf(
  organizations: OrganizationsSpec,
  accounts: readonly AccountSpec[],
  parentId: string,
  type: ChildType,
): Child[] {
  if (type === "ACCOUNT") {
    return accountsUnder(organizations, accounts, parentId).map((a) => ({ Id: a.id, Type: type }));
  }
  const root = rootIdOf(organizations);
  return organizations.organizationalUnits
    .filter((unit) => (unit.parent ?? root) === parentId)
    .map((unit) => ({ Id: unit.id, Type: type }));
}
