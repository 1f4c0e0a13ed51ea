import type { KeyStore, Target } from "../model.js";
import { NO_HISTORY, nextHistories, type StoreHistories } from "./history.js";
import { type StoreTransition, sameStores, storeTransitions } from "./transitions.js";

export interface TargetState {
  /** Replaced when a reload or discovery renames the account; the key stays. */
  target: Target;
  /** Last known stores; kept through failed polls so an outage neither fires nor resolves alerts. */
  stores: KeyStore[] | undefined;
  /**
   * State history per store id; replaced (never mutated) on change. Kept through failed
   * polls and dropped stores, so a store that comes back is not counted as new.
   */
  history: StoreHistories;
  up: boolean;
  /** At least one poll (successful or not) has finished. */
  polled: boolean;
  lastSuccessMs: number | undefined;
  lastPollDurationMs: number | undefined;
  lastError: { name: string; message: string } | undefined;
  /**
   * Bumped on each change of this target's state, and for every target by setTargets (a
   * reload may rename an account or change which target comes first): the metrics cache
   * renders a target's gauges again exactly when it moves.
   */
  version: number;
}

export interface FailureOutcome {
  /** The target was up (or never polled) before; the caller logs only such changes. */
  newlyDown: boolean;
  errorChanged: boolean;
}

/**
 * The latest snapshot of every target: the single source the metrics and the status page
 * are built from. Versions let readers cache what they build until something changes.
 */
export class StateStore {
  private readonly byKey = new Map<string, TargetState>();
  /** Bumped with every change of any target's state, and by setTargets. */
  version = 0;
  /** Bumped when a target's store list is replaced or dropped, and by setTargets. */
  storesVersion = 0;
  /** Bumped by every setTargets: the list of targets or a target object may have changed. */
  targetsVersion = 0;

  setTargets(targets: Target[]): void {
    const wanted = new Set(targets.map((target) => target.key));
    for (const key of this.byKey.keys()) {
      if (!wanted.has(key)) {
        this.byKey.delete(key);
      }
    }
    for (const target of targets) {
      const existing = this.byKey.get(target.key);
      if (existing) {
        existing.target = target;
        existing.version++;
        continue;
      }
      this.byKey.set(target.key, {
        target,
        stores: undefined,
        history: NO_HISTORY,
        up: false,
        polled: false,
        lastSuccessMs: undefined,
        lastPollDurationMs: undefined,
        lastError: undefined,
        version: 0,
      });
    }
    this.targetsVersion++;
    this.storesVersion++;
    this.version++;
  }

  get(key: string): TargetState | undefined {
    return this.byKey.get(key);
  }

  states(): IterableIterator<TargetState> {
    return this.byKey.values();
  }

  get size(): number {
    return this.byKey.size;
  }

  allPolled(): boolean {
    for (const state of this.byKey.values()) if (!state.polled) return false;
    return true;
  }

  recordSuccess(
    key: string,
    stores: KeyStore[],
    finishedAtMs: number,
    durationMs: number,
  ): StoreTransition[] {
    const state = this.byKey.get(key);
    if (!state) return [];
    const transitions = storeTransitions(state.stores, stores);
    const history = nextHistories(state.history, stores, finishedAtMs);
    if (!sameStores(state.stores, stores) || history !== state.history) {
      state.stores = stores;
      state.history = history;
      this.storesVersion++;
    }
    state.up = true;
    state.polled = true;
    state.lastSuccessMs = finishedAtMs;
    state.lastPollDurationMs = durationMs;
    state.lastError = undefined;
    state.version++;
    this.version++;
    return transitions;
  }

  /** Forgets a target's last known stores (they are too old to keep exporting). */
  dropStores(key: string): boolean {
    const state = this.byKey.get(key);
    if (state?.stores === undefined) return false;
    state.stores = undefined;
    state.version++;
    this.version++;
    this.storesVersion++;
    return true;
  }

  recordFailure(
    key: string,
    error: { name: string; message: string },
    durationMs: number,
  ): FailureOutcome {
    const state = this.byKey.get(key);
    if (!state) return { newlyDown: false, errorChanged: false };
    const outcome = {
      newlyDown: state.up || !state.polled,
      errorChanged: state.lastError?.name !== error.name,
    };
    state.up = false;
    state.polled = true;
    state.lastPollDurationMs = durationMs;
    state.lastError = error;
    state.version++;
    this.version++;
    return outcome;
  }
}
