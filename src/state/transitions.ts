import type { KeyStore } from "../model.js";

export interface StoreTransition {
  store: KeyStore;
  /** Undefined: the store is new. */
  previousState: string | undefined;
  previousErrorCode: string | undefined;
  /** Undefined: the store is gone. */
  state: string | undefined;
  errorCode: string | undefined;
}

/**
 * What changed between two successful polls of one target, for the info log lines.
 * The first poll of a target has no previous list: it reports nothing, because a start
 * of the exporter is not a change of any store.
 */
export function storeTransitions(
  previous: KeyStore[] | undefined,
  next: KeyStore[],
): StoreTransition[] {
  if (previous === undefined) return [];
  const before = new Map(previous.map((store) => [store.id, store]));
  const transitions: StoreTransition[] = [];
  for (const store of next) {
    const old = before.get(store.id);
    before.delete(store.id);
    if (old && old.state === store.state && old.errorCode === store.errorCode) continue;
    transitions.push({
      store,
      previousState: old?.state,
      previousErrorCode: old?.errorCode,
      state: store.state,
      errorCode: store.errorCode,
    });
  }
  for (const gone of before.values()) {
    transitions.push({
      store: gone,
      previousState: gone.state,
      previousErrorCode: gone.errorCode,
      state: undefined,
      errorCode: undefined,
    });
  }
  return transitions;
}

function sameStore(a: KeyStore, b: KeyStore): boolean {
  return (Object.keys(a) as (keyof KeyStore)[]).every((field) => a[field] === b[field]);
}

/** True when the exported series of two lists would be identical (order included). */
export function sameStores(a: KeyStore[] | undefined, b: KeyStore[] | undefined): boolean {
  if (a === undefined || b === undefined) return a === b;
  return a.length === b.length && a.every((store, index) => sameStore(store, b[index] as KeyStore));
}
