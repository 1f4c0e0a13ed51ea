import { describe, expect, it } from "vitest";
import { ConfigError } from "../src/config/errors.js";
import { parseFlags } from "../src/config/flags.js";
import { onceExitCode, onceOptions } from "../src/once.js";
import { StateStore } from "../src/state/state.js";
import { buildStatus } from "../src/status/report.js";
import { keyStore, target } from "./helpers/stores.js";

function problems(argv: string[]): string[] {
  try {
    onceOptions(parseFlags(argv));
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  return [];
}

describe("onceOptions", () => {
  it("defaults to a table and takes json", () => {
    expect(onceOptions(parseFlags(["--once"]))).toEqual({
      output: "table",
      allowDisconnected: false,
    });
    expect(onceOptions(parseFlags(["--once", "--output=json", "--allow-disconnected"]))).toEqual({
      output: "json",
      allowDisconnected: true,
    });
    expect(onceOptions(parseFlags([]))).toBeUndefined();
  });

  it("rejects another output, and the once-only flags without --once, all at once", () => {
    expect(problems(["--once", "--output=yaml"])).toEqual([
      "flags: --output=yaml: the output is table or json",
    ]);
    expect(problems(["--output=json", "--allow-disconnected"])).toEqual([
      "flags: --output applies only with --once",
      "flags: --allow-disconnected applies only with --once",
    ]);
  });
});

const T = target("111111111111", "us-east-1");

function report(states: string[], polled: "up" | "down" | "pending" = "up") {
  const state = new StateStore();
  state.setTargets([T]);
  const stores = states.map((connection, index) =>
    keyStore({ id: `cks-${index}`, state: connection }),
  );
  if (polled === "up") state.recordSuccess(T.key, stores, 1_000, 10);
  if (polled === "down")
    state.recordFailure(T.key, { name: "AccessDeniedException", message: "" }, 10);
  return buildStatus(state.states(), { version: "1", intervalMs: 60_000, nowMs: 2_000 });
}

describe("onceExitCode", () => {
  it.each([
    [["CONNECTED", "CONNECTED"], false, 0],
    [[], false, 0],
    [["CONNECTED", "FAILED"], false, 1],
    [["CONNECTED", "FAILED"], true, 1],
    [["DISCONNECTED"], false, 1],
    [["DISCONNECTED", "CONNECTING", "DISCONNECTING", "NEW_STATE"], true, 0],
    [["CONNECTING"], false, 1],
  ])("stores %j with allowDisconnected %s: %i", (states, allowDisconnected, code) => {
    expect(onceExitCode(report(states), true, allowDisconnected)).toBe(code);
  });

  it("is 3 for a target that is down, not polled, or an incomplete round", () => {
    expect(onceExitCode(report([], "down"), true, false)).toBe(3);
    expect(onceExitCode(report([], "pending"), true, false)).toBe(3);
    expect(onceExitCode(report(["CONNECTED"]), false, false)).toBe(3);
  });
});
