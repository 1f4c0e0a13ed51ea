import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { Target } from "../../src/model.js";
import { Scheduler } from "../../src/poller/scheduler.js";

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
