import timers from "node:timers/promises";
import {
  DescribeCustomKeyStoresCommand,
  type DescribeCustomKeyStoresCommandOutput,
} from "@aws-sdk/client-kms";
import pRetry, { AbortError } from "p-retry";
import { type ClassifiedError, classifyError } from "../aws/errors.js";
import { PaginationError, paginate } from "../aws/pagination.js";
import type { RetryPolicy } from "../config/types.js";
import type { KeyStore } from "../model.js";
import { fullJitterDelayMs } from "./backoff.js";
import { InvalidResponseError, pageEntries, toKeyStore } from "./response.js";

const OPERATION = "DescribeCustomKeyStores";
/** The API's maximum: the fewest calls per poll. */
const PAGE_LIMIT = 1000;

/** Why a poll ended without a snapshot; `errorName` is the error label of the last attempt. */
export class PollError extends Error {
  override readonly name = "PollError";
  readonly errorName: string;

  constructor(errorName: string, message: string, options?: ErrorOptions) {
    super(message, options);
    this.errorName = errorName;
  }
}

export interface AttemptEvent {
  operation: string;
  attempt: number;
  /** Absent when the attempt succeeded. */
  error?: ClassifiedError;
  cause?: unknown;
}

export interface PollOptions {
  client: {
    send(
      command: DescribeCustomKeyStoresCommand,
      options: { abortSignal: AbortSignal },
    ): Promise<DescribeCustomKeyStoresCommandOutput>;
  };
  retry: RetryPolicy;
  timeoutMs: number;
  maxPages: number;
  /** More stores than this over all pages is an InvalidResponse. */
  maxStores: number;
  /** Called once per HTTP attempt, after it ends (counters, debug logs). */
  onAttempt: (event: AttemptEvent) => void;
  /** The target's rate limiter, asked before every attempt (retries included). */
  rateLimiter?: {
    acquire(signal: AbortSignal): Promise<number>;
    onThrottled(): void;
  };
  /** A NextMarker that came with `Truncated: false`, and was not followed (a debug log). */
  onIgnoredMarker?: (marker: string) => void;
  /** Time spent waiting for the rate limiter before an attempt. */
  onRateLimitWait?: (waitedMs: number) => void;
  /** Aborts the poll from outside (shutdown, target removed). */
  signal?: AbortSignal;
  random?: () => number;
  now?: () => number;
}

class AttemptFailure extends Error {
  constructor(
    readonly classified: ClassifiedError,
    options: ErrorOptions,
  ) {
    super(classified.name, options);
  }
}

const DEADLINE: ClassifiedError = { name: "TimeoutError", retryable: false };

/**
 * One poll of one target: every page of DescribeCustomKeyStores (the shared paginator, which
 * caps pages and stops a repeated marker), each page call retried
 * (full-jitter backoff, p-retry) while that can help and the deadline allows. The deadline
 * aborts the SDK call itself, so a hung socket cannot outlive it.
 */
