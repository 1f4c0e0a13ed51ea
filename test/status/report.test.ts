import { describe, expect, it } from "vitest";
import { renderStatusPage } from "../../src/server/status-page.js";
import { StateStore } from "../../src/state/state.js";
import { buildStatus, parseFilters, RUNBOOKS_URL } from "../../src/status/report.js";
import { renderTable } from "../../src/status/table.js";
import { keyStore, target } from "../helpers/stores.js";

const PROD = target("111111111111", "us-east-1", "payments-prod");
const PROD_EU = target("111111111111", "eu-west-1", "payments-prod");
const STAGING = target("222222222222", "us-east-1");
const NOW = 1_800_000_000_000;
const CONTEXT = { version: "1.2.3", intervalMs: 60_000, nowMs: NOW };

function fleet(): StateStore {
  const state = new StateStore();
  state.setTargets([PROD, PROD_EU, STAGING]);
  state.recordSuccess(
    PROD.key,
    [
      keyStore({ id: "cks-1", name: "b-connected" }),
      keyStore({ id: "cks-2", name: "a-connected" }),
      keyStore({ id: "cks-3", name: "disconnected", state: "DISCONNECTED" }),
      keyStore({ id: "cks-4", name: "failed", state: "FAILED", errorCode: "NETWORK_ERRORS" }),
    ],
    NOW - 30_000,
    1_500,
  );
  state.recordSuccess(
    PROD_EU.key,
    [
      keyStore({ id: "cks-5", name: "new-state", state: "DEGRADED" }),
      keyStore({ id: "cks-6", name: "new-code", state: "FAILED", errorCode: "BRAND_NEW_CODE" }),
    ],
    NOW - 10_000,
    250,
  );
  state.recordFailure(STAGING.key, { name: "AccessDeniedException", message: "no" }, 40);
  return state;
}

