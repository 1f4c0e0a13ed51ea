import type { Target } from "../model.js";
import type { ClusterHealth } from "./cloudhsm/round.js";
import type { StoreKeys } from "./keys/inventory.js";
import type { XksHealth } from "./xks/figures.js";

export type EnrichmentKind = "cloudhsm" | "xks" | "keys";

export interface EnrichmentResult<T> {
  value: readonly T[];
  /** When the call that produced `value` ended. */
  atMs: number;
}

export interface TargetEnrichment {
  target: Target;
  cloudhsm: EnrichmentResult<ClusterHealth> | undefined;
  xks: EnrichmentResult<XksHealth> | undefined;
  keys: KeysResult | undefined;
  /** Bumped on each change of the entry: the metrics cache renders it again when it moves. */
  version: number;
}

/** The key inventory: keys per store, and the target's keys whose DescribeKey was refused. */
export interface KeysResult extends EnrichmentResult<StoreKeys> {
  undescribed: number;
}

/**
 * The latest enrichment results per target, apart from the store snapshots: their calls
 * succeed and fail on their own, and a failed one keeps the last values (as a failed poll
 * keeps the stores) so an API error neither fires nor resolves their alerts.
 */
export class EnrichmentStore {
  /** Bumped with every change of any entry, and when an entry goes. */
  version = 0;
  private readonly byKey = new Map<string, TargetEnrichment>();
  private readonly retainListeners: ((keys: ReadonlySet<string>) => void)[] = [];

  private entry(target: Target): TargetEnrichment {
    let entry = this.byKey.get(target.key);
    if (!entry) {
      entry = { target, cloudhsm: undefined, xks: undefined, keys: undefined, version: 0 };
      this.byKey.set(target.key, entry);
    }
    entry.target = target;
    entry.version++;
    this.version++;
    return entry;
  }

  setClusters(target: Target, clusters: readonly ClusterHealth[], atMs: number): void {
    const entry = this.entry(target);
    entry.cloudhsm = { value: unchangedOr(entry.cloudhsm?.value, clusters), atMs };
  }

  setXks(target: Target, xks: readonly XksHealth[], atMs: number): void {
    const entry = this.entry(target);
    entry.xks = { value: unchangedOr(entry.xks?.value, xks), atMs };
  }

  setKeys(target: Target, stores: readonly StoreKeys[], undescribed: number, atMs: number): void {
    const entry = this.entry(target);
    entry.keys = { value: unchangedOr(entry.keys?.value, stores), undescribed, atMs };
  }

  /** Forgets one kind (turned off) or all of a target's results (stale, or the target went). */
  drop(key: string, kind?: EnrichmentKind): void {
    const entry = this.byKey.get(key);
    if (!entry) return;
    if (kind === undefined) this.byKey.delete(key);
    else if (entry[kind] === undefined) return;
    else {
      entry[kind] = undefined;
      entry.version++;
    }
    this.version++;
  }

  /** Keeps only these targets' results; `onRetain` listeners forget their own state of the rest. */
  retain(keys: ReadonlySet<string>): void {
    for (const key of this.byKey.keys()) if (!keys.has(key)) this.drop(key);
    for (const listener of this.retainListeners) listener(keys);
  }

  /** Working state kept beside the results (the key inventory) follows the plan's targets. */
  onRetain(listener: (keys: ReadonlySet<string>) => void): void {
    this.retainListeners.push(listener);
  }

  get(key: string): TargetEnrichment | undefined {
    return this.byKey.get(key);
  }

  entries(): IterableIterator<TargetEnrichment> {
    return this.byKey.values();
  }
}

/**
 * The previous array when the new one holds the same values: the metrics cache keeps the
 * lines it built for an array, so a round that changed nothing costs no re-rendering.
 */
function unchangedOr<T>(previous: readonly T[] | undefined, next: readonly T[]): readonly T[] {
  return previous !== undefined && JSON.stringify(previous) === JSON.stringify(next)
    ? previous
    : next;
}
