/** The key state a key in a custom key store shows while its store is not CONNECTED. */
export const UNAVAILABLE = "Unavailable";
/** `key_state` of keys that were never seen in a state other than Unavailable. */
export const UNKNOWN_STATE = "unknown";

/** What the exporter remembers of one key, for the life of the process. */
interface KnownKey {
  /** The custom key store that holds it; undefined: in no store. A key never changes store. */
  store: string | undefined;
  /** KeyState at the last DescribeKey. */
  state: string;
  /** The last KeyState seen that was not Unavailable: the state its store hides while down. */
  lastAvailable: string | undefined;
}

/** One store's keys, counted by state (enrich.keys). */
export interface StoreKeys {
  storeId: string;
  /** Keys by their KeyState now. */
  byState: Record<string, number>;
  /** Keys by the last state seen while not Unavailable; never seen so: "unknown". */
  byLastAvailable: Record<string, number>;
}

/** What a DescribeKey told of a key. */
export interface DescribedKey {
  store: string | undefined;
  state: string;
}

/**
 * One target's keys: KeyId → store, or "in no store". The store is what costs a DescribeKey
 * to learn and never changes, so a key in no store is described once in the process's life
 * and a key in a store once a round (its state changes). Keys gone from ListKeys are forgotten.
 */
export class KeyInventory {
  private readonly known = new Map<string, KnownKey>();
  /** Keys whose last DescribeKey was refused. */
  private readonly refused = new Set<string>();

  /**
   * After ListKeys: forgets the keys that are gone and answers which keys to describe now:
   * those never described and those in one of `stores` (the stores the exporter watches).
   */
  plan(listed: readonly string[], stores: ReadonlySet<string>): string[] {
    const present = new Set(listed);
    for (const id of this.known.keys()) if (!present.has(id)) this.known.delete(id);
    for (const id of this.refused) if (!present.has(id)) this.refused.delete(id);
    return [...present].filter((id) => {
      const key = this.known.get(id);
      return key === undefined || (key.store !== undefined && stores.has(key.store));
    });
  }

  described(id: string, { store, state }: DescribedKey): void {
    this.refused.delete(id);
    const before = this.known.get(id);
    const lastAvailable = state === UNAVAILABLE ? before?.lastAvailable : state;
    this.known.set(id, { store, state, lastAvailable });
  }

  /** DescribeKey refused (key policy or otherwise): a known key keeps what was learnt of it. */
  refusedDescribe(id: string): void {
    this.refused.add(id);
  }

  /** The key was deleted between ListKeys and DescribeKey. */
  vanished(id: string): void {
    this.known.delete(id);
    this.refused.delete(id);
  }

  get undescribed(): number {
    return this.refused.size;
  }

  /** The keys of these stores, each store once, in the given order; stores with no key left out. */
  countsFor(storeIds: readonly string[]): StoreKeys[] {
    const byStore = new Map<string, StoreKeys>();
    for (const id of storeIds) {
      if (!byStore.has(id)) byStore.set(id, { storeId: id, byState: {}, byLastAvailable: {} });
    }
    for (const key of this.known.values()) {
      const counts = key.store === undefined ? undefined : byStore.get(key.store);
      if (counts === undefined) continue;
      counts.byState[key.state] = (counts.byState[key.state] ?? 0) + 1;
      const last = key.lastAvailable ?? UNKNOWN_STATE;
      counts.byLastAvailable[last] = (counts.byLastAvailable[last] ?? 0) + 1;
    }
    return [...byStore.values()]
      .filter((counts) => Object.keys(counts.byState).length > 0)
      .map((counts) => ({
        ...counts,
        byState: sortedKeys(counts.byState),
        byLastAvailable: sortedKeys(counts.byLastAvailable),
      }));
  }
}

/** A stable order, so an unchanged inventory renders the same bytes. */
function sortedKeys(record: Record<string, number>): Record<string, number> {
  return Object.fromEntries(Object.entries(record).sort(([a], [b]) => a.localeCompare(b)));
}
