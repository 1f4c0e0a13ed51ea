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
