import { describe, expect, it } from "vitest";
import { NO_HISTORY, nextHistories } from "../../src/state/history.js";
import { keyStore } from "../helpers/stores.js";

const A = "cks-aaaaaaaaaaaaaaaaa";
const B = "cks-bbbbbbbbbbbbbbbbb";

describe("nextHistories", () => {
  it("starts a store it has not seen at 0 changes, since the poll, change not seen", () => {
    const histories = nextHistories(NO_HISTORY, [keyStore({ id: A, state: "FAILED" })], 1_000);
    expect(histories.get(A)).toEqual({
      state: "FAILED",
      changes: 0,
      sinceMs: 1_000,
      changeSeen: false,
    });
  });

  it("counts a ConnectionState change and restarts the time in state", () => {
    const first = nextHistories(NO_HISTORY, [keyStore({ id: A, state: "CONNECTED" })], 1_000);
    const second = nextHistories(first, [keyStore({ id: A, state: "FAILED" })], 2_000);
    const third = nextHistories(second, [keyStore({ id: A, state: "CONNECTED" })], 3_000);
    expect(second.get(A)).toEqual({
      state: "FAILED",
      changes: 1,
      sinceMs: 2_000,
      changeSeen: true,
    });
    expect(third.get(A)).toMatchObject({ state: "CONNECTED", changes: 2, sinceMs: 3_000 });
  });

  it("returns the same map when nothing changed, error code changes included", () => {
    const first = nextHistories(
      NO_HISTORY,
      [keyStore({ id: A, state: "FAILED", errorCode: "NETWORK_ERRORS" })],
      1_000,
    );
    const again = nextHistories(
      first,
      [keyStore({ id: A, state: "FAILED", errorCode: "USER_LOCKED_OUT" })],
      2_000,
    );
    expect(again).toBe(first);
  });

  it("forgets stores missing from the poll and adds new ones", () => {
    const first = nextHistories(NO_HISTORY, [keyStore({ id: A })], 1_000);
    const next = nextHistories(first, [keyStore({ id: B })], 2_000);
    expect([...next.keys()]).toEqual([B]);
    const same = nextHistories(first, [keyStore({ id: A })], 3_000);
    expect(same).toBe(first);
    expect(nextHistories(first, [], 4_000).size).toBe(0);
  });
});
