import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { Target } from "../../src/model.js";
import { Scheduler } from "../../src/poller/scheduler.js";

const START = 1_000_000;

function target(index: number): Target {
  const accountId = String(100000000000 + index);
  return { key: `${accountId}/us-east-1`, accountId, accountName: undefined, region: "us-east-1" };
}

const [A, B, C] = [target(0), target(1), target(2)] as [Target, Target, Target];

/**
 * Polls that take `durationMs` (per key) and end early when aborted; records starts (ms
 * since START) and abort reasons.
 */
function polls(durationMs: (key: string) => number = () => 10) {
  const starts: Array<[string, number]> = [];
  const aborts: Array<[string, string]> = [];
  let running = 0;
  const poll = (polled: Target, signal: AbortSignal) =>
    new Promise<void>((resolve) => {
      starts.push([polled.key, Date.now() - START]);
      running++;
      const finish = () => {
        running--;
        resolve();
      };
      const timer = setTimeout(finish, durationMs(polled.key));
      signal.addEventListener("abort", () => {
        aborts.push([polled.key, (signal.reason as Error).message]);
        clearTimeout(timer);
        finish();
      });
    });
  const startsOf = (key: string) => starts.filter(([k]) => k === key).map(([, at]) => at);
  return { poll, starts, aborts, startsOf, running: () => running };
}