export async function pollTarget(options: PollOptions): Promise<KeyStore[]> {
  const now = options.now ?? Date.now;
  const random = options.random ?? Math.random;
  const deadlineAt = now() + options.timeoutMs;
  const controller = new AbortController();
  const deadlineTimer = setTimeout(
    () => controller.abort(new Error(`poll deadline of ${options.timeoutMs} ms passed`)),
    options.timeoutMs,
  );
  const stop = () => controller.abort(options.signal?.reason ?? new Error("poll stopped"));
  options.signal?.addEventListener("abort", stop, { once: true });
  // A listener never fires for a signal that aborted before it was added.
  if (options.signal?.aborted) stop();
  let attempt = 0;

  const callOnce = async (marker: string | undefined) => {
    if (options.rateLimiter) {
      // Not inside `onRateLimitWait?.(…)`: without that hook the wait would be skipped.
      const waitedMs = await options.rateLimiter.acquire(controller.signal);
      options.onRateLimitWait?.(waitedMs);
    }
    attempt++;
    try {
      const page = await options.client.send(
        new DescribeCustomKeyStoresCommand({
          Limit: PAGE_LIMIT,
          ...(marker ? { Marker: marker } : {}),
        }),
        { abortSignal: controller.signal },
      );
      options.onAttempt({ operation: OPERATION, attempt });
      return page;
    } catch (cause) {
      // Stopped from outside (shutdown, target removed): not a failure of the target.
      if (options.signal?.aborted) throw new AbortError(new Error("poll stopped"));
      const classified = controller.signal.aborted ? DEADLINE : classifyError(cause);
      if (classified.throttled) options.rateLimiter?.onThrottled();
      options.onAttempt({ operation: OPERATION, attempt, error: classified, cause });
      const failure = new AttemptFailure(classified, { cause });
      throw classified.retryable ? failure : new AbortError(failure);
    }
  };

  const fetchPage = (marker: string | undefined) =>
    pRetry(() => callOnce(marker), {
      retries: options.retry.maxAttempts - 1,
      // p-retry's own wait is off: shouldRetry waits the full-jitter delay instead.
      minTimeout: 0,
      signal: controller.signal,
      shouldRetry: async ({ retriesConsumed }) => {
        const delayMs = fullJitterDelayMs(retriesConsumed + 1, options.retry, random);
        if (now() + delayMs >= deadlineAt) return false;
        await timers.setTimeout(delayMs, undefined, { signal: controller.signal });
        return true;
      },
    });

  try {
    const stores: KeyStore[] = [];
    const storeIds = new Set<string>();
    const paging = { operation: OPERATION, tokenName: "NextMarker", maxPages: options.maxPages };
    const nextMarker = (page: DescribeCustomKeyStoresCommandOutput) =>
      nextMarkerOf(page, options.onIgnoredMarker);
    for await (const page of paginate(paging, fetchPage, nextMarker)) {
      const entries = pageEntries(page, {
        limit: PAGE_LIMIT,
        storesSoFar: stores.length,
        maxStores: options.maxStores,
      });
      for (const entry of entries) {
        const store = toKeyStore(entry);
        if (storeIds.has(store.id)) {
          throw new InvalidResponseError(`store ${store.id} is listed twice`);
        }
        storeIds.add(store.id);
        stores.push(store);
      }
    }
    return stores;
  } catch (error) {
    throw toPollError(error, controller.signal);
  } finally {
    clearTimeout(deadlineTimer);
    options.signal?.removeEventListener("abort", stop);
  }
}

/** The API's limit on a marker's length (DescribeCustomKeyStores, `Marker`). */
export const MAX_MARKER_LENGTH = 1024;

/**
 * Where the next page starts, as the AWS model says: `Truncated` is the "more results"
 * flag (botocore's paginator reads it so), and `NextMarker` is "present only if Truncated
 * is true". A marker on the last page is ignored; a truncated page without a usable marker
 * cannot be continued, so the answer is invalid rather than silently complete. See
 * https://docs.aws.amazon.com/kms/latest/APIReference/API_DescribeCustomKeyStores.html
 */
export function nextMarkerOf(
  page: Pick<DescribeCustomKeyStoresCommandOutput, "Truncated" | "NextMarker">,
  onIgnoredMarker?: (marker: string) => void,
): string | undefined {
  const marker: unknown = page.NextMarker;
  if (page.Truncated !== true) {
    if (typeof marker === "string" && marker !== "") onIgnoredMarker?.(marker);
    return undefined;
  }
  if (typeof marker !== "string" || marker === "") {
    throw new InvalidResponseError("Truncated is true but the page has no NextMarker");
  }
  if (marker.length > MAX_MARKER_LENGTH) {
    throw new InvalidResponseError(
      `NextMarker is ${marker.length} characters, over the API's limit of ${MAX_MARKER_LENGTH}`,
    );
  }
  return marker;
}

function toPollError(error: unknown, signal: AbortSignal): PollError {
  if (error instanceof PollError) return error;
  if (error instanceof PaginationError) {
    return new PollError(error.errorName, error.message, { cause: error });
  }
  if (error instanceof AttemptFailure) {
    const cause = error.cause as Error | undefined;
    return new PollError(error.classified.name, cause?.message || error.classified.name, { cause });
  }
  if (error instanceof InvalidResponseError) {
    return new PollError(error.name, error.message, { cause: error });
  }
  if (signal.aborted) {
    return new PollError(
      DEADLINE.name,
      String((signal.reason as Error)?.message ?? signal.reason),
      { cause: error },
    );
  }
  const classified = classifyError(error);
  return new PollError(classified.name, (error as Error)?.message ?? String(error), {
    cause: error,
  });
}
