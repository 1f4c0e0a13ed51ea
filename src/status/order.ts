import type { StoreStatus } from "./report.js";

/**
 * The order of the stores table: what pages first comes first. An unknown state (one AWS
 * adds later) follows FAILED, because nobody knows yet whether its keys work.
 */
const STATE_RANK: Record<string, number> = {
  FAILED: 0,
  DISCONNECTED: 2,
  CONNECTING: 3,
  DISCONNECTING: 4,
  CONNECTED: 5,
};
const UNKNOWN_STATE_RANK = 1;

function rank(state: string): number {
  return STATE_RANK[state] ?? UNKNOWN_STATE_RANK;
}

/** Keys Enabled before the store went down: the stores that break most callers come first. */
function blastRadius(store: StoreStatus): number {
  return store.state === "CONNECTED" ? 0 : (store.keys?.enabledBeforeDown ?? 0);
}

export function compareStores(a: StoreStatus, b: StoreStatus): number {
  return (
    Number(a.state === "CONNECTED") - Number(b.state === "CONNECTED") ||
    blastRadius(b) - blastRadius(a) ||
    rank(a.state) - rank(b.state) ||
    (a.accountName ?? a.accountId).localeCompare(b.accountName ?? b.accountId) ||
    a.accountId.localeCompare(b.accountId) ||
    a.region.localeCompare(b.region) ||
    a.name.localeCompare(b.name) ||
    a.id.localeCompare(b.id)
  );
}
