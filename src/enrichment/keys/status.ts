import type { StoreKeys } from "./inventory.js";

/** A store's keys as the status page, /status.json and --once show them (enrich.keys). */
export interface KeysStatus {
  /** Keys in the store. */
  total: number;
  /** Keys by their KeyState now. */
  byState: Record<string, number>;
  /** Keys by the last state seen while not Unavailable ("unknown": never seen so). */
  byLastAvailable: Record<string, number>;
  /**
   * Keys that were Enabled when last seen available: while the store is not CONNECTED, the
   * keys failing their callers now. Stores that are down are ordered by it.
   */
  enabledBeforeDown: number;
  /** "142 keys (98 Enabled before it went down)". */
  text: string;
  asOf: string;
}

function plural(count: number, word: string): string {
  return `${count} ${word}${count === 1 ? "" : "s"}`;
}

export function keysStatus(
  store: { state: string },
  keys: StoreKeys | undefined,
  atMs: number,
): KeysStatus {
  const byState = keys?.byState ?? {};
  const byLastAvailable = keys?.byLastAvailable ?? {};
  const total = Object.values(byState).reduce((sum, count) => sum + count, 0);
  const enabled = byLastAvailable.Enabled ?? 0;
  const unknown = byLastAvailable.unknown ?? 0;
  let detail = "";
  if (total > 0 && store.state === "CONNECTED") detail = ` (${enabled} Enabled)`;
  else if (total > 0 && unknown === total) detail = " (none seen available yet)";
  else if (total > 0 && unknown > 0)
    detail = ` (${enabled} Enabled before it went down, ${unknown} never seen available)`;
  else if (total > 0) detail = ` (${enabled} Enabled before it went down)`;
  return {
    total,
    byState,
    byLastAvailable,
    enabledBeforeDown: enabled,
    text: `${plural(total, "key")}${detail}`,
    asOf: new Date(atMs).toISOString(),
  };
}

/** The keys in stores that are not CONNECTED, and how many of them were Enabled. */
export function keysAffected(
  stores: readonly { state: string; keys: KeysStatus | undefined }[],
): { keys: number; enabled: number } | undefined {
  if (!stores.some((store) => store.keys !== undefined)) return undefined;
  const down = stores.filter((store) => store.state !== "CONNECTED" && store.keys !== undefined);
  return {
    keys: down.reduce((sum, store) => sum + (store.keys?.total ?? 0), 0),
    enabled: down.reduce((sum, store) => sum + (store.keys?.enabledBeforeDown ?? 0), 0),
  };
}
