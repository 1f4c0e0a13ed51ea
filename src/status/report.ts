import { keysAffected } from "../enrichment/keys/status.js";
import type { TargetEnrichment } from "../enrichment/state.js";
import { type StoreEnrichment, storeEnrichment, storesAtRisk } from "../enrichment/status.js";
import { KNOWN_CONNECTION_STATES } from "../model.js";
import type { TargetState } from "../state/state.js";
import { runbookSection } from "../text/runbooks.js";
import { ERROR_CODE_HELP, type RunbookBlock } from "./error-codes.js";
import { compareStores } from "./order.js";

export { RUNBOOKS_URL, runbookSection } from "../text/runbooks.js";

const STATE_SYMBOLS: Record<string, string> = {
  CONNECTED: "✔",
  FAILED: "✖",
  DISCONNECTED: "○",
  CONNECTING: "↻",
  DISCONNECTING: "↻",
};

/** The symbol that goes with a state's name, so that colour is never the only sign. */
export function stateSymbol(state: string): string | undefined {
  return STATE_SYMBOLS[state];
}

export interface StatusFilters {
  /** ConnectionStates to show; empty: every state. */
  states: string[];
  /** Account ids or names; empty: every account. */
  accounts: string[];
  regions: string[];
}

export const NO_FILTERS: StatusFilters = { states: [], accounts: [], regions: [] };

export interface StoreError {
  code: string;
  /** The runbook's "Meaning." of the code; empty for a code the runbook does not know. */
  meaning: readonly RunbookBlock[];
  /** The first paragraph of the runbook's "Fix."; undefined for an unknown code. */
  fix: string | undefined;
  runbookUrl: string;
}

export interface StoreStatus extends StoreEnrichment {
  accountId: string;
  accountName: string | undefined;
  region: string;
  id: string;
  name: string;
  type: string;
  state: string;
  error: StoreError | undefined;
  /** When this exporter process first saw the current state (ISO 8601). */
  stateSince: string | undefined;
  stateSeconds: number | undefined;
  /** False: the state is the one the store had when first seen, so it may be older. */
  stateChangeSeen: boolean;
  stateChanges: number;
  creationDate: string | undefined;
  /** A FAILED store's runbook section, or the alert's section for the state. */
  runbookUrl: string;
}

export interface TargetStatus {
  accountId: string;
  accountName: string | undefined;
  region: string;
  status: "up" | "down" | "pending";
  stores: number;
  lastSuccess: string | undefined;
  lastSuccessSeconds: number | undefined;
  pollDurationSeconds: number | undefined;
  lastError: { name: string; message: string } | undefined;
}

export interface StatusReport {
  generatedAt: string;
  version: string;
  intervalSeconds: number;
  summary: {
    /** Every known state with its count, zeros included, then states AWS added later. */
    storesByState: Record<string, number>;
    stores: number;
    storesNotConnected: number;
    storesAtRisk: number | undefined;
    /** Keys in stores that are not CONNECTED now; undefined while enrich.keys has no result. */
    keysAffected: number | undefined;
    /** Of those, the keys that were Enabled before their store went down. */
    enabledKeysAffected: number | undefined;
    targets: number;
    targetsUp: number;
    targetsDown: number;
    targetsPending: number;
    /** The end of the most recent successful poll of any target. */
    lastSuccess: string | undefined;
    /** The end of the least recent last successful poll: every target's data is newer. */
    oldestSuccess: string | undefined;
  };
  filters: StatusFilters;
  /** The stores that pass the filters, most urgent first. */
  stores: StoreStatus[];
  targets: TargetStatus[];
}

export interface StatusContext {
  version: string;
  intervalMs: number;
  nowMs: number;
  /** The enrichment results by target key; omitted: no enrichment is shown. */
  enrichment?: { get(targetKey: string): TargetEnrichment | undefined };
}

function iso(ms: number | undefined): string | undefined {
  return ms === undefined ? undefined : new Date(ms).toISOString();
}

function secondsSince(ms: number | undefined, nowMs: number): number | undefined {
  return ms === undefined ? undefined : Math.max(0, Math.round((nowMs - ms) / 1000));
}

function storeError(code: string | undefined): StoreError | undefined {
  if (code === undefined) return undefined;
  const help = ERROR_CODE_HELP[code];
  return help
    ? { code, meaning: help.meaning, fix: help.fix, runbookUrl: runbookSection(code.toLowerCase()) }
    : { code, meaning: [], fix: undefined, runbookUrl: runbookSection("connection-error-codes") };
}

const STATE_SECTIONS: Record<string, string> = {
  FAILED: "kmscustomkeystorefailed",
  DISCONNECTED: "kmscustomkeystoredisconnected",
  CONNECTING: "kmscustomkeystorestucktransitioning",
  DISCONNECTING: "kmscustomkeystorestucktransitioning",
};

function matches(filters: StatusFilters, store: StoreStatus): boolean {
  return (
    (filters.states.length === 0 || filters.states.includes(store.state)) &&
    (filters.accounts.length === 0 ||
      filters.accounts.includes(store.accountId) ||
      (store.accountName !== undefined && filters.accounts.includes(store.accountName))) &&
    (filters.regions.length === 0 || filters.regions.includes(store.region))
  );
}

