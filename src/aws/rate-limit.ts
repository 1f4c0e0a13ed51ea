import timers from "node:timers/promises";

export interface RateLimit {
  /** Steady rate; KMS allows DescribeCustomKeyStores 5 requests/s per account and region. */
  perSecond: number;
  burst: number;
}

/** After a throttle, the rate climbs back to the configured one over this long. */
export const RECOVERY_MS = 60_000;
/** The lowest rate a throttled target slows down to. */
export const MIN_PER_SECOND = 0.2;

/**
 * A token bucket per target, shared by every call to it, retries included. A throttle
 * answer empties the bucket and halves the rate at once; it then recovers linearly to the configured rate over
 * RECOVERY_MS without another throttle, so a target that shares its quota with other
 * tools settles below it by itself.
 */
export class TargetRateLimiter {
  private tokens: number;
  private refilledAt: number;
  private throttledAt: number | undefined;
  private throttledRate: number;
  private queue: Promise<void> = Promise.resolve();

  constructor(
    private limit: RateLimit,
    private readonly now: () => number = Date.now,
  ) {
    this.tokens = limit.burst;
    this.refilledAt = now();
    this.throttledRate = limit.perSecond;
  }

  configure(limit: RateLimit): void {
    this.limit = limit;
    this.tokens = Math.min(this.tokens, limit.burst);
  }

  /** The rate in force now: the configured one, or on the way back to it after a throttle. */
  currentRate(): number {
    const { perSecond } = this.limit;
    if (this.throttledAt === undefined) return perSecond;
    const progress = (this.now() - this.throttledAt) / RECOVERY_MS;
    if (progress >= 1) return perSecond;
    return this.throttledRate + (perSecond - this.throttledRate) * progress;
  }

  onThrottled(): void {
    this.refill();
    this.throttledRate = Math.max(MIN_PER_SECOND, this.currentRate() / 2);
    this.throttledAt = this.now();
    // The saved-up burst is what just got throttled: the next call waits its turn.
    this.tokens = 0;
  }

  private refill(): void {
    const now = this.now();
    this.tokens = Math.min(
      this.limit.burst,
      this.tokens + ((now - this.refilledAt) / 1000) * this.currentRate(),
    );
    this.refilledAt = now;
  }

  /** Waits for a token (callers queue in order); resolves to the milliseconds waited. */
  acquire(signal: AbortSignal): Promise<number> {
    const turn = this.queue.then(() => this.take(signal));
    this.queue = turn.then(
      () => undefined,
      () => undefined,
    );
    return turn;
  }

  private async take(signal: AbortSignal): Promise<number> {
    const startedAt = this.now();
    for (;;) {
      signal.throwIfAborted();
      this.refill();
      if (this.tokens >= 1) {
        this.tokens -= 1;
        return this.now() - startedAt;
      }
      const waitMs = Math.ceil(((1 - this.tokens) / this.currentRate()) * 1000);
      // Rejects with the signal's reason, not node's generic AbortError.
      await timers.setTimeout(waitMs, undefined, { signal }).catch(() => signal.throwIfAborted());
    }
  }
}