describe("Scheduler (fake timers)", () => {
  beforeEach(() => {
    vi.useFakeTimers({ now: START });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it("keeps a target that stays in a new list as it is: no extra poll", async () => {
    const { poll, startsOf } = polls();
    const scheduler = new Scheduler({ intervalMs: 60_000, concurrency: 10, poll });
    scheduler.setTargets([A, B]);
    await vi.advanceTimersByTimeAsync(1_000);
    scheduler.setTargets([A, B, C]);
    await vi.advanceTimersByTimeAsync(1_000);
    expect(startsOf(A.key)).toEqual([0]);
    expect(startsOf(B.key)).toEqual([0]);
    expect(startsOf(C.key)).toEqual([1_000]);
    await scheduler.stop();
  });

  it("drops a removed target whether it runs, waits in the queue, or idles", async () => {
    const { poll, starts, aborts, startsOf } = polls(() => 1_000);
    const scheduler = new Scheduler({ intervalMs: 60_000, concurrency: 1, poll });
    const D = target(3);
    scheduler.setTargets([A, B, C, D]);
    // A runs; B, C and D wait in that order. B is first in the queue, A is not in it.
    scheduler.setTargets([C, D]);
    expect(aborts).toEqual([[A.key, "target removed"]]);
    await vi.advanceTimersByTimeAsync(5_000);
    // The aborted poll gave its slot to C at once.
    expect(starts).toEqual([
      [A.key, 0],
      [C.key, 0],
      [D.key, 1_000],
    ]);
    expect(startsOf(B.key)).toEqual([]);
    // An idle target (its poll over, its next one not due) goes without an abort.
    scheduler.setTargets([D]);
    expect(aborts).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(120_000);
    expect(startsOf(C.key)).toEqual([0]);
    await scheduler.stop();
  });

  it("leaves no timer behind for removed targets, nor after stop", async () => {
    const { poll } = polls();
    const scheduler = new Scheduler({ intervalMs: 60_000, concurrency: 10, poll });
    scheduler.setTargets([A, B]);
    await vi.advanceTimersByTimeAsync(100);
    expect(vi.getTimerCount()).toBe(2);
    scheduler.setTargets([B]);
    expect(vi.getTimerCount()).toBe(1);
    await scheduler.stop();
    expect(vi.getTimerCount()).toBe(0);
  });

  it("counts a turn skipped while the previous poll still waits in the queue", async () => {
    const { poll, startsOf } = polls((key) => (key === A.key ? 150_000 : 10));
    const scheduler = new Scheduler({ intervalMs: 60_000, concurrency: 1, poll });
    scheduler.setTargets([A, B]);
    // A holds the only slot for 150 s; B stays queued through its turn at 90 s (its phase,
    // 30 s, but at least half an interval after its first poll).
    await vi.advanceTimersByTimeAsync(149_000);
    expect(startsOf(B.key)).toEqual([]);
    expect(scheduler.skippedPolls(B.key)).toBe(1);
    await vi.advanceTimersByTimeAsync(1_010);
    // Queued once, so polled once when the slot frees, not once per missed turn.
    expect(startsOf(B.key)).toEqual([150_000]);
    await vi.advanceTimersByTimeAsync(100);
    expect(startsOf(B.key)).toEqual([150_000]);
    expect(scheduler.skippedPolls("999999999999/us-east-1")).toBe(0);
    await scheduler.stop();
  });

  it("applies a new interval to every target, spreading them again", async () => {
    const { poll, startsOf } = polls();
    const scheduler = new Scheduler({ intervalMs: 60_000, concurrency: 10, poll });
    scheduler.setTargets([A, B]);
    await vi.advanceTimersByTimeAsync(1_000);
    scheduler.configure({ intervalMs: 10_000, concurrency: 10 });
    await vi.advanceTimersByTimeAsync(99_000);
    // Phases 0 and 5 s of the 10 s interval (counted from the scheduler's start); the old
    // timers (A at 60 s, B at 90 s) are gone.
    const every10s = (from: number) => Array.from({ length: 10 }, (_, i) => from + i * 10_000);
    expect(startsOf(A.key)).toEqual([0, ...every10s(10_000)]);
    expect(startsOf(B.key)).toEqual([0, ...every10s(5_000)]);
    await scheduler.stop();
  });

  it("keeps the timers as they are when only the concurrency changes", async () => {
    const { poll, startsOf } = polls();
    const scheduler = new Scheduler({ intervalMs: 60_000, concurrency: 10, poll });
    scheduler.setTargets([A, B]);
    await vi.advanceTimersByTimeAsync(1_000);
    scheduler.configure({ intervalMs: 60_000, concurrency: 5 });
    await vi.advanceTimersByTimeAsync(118_000);
    // B's second poll is still at least half an interval after its first (not at 30 s).
    expect(startsOf(A.key)).toEqual([0, 60_000]);
    expect(startsOf(B.key)).toEqual([0, 90_000]);
    await scheduler.stop();
  });

  it("starts waiting polls at once when the concurrency grows", async () => {
    const { poll, running } = polls(() => 10_000);
    const scheduler = new Scheduler({ intervalMs: 60_000, concurrency: 1, poll });
    scheduler.setTargets([A, B, C]);
    expect(running()).toBe(1);
    scheduler.configure({ intervalMs: 60_000, concurrency: 3 });
    expect(running()).toBe(3);
    await scheduler.stop();
  });

  it("after stop: aborts running polls with a reason, waits for them, and takes nothing new", async () => {
    let settled = false;
    let calls = 0;
    const reasons: string[] = [];
    const scheduler = new Scheduler({
      intervalMs: 1_000,
      concurrency: 10,
      // A poll that needs 500 ms to wind down after its abort.
      poll: (_polled, signal) =>
        new Promise<void>((resolve) => {
          calls++;
          signal.addEventListener("abort", () => {
            reasons.push((signal.reason as Error).message);
            setTimeout(resolve, 500);
          });
        }),
    });
    scheduler.setTargets([A]);
    const stopped = scheduler.stop().then(() => {
      settled = true;
    });
    expect(reasons).toEqual(["exporter stopping"]);
    await vi.advanceTimersByTimeAsync(499);
    expect(settled).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    await stopped;
    expect(settled).toBe(true);
    scheduler.setTargets([B]);
    scheduler.configure({ intervalMs: 500, concurrency: 10 });
    await vi.advanceTimersByTimeAsync(5_000);
    expect(calls).toBe(1);
    expect(vi.getTimerCount()).toBe(0);
  });

  it("does not bring a removed target back when the interval changes", async () => {
    const { poll, startsOf } = polls();
    const scheduler = new Scheduler({ intervalMs: 60_000, concurrency: 10, poll });
    scheduler.setTargets([A, B]);
    scheduler.setTargets([A]);
    scheduler.configure({ intervalMs: 10_000, concurrency: 10 });
    await vi.advanceTimersByTimeAsync(60_000);
    expect(startsOf(B.key)).toEqual([0]);
    expect(scheduler.skippedPolls(B.key)).toBe(0);
    await scheduler.stop();
  });
});

function targets(count: number): Target[] {
  return Array.from({ length: count }, (_, index) => ({
    key: `${100000000000 + index}/us-east-1`,
    accountId: String(100000000000 + index),
    accountName: undefined,
    region: "us-east-1",
  }));
}

interface Started {
  key: string;
  at: number;
}

function recorder(durationOf: (key: string) => number) {
  const started: Started[] = [];
  let running = 0;
  let maxRunning = 0;
  const poll = (target: Target, signal: AbortSignal) =>
    new Promise<void>((resolve) => {
      started.push({ key: target.key, at: Date.now() });
      running++;
      maxRunning = Math.max(maxRunning, running);
      const finish = () => {
        running--;
        resolve();
      };
      const timer = setTimeout(finish, durationOf(target.key));
      signal.addEventListener("abort", () => {
        clearTimeout(timer);
        finish();
      });
    });
  return { started, poll, maxRunning: () => maxRunning };
}

describe("scheduler", () => {
  beforeEach(() => {
    vi.useFakeTimers({ now: 1_000_000 });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it("polls every target once per interval, first at once, then spread over the interval", async () => {
    const { started, poll } = recorder(() => 10);
    const scheduler = new Scheduler({ intervalMs: 60_000, concurrency: 100, poll });
    scheduler.setTargets(targets(4));
    expect(started).toHaveLength(4);
    await vi.advanceTimersByTimeAsync(60_000 * 4);
    // After the first round, each target starts at its own phase: 0, 15, 30, 45 s.
    for (const [index, target] of targets(4).entries()) {
      const starts = started
        .filter((entry) => entry.key === target.key)
        .map((entry) => entry.at - 1_000_000);
      expect(starts[0]).toBe(0);
      const later = starts.slice(1);
      expect(later.length).toBeGreaterThanOrEqual(3);
      for (const at of later) expect(at % 60_000).toBe(index * 15_000);
      // Never twice in quick succession at start, and then exactly one interval apart.
      expect(later[0]).toBeGreaterThanOrEqual(30_000);
      for (let i = 1; i < later.length; i++)
        expect((later[i] as number) - (later[i - 1] as number)).toBe(60_000);
    }
    await scheduler.stop();
  });

  it("runs at most `concurrency` polls at once", async () => {
    const { started, poll, maxRunning } = recorder(() => 1_000);
    const scheduler = new Scheduler({ intervalMs: 60_000, concurrency: 3, poll });
    scheduler.setTargets(targets(10));
    expect(started).toHaveLength(3);
    await vi.advanceTimersByTimeAsync(5_000);
    expect(started).toHaveLength(10);
    expect(maxRunning()).toBe(3);
    await scheduler.stop();
  });

  it("never overlaps two polls of one target, and a slow target does not delay the others", async () => {
    const slowKey = targets(1)[0]?.key as string;
    const { started, poll } = recorder((key) => (key === slowKey ? 150_000 : 10));
    const scheduler = new Scheduler({ intervalMs: 60_000, concurrency: 2, poll });
    scheduler.setTargets(targets(3));
    await vi.advanceTimersByTimeAsync(60_000 * 3);
    const slowStarts = started.filter((entry) => entry.key === slowKey);
    // Started at 0 and again only after it finished at 150 s (at its next phase, 180 s).
    expect(slowStarts.map((entry) => entry.at - 1_000_000)).toEqual([0, 180_000]);
    expect(scheduler.skippedPolls(slowKey)).toBe(2);
    for (const other of targets(3).slice(1)) {
      expect(started.filter((entry) => entry.key === other.key).length).toBeGreaterThanOrEqual(3);
    }
    await scheduler.stop();
  });

  it("adds and removes targets without disturbing the rest, aborting a removed target's poll", async () => {
    const aborted: string[] = [];
    const scheduler = new Scheduler({
      intervalMs: 10_000,
      concurrency: 10,
      poll: (target, signal) =>
        new Promise<void>((resolve) => {
          signal.addEventListener("abort", () => {
            aborted.push(target.key);
            resolve();
          });
          setTimeout(resolve, 5_000);
        }),
    });
    const all = targets(3);
    scheduler.setTargets(all);
    scheduler.setTargets(all.slice(0, 2));
    expect(aborted).toEqual([all[2]?.key]);
    await scheduler.stop();
    expect(aborted.sort()).toEqual(all.map((target) => target.key).sort());
  });

  it("stops: no poll starts after stop()", async () => {
    const { started, poll } = recorder(() => 10);
    const scheduler = new Scheduler({ intervalMs: 1_000, concurrency: 1, poll });
    scheduler.setTargets(targets(2));
    await scheduler.stop();
    const count = started.length;
    await vi.advanceTimersByTimeAsync(10_000);
    expect(started).toHaveLength(count);
  });

  it("keeps a target that waits for another poll's work out of the slots, then runs it first", async () => {
    const { started, poll, maxRunning } = recorder(() => 100);
    // Target 0 is "assuming the role" of targets 1 and 2 for its first 100 ms.
    let roleReady: (() => void) | undefined;
    const assuming = new Promise<void>((resolve) => {
      roleReady = resolve;
    });
    let waiting = true;
    const all = targets(5);
    const shared = new Set([all[1]?.key, all[2]?.key]);
    const scheduler = new Scheduler({
      intervalMs: 60_000,
      concurrency: 2,
      poll,
      waitFor: (target) => (waiting && shared.has(target.key) ? assuming : undefined),
    });
    scheduler.setTargets(all);
    // Targets 1 and 2 took no slot: 0 and 3 run.
    expect(started.map((entry) => entry.key)).toEqual([all[0]?.key, all[3]?.key]);
    waiting = false;
    roleReady?.();
    await vi.advanceTimersByTimeAsync(100);
    // When the slots free up, the parked targets go before target 4, which queued after them.
    expect(started.map((entry) => entry.key).slice(2, 4)).toEqual([all[1]?.key, all[2]?.key]);
    await vi.advanceTimersByTimeAsync(100);
    expect(started.map((entry) => entry.key)[4]).toBe(all[4]?.key);
    expect(maxRunning()).toBe(2);
    await scheduler.stop();
  });

  it("drops a parked target that goes away before its wait ends", async () => {
    const { started, poll } = recorder(() => 10);
    let release: (() => void) | undefined;
    const blocker = new Promise<void>((resolve) => {
      release = resolve;
    });
    const all = targets(2);
    const scheduler = new Scheduler({
      intervalMs: 60_000,
      concurrency: 2,
      poll,
      waitFor: (target) => (target.key === all[1]?.key ? blocker : undefined),
    });
    scheduler.setTargets(all);
    scheduler.setTargets(all.slice(0, 1));
    release?.();
    await vi.advanceTimersByTimeAsync(100);
    expect(started.map((entry) => entry.key)).toEqual([all[0]?.key]);
    await scheduler.stop();
  });
});
