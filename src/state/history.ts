import type { KeyStore } from "../model.js";

/** What the exporter has seen of one store's ConnectionState since the process started. */
export interface StoreHistory {
  state: string;
  /** ConnectionState changes seen; error code changes within one state do not count. */
  changes: number;
  /** When the exporter first saw the current state (the poll's end). */
  sinceMs: number;
  /**
   * True once the exporter has seen the store change into its current state; false while
   * the state is the one it had when first seen, whose real start is unknown (earlier).
   */
  changeSeen: boolean;
}

export type StoreHistories = ReadonlyMap<string, StoreHistory>;

export const NO_HISTORY: StoreHistories = new Map();

/**
 * The histories after a successful poll that returned `stores` at `atMs`, keyed by store
 * id. Stores missing from the poll are forgotten, like their series. Returns `previous`
 * itself when nothing changed, so callers can compare by identity.
 */
export function nextHistories(
  previous: StoreHistories,
  stores: readonly KeyStore[],
  atMs: number,
): StoreHistories {
  let changed = previous.size !== stores.length;
  const next = new Map<string, StoreHistory>();
  for (const store of stores) {
    const known = previous.get(store.id);
    if (known === undefined) {
      changed = true;
      next.set(store.id, { state: store.state, changes: 0, sinceMs: atMs, changeSeen: false });
    } else if (known.state !== store.state) {
      changed = true;
      next.set(store.id, {
        state: store.state,
        changes: known.changes + 1,
        sinceMs: atMs,
        changeSeen: true,
      });
    } else {
      next.set(store.id, known);
    }
  }
  return changed ? next : previous;
}
