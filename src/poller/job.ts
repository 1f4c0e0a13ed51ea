import type { Logger } from "pino";
import { ErrorLabels } from "../aws/error-label.js";
import { classifyError } from "../aws/errors.js";
import type { SessionPool } from "../aws/sessions.js";
import type { Enrichment, RetryPolicy, StoreFilter } from "../config/types.js";
import { createEnricher } from "../enrichment/enricher.js";
import type { EnrichmentStore } from "../enrichment/state.js";
import { clip, MAX_MESSAGE_CHARACTERS } from "../log/clip.js";
import { logFailure } from "../log/failure.js";
import type { ExporterMetrics } from "../metrics/exporter-metrics.js";
import type { Target } from "../model.js";
import type { StateStore } from "../state/state.js";
import type { StoreTransition } from "../state/transitions.js";
import { filterStores } from "../targets/store-filter.js";
import { PollError, pollTarget } from "./poll.js";

/** More pages than this is a broken paginator, not a real account (KMS allows few stores). */
const MAX_PAGES = 1000;

export interface JobSettings {
  retry: RetryPolicy;
  /** The global store filter; an account's own filter replaces it. */
  stores: StoreFilter | undefined;
  timeoutMs: number;
  /** After this long without a successful poll a target's store series go; undefined: never. */
  maxStalenessMs: number | undefined;
  maxStoresPerTarget: number;
  enrich: Enrichment;
}

export interface PollJobOptions {
  pool: Pick<SessionPool, "session" | "isCurrent" | "limiter">;
  /** Read at every poll: a reload can change them. */
  settings: () => JobSettings;
  state: StateStore;
  enrichment: EnrichmentStore;
  metrics: Pick<
    ExporterMetrics,
    | "apiRequests"
    | "apiRequestErrors"
    | "pollErrors"
    | "rateLimitWait"
    | "cloudWatchIncompleteResults"
  >;
  logger: Logger;
  now: () => number;
  /** The exporter's stop: ends key inventory rounds, which outlive their poll. */
  stopSignal?: AbortSignal;
}

/**
 * One target's poll as the scheduler runs it: assume the account's role, poll every page,
 * record the snapshot, count, log what changed, then run the opt-in enrichments on the
 * stores just seen. `pollTarget` stays free of all that. It never rejects: a failure is
 * recorded in the state.
 */
