import type { RetryPolicy } from "../config/types.js";

/**
 * "Full jitter" (AWS Architecture Blog, Exponential Backoff And Jitter): a uniform delay
 * between 0 and the capped exponential bound. Spreads retries of many targets that failed
 * together far better than p-retry's `randomize` (a 1–2× factor on the bound).
 */
export function fullJitterDelayMs(
  retryNumber: number,
  policy: RetryPolicy,
  random: () => number,
): number {
  const bound = Math.min(policy.maxDelayMs, policy.minDelayMs * 2 ** (retryNumber - 1));
  return Math.floor(random() * bound);
}
