import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { MIN_PER_SECOND, RECOVERY_MS, TargetRateLimiter } from "../../src/aws/rate-limit.js";

const signal = () => new AbortController().signal;

describe("TargetRateLimiter (fake timers)", () => {
  beforeEach(() => {
    vi.useFakeTimers({ now: 0 });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it("waits only for the missing part of a token", async () => {
    const limiter = new TargetRateLimiter({ perSecond: 2, burst: 1 });
    expect(await limiter.acquire(signal())).toBe(0);
    // Half a token refilled in 250 ms; the other half takes 250 ms more.
    await vi.advanceTimersByTimeAsync(250);
    const next = limiter.acquire(signal());
    await vi.advanceTimersByTimeAsync(250);
    expect(await next).toBe(250);
  });

  it("caps the saved-up tokens at a lowered burst", async () => {
    const limiter = new TargetRateLimiter({ perSecond: 1, burst: 10 });
    limiter.configure({ perSecond: 1, burst: 2 });
    expect(await limiter.acquire(signal())).toBe(0);
    expect(await limiter.acquire(signal())).toBe(0);
    const third = limiter.acquire(signal());
    await vi.advanceTimersByTimeAsync(1_000);
    expect(await third).toBe(1_000);
  });

  it("after a throttle, makes the next call wait even when the target was idle", async () => {
    const limiter = new TargetRateLimiter({ perSecond: 2, burst: 2 });
    await vi.advanceTimersByTimeAsync(10_000);
    limiter.onThrottled();
    const next = limiter.acquire(signal());
    await vi.advanceTimersByTimeAsync(1_000);
    // Half the rate (1/s): a whole second for the first token.
    expect(await next).toBe(1_000);
  });

  it("never goes above the configured rate once recovered", () => {
    const limiter = new TargetRateLimiter({ perSecond: 4, burst: 4 });
    limiter.onThrottled();
    vi.advanceTimersByTime(RECOVERY_MS * 3);
    expect(limiter.currentRate()).toBe(4);
  });

  it("refuses a caller whose signal already aborted, even with tokens to spare", async () => {
    const limiter = new TargetRateLimiter({ perSecond: 1, burst: 2 });
    await expect(limiter.acquire(AbortSignal.abort(new Error("gone")))).rejects.toThrow("gone");
    expect(await limiter.acquire(signal())).toBe(0);
    expect(await limiter.acquire(signal())).toBe(0);
  });
});

describe("per-target rate limiter (fake timers)", () => {
  beforeEach(() => {
    vi.useFakeTimers({ now: 0 });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it("lets a burst through, then one call per 1/rate seconds, in order", async () => {
    const limiter = new TargetRateLimiter({ perSecond: 5, burst: 5 });
    const signal = new AbortController().signal;
    const grantedAt: number[] = [];
    const all = Array.from({ length: 8 }, () =>
      limiter.acquire(signal).then(() => grantedAt.push(Date.now())),
    );
    await vi.advanceTimersByTimeAsync(2_000);
    await Promise.all(all);
    expect(grantedAt).toEqual([0, 0, 0, 0, 0, 200, 400, 600]);
  });

  it("reports how long a caller waited", async () => {
    const limiter = new TargetRateLimiter({ perSecond: 2, burst: 1 });
    const signal = new AbortController().signal;
    expect(await limiter.acquire(signal)).toBe(0);
    const second = limiter.acquire(signal);
    await vi.advanceTimersByTimeAsync(500);
    expect(await second).toBe(500);
  });

  it("halves the rate on a throttle and recovers linearly over the recovery period", () => {
    const limiter = new TargetRateLimiter({ perSecond: 4, burst: 4 });
    limiter.onThrottled();
    expect(limiter.currentRate()).toBe(2);
    limiter.onThrottled();
    expect(limiter.currentRate()).toBe(1);
    vi.advanceTimersByTime(RECOVERY_MS / 2);
    expect(limiter.currentRate()).toBe(2.5);
    vi.advanceTimersByTime(RECOVERY_MS / 2);
    expect(limiter.currentRate()).toBe(4);
    for (let i = 0; i < 20; i++) limiter.onThrottled();
    expect(limiter.currentRate()).toBe(MIN_PER_SECOND);
  });

  it("gives up waiting when the poll's deadline aborts", async () => {
    const limiter = new TargetRateLimiter({ perSecond: 1, burst: 1 });
    const controller = new AbortController();
    await limiter.acquire(controller.signal);
    const waiting = limiter.acquire(controller.signal);
    const outcome = expect(waiting).rejects.toThrow("deadline");
    controller.abort(new Error("deadline"));
    await outcome;
    // The queue is not stuck behind the aborted caller.
    const next = limiter.acquire(new AbortController().signal);
    await vi.advanceTimersByTimeAsync(1_000);
    await expect(next).resolves.toBeGreaterThanOrEqual(0);
  });
});