export function createPollJob(options: PollJobOptions) {
  const { pool, state, enrichment, metrics, logger, now } = options;
  // One budget of error names per target, for the store poll and its enrichments together.
  const errorLabels = new ErrorLabels();
  const enrichTarget = createEnricher({
    enrichment,
    metrics,
    logger,
    now,
    errorLabels,
    ...(options.stopSignal ? { stopSignal: options.stopSignal } : {}),
  });

  return async function pollJob(target: Target, signal: AbortSignal): Promise<void> {
    const session = pool.session(target);
    if (!session) return;
    const settings = options.settings();
    const labels = { account_id: target.accountId, region: target.region };
    const startedAt = now();
    try {
      if (session.account.roleArn !== undefined && session.credentials) {
        // Fetch the session first, so a role that cannot be assumed is reported as such,
        // not as a failed DescribeCustomKeyStores call.
        await session.credentials().catch((error: unknown) => {
          throw new PollError(
            classifyError(error).name,
            `AssumeRole ${session.account.roleArn}: ${(error as Error).message}`,
            { cause: error },
          );
        });
        // A reload may have removed the target or changed its role meanwhile.
        if (signal.aborted || !pool.isCurrent(session)) return;
      }
      const polled = await pollTarget({
        client: session.kmsClient(target.region),
        retry: settings.retry,
        timeoutMs: settings.timeoutMs,
        maxPages: MAX_PAGES,
        maxStores: settings.maxStoresPerTarget,
        signal,
        now,
        rateLimiter: pool.limiter(target),
        onRateLimitWait: (waitedMs) => {
          if (waitedMs > 0) metrics.rateLimitWait.inc(labels, waitedMs / 1000);
        },
        onIgnoredMarker: (marker) =>
          logger.debug(
            { ...labels, markerLength: marker.length },
            "NextMarker ignored: the page says Truncated false",
          ),
        onAttempt: ({ operation, attempt, error }) => {
          metrics.apiRequests.inc({ ...labels, operation });
          if (!error) return;
          metrics.apiRequestErrors.inc({
            ...labels,
            operation,
            error: errorLabels.label(target.key, error.name),
          });
          logger.debug(
            { ...labels, operation, attempt, error: error.name, retryable: error.retryable },
            "API attempt failed",
          );
        },
      });
      if (signal.aborted) return;
      const stores = filterStores(polled, session.account.stores ?? settings.stores);
      const before = state.get(target.key);
      const recovering = before?.polled === true && !before.up;
      const finishedAt = now();
      const transitions = state.recordSuccess(
        target.key,
        stores,
        finishedAt,
        finishedAt - startedAt,
      );
      logTransitions(logger, target, transitions);
      if (recovering)
        logger.info({ ...labels, stores: stores.length }, "target poll succeeded again");
      // After the snapshot is recorded: whatever the enrichments meet, the stores stand.
      await enrichTarget({
        target,
        session,
        stores,
        enrich: settings.enrich,
        timeoutMs: settings.timeoutMs,
        signal,
        isCurrent: () => pool.isCurrent(session),
      });
    } catch (error) {
      if (signal.aborted) return;
      const pollError =
        error instanceof PollError
          ? error
          : new PollError("UnknownError", String(error), { cause: error });
      const failedAt = now();
      metrics.pollErrors.inc({
        ...labels,
        error: errorLabels.label(target.key, pollError.errorName),
      });
      const outcome = state.recordFailure(
        target.key,
        // Kept per target and shown on the status page: an AWS message can be megabytes.
        { name: pollError.errorName, message: clip(pollError.message, MAX_MESSAGE_CHARACTERS) },
        failedAt - startedAt,
      );
      dropIfStale(target, failedAt, settings.maxStalenessMs);
      logFailure(
        logger,
        outcome.newlyDown || outcome.errorChanged,
        {
          ...labels,
          account_name: target.accountName,
          error: pollError.errorName,
          message: pollError.message,
        },
        "target poll failed; keeping its last known stores",
      );
    }
  };

  /** maxStaleness: last known stores older than this are no longer worth exporting. */
  function dropIfStale(target: Target, at: number, maxStalenessMs: number | undefined): void {
    const lastSuccessMs = state.get(target.key)?.lastSuccessMs;
    if (maxStalenessMs === undefined || lastSuccessMs === undefined) return;
    if (at - lastSuccessMs > maxStalenessMs && state.dropStores(target.key)) {
      enrichment.drop(target.key);
      logger.warn(
        {
          account_id: target.accountId,
          region: target.region,
          last_success: new Date(lastSuccessMs).toISOString(),
        },
        "no successful poll within maxStaleness; dropping the target's store series",
      );
    }
  }
}

/** More stores than this appearing or vanishing in one poll are told in one summary line. */
export const MAX_STORES_LISTED = 20;

/**
 * One line per changed store; but when a poll brings more than MAX_STORES_LISTED new or gone
 * stores (a first fill after an outage, a broken answer), those are one summary line, so a
 * single poll cannot flood the log. State changes of known stores are always listed.
 */
function logTransitions(logger: Logger, target: Target, transitions: StoreTransition[]): void {
  const appeared = transitions.filter((transition) => transition.previousState === undefined);
  const vanished = transitions.filter((transition) => transition.state === undefined);
  const summarize = appeared.length + vanished.length > MAX_STORES_LISTED;
  for (const transition of transitions) {
    const newOrGone = transition.previousState === undefined || transition.state === undefined;
    if (!(summarize && newOrGone)) logTransition(logger, target, transition);
  }
  if (!summarize) return;
  logger.info(
    {
      account_id: target.accountId,
      account_name: target.accountName,
      region: target.region,
      new: appeared.length,
      gone: vanished.length,
    },
    `${appeared.length} key stores new and ${vanished.length} gone in one poll (more than ${MAX_STORES_LISTED}: not listed one by one)`,
  );
}

function logTransition(logger: Logger, target: Target, transition: StoreTransition): void {
  const from = transition.previousState ?? "(new)";
  const to = transition.state ?? "(gone)";
  logger.info(
    {
      account_id: target.accountId,
      account_name: target.accountName,
      region: target.region,
      custom_key_store_id: transition.store.id,
      custom_key_store_name: transition.store.name,
      custom_key_store_type: transition.store.type,
      from,
      to,
      error_code: transition.errorCode ?? null,
      previous_error_code: transition.previousErrorCode ?? null,
    },
    `key store ${transition.store.name || transition.store.id}: ${from} -> ${to}${transition.errorCode ? ` (${transition.errorCode})` : ""}`,
  );
}
