import { describe, expect, it } from "vitest";
import type { KeyStore, Target } from "../../src/model.js";
import { NO_HISTORY } from "../../src/state/history.js";
import { StateStore } from "../../src/state/state.js";
import { keyStore } from "../helpers/stores.js";

function store(id: string, overrides: Partial<KeyStore> = {}): KeyStore {
  return keyStore({
    id,
    name: id,
    creationTimeSeconds: undefined,
    cloudHsmClusterId: "",
    ...overrides,
  });
}

function target(accountId: string, region = "us-east-1", accountName?: string): Target {
  return { key: `${accountId}/${region}`, accountId, accountName, region };
}

const A = target("111111111111");
const B = target("222222222222");
const DENIED = { name: "AccessDeniedException", message: "no" };

describe("StateStore targets", () => {
  it("starts a new target unpolled, down, with nothing known", () => {
    const state = new StateStore();
    state.setTargets([A]);
    expect(state.get(A.key)).toEqual({
      target: A,
      stores: undefined,
      history: NO_HISTORY,
      up: false,
      polled: false,
      lastSuccessMs: undefined,
      lastPollDurationMs: undefined,
      lastError: undefined,
      version: 0,
    });
    expect(state.size).toBe(1);
    expect([...state.states()].map((entry) => entry.target)).toEqual([A]);
    expect(state.get(B.key)).toBeUndefined();
  });

  it("keeps what it knows of a target that stays, taking its new name", () => {
    const state = new StateStore();
    state.setTargets([A]);
    state.recordSuccess(A.key, [store("cks-1")], 5_000, 10);
    const renamed = target(A.accountId, A.region, "payments");
    state.setTargets([renamed, B]);
    expect(state.get(A.key)).toMatchObject({ target: renamed, up: true, lastSuccessMs: 5_000 });
    expect(state.get(A.key)?.stores?.map((entry) => entry.id)).toEqual(["cks-1"]);
    expect(state.size).toBe(2);
  });

  it("forgets a removed target, and moves every kept target's version and the targets version", () => {
    const state = new StateStore();
    state.setTargets([A, B]);
    const before = state.targetsVersion;
    const versionOf = (key: string) => state.get(key)?.version;
    const [a, b] = [versionOf(A.key), versionOf(B.key)];
    state.setTargets([A, B]);
    expect([versionOf(A.key), versionOf(B.key)]).toEqual([(a ?? 0) + 1, (b ?? 0) + 1]);
    expect(state.targetsVersion).toBe(before + 1);
    state.setTargets([B]);
    expect(state.get(A.key)).toBeUndefined();
    expect(state.size).toBe(1);
    expect(versionOf(B.key)).toBe((b ?? 0) + 2);
    expect(state.targetsVersion).toBe(before + 2);
  });

  it("is all polled only once every target finished a poll, well or not", () => {
    const state = new StateStore();
    expect(state.allPolled()).toBe(true);
    state.setTargets([A, B]);
    expect(state.allPolled()).toBe(false);
    state.recordSuccess(A.key, [], 1, 1);
    expect(state.allPolled()).toBe(false);
    state.recordFailure(B.key, DENIED, 1);
    expect(state.allPolled()).toBe(true);
    state.setTargets([A, B, target("333333333333")]);
    expect(state.allPolled()).toBe(false);
  });
});

