import type { StoreFilter } from "../config/types.js";
import type { KeyStore, StorePattern } from "../model.js";

/**
 * The `stores` filter: include (any pattern matches the name or the id; omitted: all), then
 * exclude, then types. Patterns are unanchored, as users write `^prod-` or `-sandbox$`; they
 * are RE2 on a linear-time engine, so a store's name cannot make matching slow.
 */
export function keepsStore(
  filter: StoreFilter | undefined,
  store: Pick<KeyStore, "id" | "name" | "type">,
): boolean {
  if (!filter) return true;
  const matches = (pattern: StorePattern) => pattern.test(store.name) || pattern.test(store.id);
  if (filter.include && !filter.include.some(matches)) return false;
  if (filter.exclude?.some(matches)) return false;
  return !filter.types || filter.types.includes(store.type);
}

/** The stores of one poll that are exported; the others never reach the state. */
export function filterStores<S extends Pick<KeyStore, "id" | "name" | "type">>(
  stores: S[],
  filter: StoreFilter | undefined,
): S[] {
  return filter ? stores.filter((store) => keepsStore(filter, store)) : stores;
}

/** For --config.check: "include ^prod-; exclude -sandbox$; types AWS_CLOUDHSM", or "all". */
export function describeStoreFilter(filter: StoreFilter | undefined): string {
  const parts = [
    filter?.include && `include ${filter.include.map((p) => p.source).join(", ")}`,
    filter?.exclude && `exclude ${filter.exclude.map((p) => p.source).join(", ")}`,
    filter?.types && `types ${filter.types.join(", ")}`,
  ].filter(Boolean);
  return parts.length > 0 ? parts.join("; ") : "all";
}