function storesOf(state: TargetState, { nowMs, enrichment }: StatusContext): StoreStatus[] {
  const { target } = state;
  return (state.stores ?? []).map((store) => {
    const history = state.history.get(store.id);
    const error = storeError(store.errorCode);
    return {
      accountId: target.accountId,
      accountName: target.accountName,
      region: target.region,
      id: store.id,
      name: store.name,
      type: store.type,
      state: store.state,
      error,
      stateSince: iso(history?.sinceMs),
      stateSeconds: secondsSince(history?.sinceMs, nowMs),
      stateChangeSeen: history?.changeSeen ?? false,
      stateChanges: history?.changes ?? 0,
      creationDate:
        store.creationTimeSeconds === undefined ? undefined : iso(store.creationTimeSeconds * 1000),
      runbookUrl:
        error?.runbookUrl ?? runbookSection(STATE_SECTIONS[store.state] ?? "before-you-start"),
      ...storeEnrichment(store, enrichment?.get(target.key)),
    };
  });
}

function targetOf(state: TargetState, nowMs: number): TargetStatus {
  const { target } = state;
  return {
    accountId: target.accountId,
    accountName: target.accountName,
    region: target.region,
    status: !state.polled ? "pending" : state.up ? "up" : "down",
    stores: state.stores?.length ?? 0,
    lastSuccess: iso(state.lastSuccessMs),
    lastSuccessSeconds: secondsSince(state.lastSuccessMs, nowMs),
    pollDurationSeconds:
      state.lastPollDurationMs === undefined ? undefined : state.lastPollDurationMs / 1000,
    lastError: state.lastError,
  };
}

/**
 * Everything the status page, /status.json and `--once` show, from the state alone. The
 * summary counts every store; the filters choose the table's rows.
 */
export function buildStatus(
  states: Iterable<TargetState>,
  context: StatusContext,
  filters: StatusFilters = NO_FILTERS,
): StatusReport {
  const all: StoreStatus[] = [];
  const targets: TargetStatus[] = [];
  for (const state of states) {
    for (const store of storesOf(state, context)) all.push(store); // push(...) overflows at ~130k
    targets.push(targetOf(state, context.nowMs));
  }
  const storesByState: Record<string, number> = Object.fromEntries(
    KNOWN_CONNECTION_STATES.map((state) => [state, 0]),
  );
  for (const store of all) storesByState[store.state] = (storesByState[store.state] ?? 0) + 1;
  const affected = keysAffected(all);
  const successes = targets
    .map((target) => target.lastSuccess)
    .filter((time): time is string => time !== undefined)
    .sort();
  targets.sort(
    (a, b) =>
      Number(a.status === "up") - Number(b.status === "up") ||
      (a.accountName ?? a.accountId).localeCompare(b.accountName ?? b.accountId) ||
      a.region.localeCompare(b.region),
  );
  return {
    generatedAt: new Date(context.nowMs).toISOString(),
    version: context.version,
    intervalSeconds: context.intervalMs / 1000,
    summary: {
      storesByState,
      stores: all.length,
      storesNotConnected: all.length - (storesByState.CONNECTED ?? 0),
      storesAtRisk: storesAtRisk(all),
      keysAffected: affected?.keys,
      enabledKeysAffected: affected?.enabled,
      targets: targets.length,
      targetsUp: targets.filter((target) => target.status === "up").length,
      targetsDown: targets.filter((target) => target.status === "down").length,
      targetsPending: targets.filter((target) => target.status === "pending").length,
      lastSuccess: successes.at(-1),
      // Only meaningful once every target has succeeded at least once.
      oldestSuccess: successes.length === targets.length ? successes[0] : undefined,
    },
    filters,
    stores: all.filter((store) => matches(filters, store)).sort(compareStores),
    targets,
  };
}

/** A Map, not an object: a parameter named `toString` or `__proto__` must not find a member. */
const FILTER_PARAMETERS = new Map<string, keyof StatusFilters>([
  ["state", "states"],
  ["account", "accounts"],
  ["region", "regions"],
]);

/**
 * `?state=FAILED&state=DISCONNECTED&account=payments-prod&region=eu-west-1`; a parameter
 * may also hold a comma-separated list. Empty values (a form's "any") are ignored. An
 * unknown parameter is an error rather than ignored: a typo would show every store.
 */
export function parseFilters(
  query: URLSearchParams,
): { filters: StatusFilters } | { problem: string } {
  const filters: StatusFilters = { states: [], accounts: [], regions: [] };
  for (const [name, value] of query) {
    const key = FILTER_PARAMETERS.get(name);
    if (key === undefined) {
      return {
        problem: `unknown query parameter "${name}"; the filters are state, account and region`,
      };
    }
    for (const item of value.split(",")) {
      const text = item.trim();
      if (text === "") continue;
      const wanted = key === "states" ? text.toUpperCase() : text;
      if (!filters[key].includes(wanted)) filters[key].push(wanted);
    }
  }
  return { filters };
}

/** /status.json's body. Absent values are written as null, so every item has the same keys. */
export function statusJson(report: StatusReport): string {
  return JSON.stringify(report, (_key, value: unknown) => (value === undefined ? null : value), 2);
}
