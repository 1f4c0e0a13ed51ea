import type { RateLimitSpec } from "./scenario.js";

/**
 * A token bucket on the simulator's clock, the way AWS enforces per-account-and-region API
 * quotas: it starts full, refills at `perSecond`, holds at most `burst` tokens, and a call
 * that finds less than one token is refused without taking any.
 */
export interface TokenBucket {
  readonly perSecond: number;
  readonly burst: number;
  /** Takes a token at `atMs` and returns true, or returns false when the bucket is empty. */
  take(atMs: number): boolean;
  /** Copies another bucket's fill level and clock (used when a target is rebuilt). */
  restore(from: TokenBucket): void;
  /** Fill level and the clock it was last brought up to, for restore() and tests. */
  snapshot(): { tokens: number; atMs: number | undefined };
}

export function tokenBucket(spec: RateLimitSpec): TokenBucket {
  const perSecond = spec.perSecond;
  const burst = spec.burst ?? Math.max(1, Math.ceil(perSecond));
  let tokens = burst;
  let lastMs: number | undefined;

  const refill = (atMs: number) => {
    // A clock that steps backwards refills nothing rather than draining the bucket.
    if (lastMs !== undefined && atMs > lastMs) {
      tokens = Math.min(burst, tokens + ((atMs - lastMs) * perSecond) / 1000);
    }
    if (lastMs === undefined || atMs > lastMs) lastMs = atMs;
  };

  return {
    perSecond,
    burst,
    take(atMs) {
      refill(atMs);
      // A tiny epsilon absorbs floating-point error in fractional refills.
      if (tokens < 1 - 1e-9) return false;
      tokens = Math.max(0, tokens - 1);
      return true;
    },
    restore(from) {
      const state = from.snapshot();
      tokens = Math.min(burst, state.tokens);
      lastMs = state.atMs;
    },
    snapshot: () => ({ tokens, atMs: lastMs }),
  };
}
