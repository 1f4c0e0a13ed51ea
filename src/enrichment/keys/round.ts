import {
  DescribeKeyCommand,
  type DescribeKeyCommandOutput,
  ListKeysCommand,
  type ListKeysCommandOutput,
} from "@aws-sdk/client-kms";
import { classifyError } from "../../aws/errors.js";
import type { TargetRateLimiter } from "../../aws/rate-limit.js";
import type { AccountKmsClient } from "../../aws/sessions.js";
import { EnrichmentError, enrichmentPages, type PageAttempt } from "../pages.js";
import type { DescribedKey, KeyInventory } from "./inventory.js";

/** ListKeys' largest page. */
const LIST_LIMIT = 1000;
/** 1,000 pages of 1,000 keys: far beyond KMS's default quota of 100,000 keys per region. */
const MAX_LIST_PAGES = 1_000;
/** DescribeKey calls in flight per target; the token bucket sets the pace, this the overlap. */
const DESCRIBE_WORKERS = 4;

/** The two KMS calls of the key inventory. */
export interface KeyCalls {
  listKeys(marker: string | undefined, signal: AbortSignal): Promise<ListKeysCommandOutput>;
  describeKey(keyId: string, signal: AbortSignal): Promise<DescribeKeyCommandOutput>;
}

export function kmsKeyCalls(client: AccountKmsClient): KeyCalls {
  return {
    listKeys: (marker, abortSignal) =>
      client.send(
        new ListKeysCommand({ Limit: LIST_LIMIT, ...(marker ? { Marker: marker } : {}) }),
        {
          abortSignal,
        },
      ),
    describeKey: (keyId, abortSignal) =>
      client.send(new DescribeKeyCommand({ KeyId: keyId }), { abortSignal }),
  };
}

export interface KeyRoundOptions {
  /** The custom key stores the exporter watches on this target: their keys are described. */
  storeIds: ReadonlySet<string>;
  /** Shutdown, or the target left the plan. */
  signal: AbortSignal;
  /** Deadline of all ListKeys pages together, and of each DescribeKey. */
  timeoutMs: number;
  limiters: { listKeys: TargetRateLimiter; describeKey: TargetRateLimiter };
  onAttempt: (event: PageAttempt) => void;
}

function keyIdsOf(pages: readonly ListKeysCommandOutput[]): string[] {
  return pages.flatMap((page) =>
    (page.Keys ?? []).map((entry) => {
      if (typeof entry.KeyId !== "string" || entry.KeyId === "") {
        throw new EnrichmentError("InvalidResponse", "ListKeys: a key has no KeyId");
      }
      return entry.KeyId;
    }),
  );
}

function describedKey(keyId: string, output: DescribeKeyCommandOutput): DescribedKey {
  const state: string | undefined = output.KeyMetadata?.KeyState;
  if (typeof state !== "string" || state === "") {
    throw new EnrichmentError("InvalidResponse", `DescribeKey ${keyId}: no KeyState`);
  }
  const store = output.KeyMetadata?.CustomKeyStoreId;
  return { store: typeof store === "string" && store !== "" ? store : undefined, state };
}

/**
 * One inventory round of a target: ListKeys (every page), then DescribeKey for the keys the
 * inventory asks about. A refused DescribeKey (key policy) marks the key undescribed and the
 * round goes on; any other failure ends the round, as for the other enrichments (the next
 * round is its retry), keeping what was learnt so far. A throttle slows that operation's bucket.
 */
export async function runKeyRound(
  calls: KeyCalls,
  inventory: KeyInventory,
  options: KeyRoundOptions,
): Promise<void> {
  const { limiters, signal } = options;
  const onAttempt = (event: PageAttempt) => {
    if (event.error?.throttled)
      limiters[event.operation === "ListKeys" ? "listKeys" : "describeKey"].onThrottled();
    options.onAttempt(event);
  };
  const pages = await enrichmentPages(
    {
      operation: "ListKeys",
      signal,
      timeoutMs: options.timeoutMs,
      maxPages: MAX_LIST_PAGES,
      onAttempt,
    },
    async (marker, abortSignal) => {
      await limiters.listKeys.acquire(abortSignal);
      return calls.listKeys(marker, abortSignal);
    },
    // KMS sends NextMarker only while Truncated; a marker on the last page is not followed.
    (page) => (page.Truncated ? page.NextMarker : undefined),
  );
  const queue = inventory.plan(keyIdsOf(pages), options.storeIds);
  // The first failure stops the other workers before their next call.
  const stop = new AbortController();
  const roundSignal = AbortSignal.any([signal, stop.signal]);

  const describeOne = async (keyId: string) => {
    await limiters.describeKey.acquire(roundSignal);
    const callSignal = AbortSignal.any([roundSignal, AbortSignal.timeout(options.timeoutMs)]);
    let output: DescribeKeyCommandOutput;
    try {
      output = await calls.describeKey(keyId, callSignal);
    } catch (cause) {
      // Another worker failed, or shutdown: not an attempt worth counting.
      if (roundSignal.aborted) throw cause;
      const classified = callSignal.aborted
        ? { name: "TimeoutError", retryable: false }
        : classifyError(cause);
      onAttempt({ operation: "DescribeKey", attempt: 1, error: classified, cause });
      if (classified.name === "AccessDeniedException") return inventory.refusedDescribe(keyId);
      if (classified.name === "NotFoundException") return inventory.vanished(keyId);
      throw new EnrichmentError(
        classified.name,
        `DescribeKey ${keyId}: ${(cause as Error)?.message ?? String(cause)}`,
        {
          cause,
        },
      );
    }
    onAttempt({ operation: "DescribeKey", attempt: 1 });
    inventory.described(keyId, describedKey(keyId, output));
  };

  const worker = async () => {
    for (let keyId = queue.shift(); keyId !== undefined; keyId = queue.shift()) {
      signal.throwIfAborted();
      await describeOne(keyId);
    }
  };
  /** The failure that stopped the others (theirs are the AbortErrors that follow). */
  let failure: { error: unknown } | undefined;
  const workers = Array.from({ length: DESCRIBE_WORKERS }, () =>
    worker().catch((error: unknown) => {
      failure ??= { error };
      stop.abort();
    }),
  );
  // Every worker has settled before the round ends: the next round never overlaps this one.
  await Promise.all(workers);
  if (failure) throw failure.error;
}
