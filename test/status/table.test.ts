import { describe, expect, it } from "vitest";
import { StateStore } from "../../src/state/state.js";
import { buildStatus, RUNBOOKS_URL } from "../../src/status/report.js";
import { renderTable, terminalSafe } from "../../src/status/table.js";
import { keyStore, target } from "../helpers/stores.js";

const PROD = target("111111111111", "us-east-1", "prod");
const DOWN = target("222222222222", "eu-west-1");

function table(stores = [keyStore()], complete = true): string {
  const state = new StateStore();
  state.setTargets([PROD, DOWN]);
  state.recordSuccess(PROD.key, stores, 1_000, 120);
  state.recordFailure(
    DOWN.key,
    { name: "AccessDeniedException", message: "not\u001b[2J allowed" },
    40,
  );
  return renderTable(
    buildStatus(state.states(), { version: "1", intervalMs: 60_000, nowMs: 2_000 }),
    complete,
  );
}

describe("renderTable", () => {
  it("counts everything, lists stores not CONNECTED and failing targets only", () => {
    const text = table([
      keyStore({ id: "cks-1", name: "fine" }),
      keyStore({ id: "cks-2", name: "broken", state: "FAILED", errorCode: "NETWORK_ERRORS" }),
    ]);
    expect(text.split("\n").slice(0, 2)).toEqual([
      "2 stores: 1 CONNECTED, 1 FAILED",
      "2 targets: 1 up, 1 down",
    ]);
    expect(text).not.toContain("fine");
    expect(text).toMatch(
      /^✖ FAILED +prod 111111111111 +us-east-1 +broken +cks-2 +NETWORK_ERRORS$/m,
    );
    expect(text).toContain("NETWORK_ERRORS: KMS could not reach the backing key store");
    expect(text).toContain(`  ${RUNBOOKS_URL}#network_errors`);
    expect(text).toMatch(
      /^222222222222 +eu-west-1 +down +0 +0\.04 s +AccessDeniedException: not\\u001b\[2J allowed$/m,
    );
  });

  it("says when the round was cut short", () => {
    expect(table([], false)).toContain("Not every target could be polled in time");
  });

  it("cuts long names and never lets control characters through", () => {
    const text = table([
      keyStore({ name: `${"x".repeat(100)}\u009b\u202e`, state: "DISCONNECTED" }),
    ]);
    expect(text).toContain(`${"x".repeat(47)}…`);
    // Only newlines remain of the control characters.
    expect(text.replaceAll("\n", "")).not.toMatch(/[\p{Cc}\u202e]/u);
  });
});

describe("terminalSafe", () => {
  it("escapes C0 and C1 controls, DEL and bidirectional overrides, and keeps other text", () => {
    expect(terminalSafe("a\u001b[31mb\u007f\u0085\u202e\u2066 ü 鍵")).toBe(
      "a\\u001b[31mb\\u007f\\u0085\\u202e\\u2066 ü 鍵",
    );
  });
});