describe("StateStore.recordSuccess", () => {
  it("records the snapshot and clears the last error", () => {
    const state = new StateStore();
    state.setTargets([A]);
    state.recordFailure(A.key, DENIED, 7);
    const stores = [store("cks-1")];
    expect(state.recordSuccess(A.key, stores, 9_000, 25)).toEqual([]);
    expect(state.get(A.key)).toEqual({
      target: A,
      stores,
      history: new Map([
        ["cks-1", { state: "CONNECTED", changes: 0, sinceMs: 9_000, changeSeen: false }],
      ]),
      up: true,
      polled: true,
      lastSuccessMs: 9_000,
      lastPollDurationMs: 25,
      lastError: undefined,
      version: 2,
    });
  });

  it("keeps an equal store list's array, and moves the target's version on every poll", () => {
    const state = new StateStore();
    state.setTargets([A]);
    const versionOf = () => state.get(A.key)?.version ?? Number.NaN;
    const before = versionOf();
    const first = [store("cks-1")];
    state.recordSuccess(A.key, first, 1, 1);
    expect(versionOf()).toBe(before + 1);
    // An equal list keeps the old array, so the lines built from it stay valid.
    state.recordSuccess(A.key, [store("cks-1")], 2, 1);
    expect(state.get(A.key)?.stores).toBe(first);
    expect(versionOf()).toBe(before + 2);
    state.recordSuccess(A.key, [store("cks-1", { state: "FAILED" })], 3, 1);
    expect(state.get(A.key)?.stores).not.toBe(first);
    expect(state.get(A.key)?.stores?.[0]?.state).toBe("FAILED");
    expect(state.dropStores(A.key)).toBe(true);
    expect(versionOf()).toBe(before + 4);
  });

  it("replaces the stores when only a name changed (the history stays the same)", () => {
    const state = new StateStore();
    state.setTargets([A]);
    state.recordSuccess(A.key, [store("cks-1")], 1, 1);
    const history = state.get(A.key)?.history;
    const storesVersion = state.storesVersion;
    state.recordSuccess(A.key, [store("cks-1", { name: "renamed" })], 2, 1);
    expect(state.get(A.key)?.history).toBe(history);
    expect(state.get(A.key)?.stores?.[0]?.name).toBe("renamed");
    expect(state.storesVersion).toBe(storesVersion + 1);
  });

  it("returns the store transitions since the previous snapshot", () => {
    const state = new StateStore();
    state.setTargets([A]);
    state.recordSuccess(A.key, [store("cks-1")], 1, 1);
    const transitions = state.recordSuccess(
      A.key,
      [store("cks-1", { state: "DISCONNECTED" })],
      2,
      1,
    );
    expect(transitions.map((entry) => [entry.previousState, entry.state])).toEqual([
      ["CONNECTED", "DISCONNECTED"],
    ]);
  });

  it("ignores a target it does not have (removed while its poll ran)", () => {
    const state = new StateStore();
    state.setTargets([A]);
    const version = state.get(A.key)?.version;
    expect(state.recordSuccess(B.key, [store("cks-1")], 1, 1)).toEqual([]);
    expect(state.get(B.key)).toBeUndefined();
    expect(state.get(A.key)?.version).toBe(version);
  });
});

describe("StateStore.recordFailure", () => {
  it("marks the target down and keeps its last known stores and success time", () => {
    const state = new StateStore();
    state.setTargets([A]);
    const stores = [store("cks-1")];
    state.recordSuccess(A.key, stores, 1_000, 5);
    const version = state.get(A.key)?.version ?? Number.NaN;
    const history = state.get(A.key)?.history;
    state.recordFailure(A.key, DENIED, 40);
    expect(state.get(A.key)).toEqual({
      target: A,
      stores,
      history,
      up: false,
      polled: true,
      lastSuccessMs: 1_000,
      lastPollDurationMs: 40,
      lastError: DENIED,
      version: version + 1,
    });
    expect(state.get(A.key)?.stores).toBe(stores);
  });

  it("says newly down for a first poll or after a success, and when the error changes", () => {
    const state = new StateStore();
    state.setTargets([A]);
    expect(state.recordFailure(A.key, DENIED, 1)).toEqual({ newlyDown: true, errorChanged: true });
    expect(state.recordFailure(A.key, DENIED, 1)).toEqual({
      newlyDown: false,
      errorChanged: false,
    });
    // The same name with another message is the same failure.
    expect(state.recordFailure(A.key, { ...DENIED, message: "other" }, 1)).toEqual({
      newlyDown: false,
      errorChanged: false,
    });
    expect(state.recordFailure(A.key, { name: "TimeoutError", message: "slow" }, 1)).toEqual({
      newlyDown: false,
      errorChanged: true,
    });
    state.recordSuccess(A.key, [], 1, 1);
    expect(state.recordFailure(A.key, { name: "TimeoutError", message: "slow" }, 1)).toEqual({
      newlyDown: true,
      errorChanged: true,
    });
  });

  it("changes nothing for a target it does not have", () => {
    const state = new StateStore();
    state.setTargets([A]);
    const version = state.get(A.key)?.version;
    expect(state.recordFailure(B.key, DENIED, 1)).toEqual({
      newlyDown: false,
      errorChanged: false,
    });
    expect(state.get(A.key)?.version).toBe(version);
    expect(state.get(B.key)).toBeUndefined();
  });
});

describe("StateStore.dropStores", () => {
  it("forgets the stores once, moving the target's version", () => {
    const state = new StateStore();
    state.setTargets([A]);
    state.recordSuccess(A.key, [store("cks-1")], 1, 1);
    const version = state.get(A.key)?.version ?? Number.NaN;
    expect(state.dropStores(A.key)).toBe(true);
    expect(state.get(A.key)?.stores).toBeUndefined();
    expect(state.get(A.key)?.version).toBe(version + 1);
    expect(state.dropStores(A.key)).toBe(false);
    expect(state.dropStores(B.key)).toBe(false);
    expect(state.get(A.key)?.version).toBe(version + 1);
  });

  it("after a drop, the next success is a first snapshot again (no transitions)", () => {
    const state = new StateStore();
    state.setTargets([A]);
    state.recordSuccess(A.key, [store("cks-1")], 1, 1);
    state.dropStores(A.key);
    expect(state.recordSuccess(A.key, [store("cks-2")], 2, 1)).toEqual([]);
  });
});