describe("buildStatus", () => {
  it("counts every store by state (known states always listed) and every target", () => {
    const { summary } = buildStatus(fleet().states(), CONTEXT);
    expect(summary.storesByState).toEqual({
      CONNECTED: 2,
      CONNECTING: 0,
      FAILED: 2,
      DISCONNECTED: 1,
      DISCONNECTING: 0,
      DEGRADED: 1,
    });
    expect(summary).toMatchObject({
      stores: 6,
      storesNotConnected: 4,
      targets: 3,
      targetsUp: 2,
      targetsDown: 1,
      targetsPending: 0,
      lastSuccess: new Date(NOW - 10_000).toISOString(),
      // One target never succeeded: there is no age every target's data is within.
      oldestSuccess: undefined,
    });
  });

  it("puts FAILED first, then states AWS added later, DISCONNECTED, and CONNECTED last", () => {
    const { stores } = buildStatus(fleet().states(), CONTEXT);
    expect(stores.map((store) => store.name)).toEqual([
      "new-code",
      "failed",
      "new-state",
      "disconnected",
      "a-connected",
      "b-connected",
    ]);
  });

  it("explains a known error code with the runbook's words and links its section", () => {
    const failed = buildStatus(fleet().states(), CONTEXT).stores.find((s) => s.id === "cks-4");
    expect(failed?.error).toMatchObject({
      code: "NETWORK_ERRORS",
      runbookUrl: `${RUNBOOKS_URL}#network_errors`,
    });
    expect(failed?.error?.meaning[0]).toMatch(/^KMS could not reach the backing key store/);
    expect(failed?.error?.fix).toMatch(/disconnect and connect/);
  });

  it("links an unknown error code to the list of codes, with no made-up explanation", () => {
    const store = buildStatus(fleet().states(), CONTEXT).stores.find((s) => s.id === "cks-6");
    expect(store?.error).toEqual({
      code: "BRAND_NEW_CODE",
      meaning: [],
      fix: undefined,
      runbookUrl: `${RUNBOOKS_URL}#connection-error-codes`,
    });
  });

  it("links a store without error code to the runbook of its state", () => {
    const stores = buildStatus(fleet().states(), CONTEXT).stores;
    expect(stores.find((s) => s.id === "cks-3")?.runbookUrl).toBe(
      `${RUNBOOKS_URL}#kmscustomkeystoredisconnected`,
    );
  });

  it("gives time in state from the history: at least since first seen, exact after a change", () => {
    const state = fleet();
    const first = buildStatus(state.states(), CONTEXT).stores.find((s) => s.id === "cks-1");
    expect(first).toMatchObject({
      stateSince: new Date(NOW - 30_000).toISOString(),
      stateSeconds: 30,
      stateChangeSeen: false,
      stateChanges: 0,
    });
    state.recordSuccess(
      PROD.key,
      [keyStore({ id: "cks-1", state: "CONNECTING" })],
      NOW - 5_000,
      1_000,
    );
    const changed = buildStatus(state.states(), CONTEXT).stores.find((s) => s.id === "cks-1");
    expect(changed).toMatchObject({ stateSeconds: 5, stateChangeSeen: true, stateChanges: 1 });
  });

  it("describes each target: status, age of the last success, poll duration, last error", () => {
    const { targets } = buildStatus(fleet().states(), CONTEXT);
    expect(targets[0]).toEqual({
      accountId: "222222222222",
      accountName: undefined,
      region: "us-east-1",
      status: "down",
      stores: 0,
      lastSuccess: undefined,
      lastSuccessSeconds: undefined,
      pollDurationSeconds: 0.04,
      lastError: { name: "AccessDeniedException", message: "no" },
    });
    expect(targets.find((t) => t.region === "eu-west-1")).toMatchObject({
      status: "up",
      lastSuccessSeconds: 10,
      pollDurationSeconds: 0.25,
    });
    const pending = new StateStore();
    pending.setTargets([PROD]);
    expect(buildStatus(pending.states(), CONTEXT).targets[0]?.status).toBe("pending");
  });

  it("filters the table by state, account id or name, and region; the summary stays whole", () => {
    const filtered = (query: string) => {
      const parsed = parseFilters(new URLSearchParams(query));
      if (!("filters" in parsed)) throw new Error(parsed.problem);
      return buildStatus(fleet().states(), CONTEXT, parsed.filters);
    };
    expect(filtered("state=failed").stores.map((s) => s.id)).toEqual(["cks-6", "cks-4"]);
    expect(filtered("state=FAILED,DISCONNECTED&region=us-east-1").stores.map((s) => s.id)).toEqual([
      "cks-4",
      "cks-3",
    ]);
    expect(filtered("account=payments-prod&region=eu-west-1").stores).toHaveLength(2);
    expect(filtered("account=111111111111").stores).toHaveLength(6);
    expect(filtered("account=222222222222").stores).toHaveLength(0);
    expect(filtered("state=&account=").stores).toHaveLength(6);
    expect(filtered("state=FAILED").summary.stores).toBe(6);
  });
});

describe("parseFilters", () => {
  it("takes repeated and comma-separated values, once each", () => {
    expect(parseFilters(new URLSearchParams("state=FAILED&state=failed,DISCONNECTED"))).toEqual({
      filters: { states: ["FAILED", "DISCONNECTED"], accounts: [], regions: [] },
    });
  });

  it("rejects an unknown parameter by name rather than showing every store", () => {
    expect(parseFilters(new URLSearchParams("states=FAILED"))).toEqual({
      problem: 'unknown query parameter "states"; the filters are state, account and region',
    });
  });
});

describe("buildStatus at fleet scale", () => {
  it("builds, renders and serialises 200,000 stores of one target without overflowing the stack", () => {
    const state = new StateStore();
    state.setTargets([PROD]);
    const stores = Array.from({ length: 200_000 }, (_, index) =>
      keyStore({
        id: `cks-${String(index).padStart(17, "0")}`,
        name: `s${index}`,
        state: "FAILED",
        errorCode: "NETWORK_ERRORS",
      }),
    );
    state.recordSuccess(PROD.key, stores, NOW, 1);
    const report = buildStatus(state.states(), CONTEXT);
    expect(report.summary.stores).toBe(200_000);
    expect(report.stores).toHaveLength(200_000);
    expect(JSON.parse(JSON.stringify(report)).summary.storesNotConnected).toBe(200_000);
    expect(renderTable(report, true)).toContain("s199999");
    expect(renderStatusPage(report, "/metrics")).toContain("200000 FAILED");
  });
});
