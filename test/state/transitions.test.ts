import { describe, expect, it } from "vitest";
import type { KeyStore } from "../../src/model.js";
import { sameStores, storeTransitions } from "../../src/state/transitions.js";

function store(id: string, state: string, errorCode?: string): KeyStore {
  return {
    id,
    name: `name-${id}`,
    type: "AWS_CLOUDHSM",
    state,
    errorCode,
    creationTimeSeconds: 1,
    cloudHsmClusterId: "",
    xksProxyConnectivity: "",
    xksProxyUriEndpoint: "",
    xksProxyUriPath: "",
    xksProxyVpcEndpointServiceName: "",
  };
}

const summary = (list: ReturnType<typeof storeTransitions>) =>
  list.map((t) => [t.store.id, t.previousState, t.previousErrorCode, t.state, t.errorCode]);

describe("storeTransitions", () => {
  it("reports nothing for a target's first poll", () => {
    expect(storeTransitions(undefined, [store("a", "FAILED")])).toEqual([]);
  });

  it("reports new, changed, re-coded and gone stores, and not unchanged ones", () => {
    const before = [
      store("same", "CONNECTED"),
      store("changes", "CONNECTED"),
      store("recoded", "FAILED", "NETWORK_ERRORS"),
      store("gone", "DISCONNECTED"),
    ];
    const after = [
      store("same", "CONNECTED"),
      store("changes", "FAILED", "USER_LOCKED_OUT"),
      store("recoded", "FAILED", "INTERNAL_ERROR"),
      store("new", "CONNECTING"),
    ];
    expect(summary(storeTransitions(before, after))).toEqual([
      ["changes", "CONNECTED", undefined, "FAILED", "USER_LOCKED_OUT"],
      ["recoded", "FAILED", "NETWORK_ERRORS", "FAILED", "INTERNAL_ERROR"],
      ["new", undefined, undefined, "CONNECTING", undefined],
      ["gone", "DISCONNECTED", undefined, undefined, undefined],
    ]);
  });
});

describe("sameStores", () => {
  it("is true only for the same stores with the same fields in the same order", () => {
    const a = store("a", "CONNECTED");
    const b = store("b", "CONNECTED");
    expect(sameStores(undefined, undefined)).toBe(true);
    expect(sameStores(undefined, [])).toBe(false);
    expect(sameStores([a, b], [store("a", "CONNECTED"), store("b", "CONNECTED")])).toBe(true);
    expect(sameStores([a, b], [b, a])).toBe(false);
    expect(sameStores([a], [a, b])).toBe(false);
    expect(sameStores([a], [{ ...a, name: "renamed" }])).toBe(false);
    expect(sameStores([a], undefined)).toBe(false);
    expect(sameStores([a, b], [a, { ...b, state: "FAILED" }])).toBe(false);
  });
});
