import type { Logger } from "pino";
import { ErrorLabels } from "../aws/error-label.js";
import { TargetRateLimiter } from "../aws/rate-limit.js";
import type { AccountSession } from "../aws/sessions.js";
import type { Enrichment } from "../config/types.js";
import { logFailure } from "../log/failure.js";
import type { ExporterMetrics } from "../metrics/exporter-metrics.js";
import type { KeyStore, Target } from "../model.js";
import { clusterIdsOf, describeStoreClusters } from "./cloudhsm/round.js";
import { KeyInventory } from "./keys/inventory.js";
import { kmsKeyCalls, runKeyRound } from "./keys/round.js";
import { EnrichmentError, type PageAttempt } from "./pages.js";
import type { EnrichmentKind, EnrichmentStore } from "./state.js";
import { cloudWatchCalls } from "./xks/discover.js";
import { fetchXksHealth, xksStoreIdsOf } from "./xks/round.js";

/** More pages than this is a broken paginator (a target has few clusters and stores). */
const MAX_PAGES = 100;

export interface EnricherOptions {
  enrichment: EnrichmentStore;
  metrics: Pick<
    ExporterMetrics,
    "apiRequests" | "apiRequestErrors" | "cloudWatchIncompleteResults"
  >;
  logger: Logger;
  now: () => number;
  /** Stops key inventory rounds, which outlive the poll that started them. */
  stopSignal?: AbortSignal;
  /** The poll job's: a target's error names share one budget. */
  errorLabels?: ErrorLabels;
}

export interface EnrichRound {
  target: Target;
  session: Pick<AccountSession, "cloudHsmClient" | "cloudWatchClient" | "kmsClient">;
  /** The stores of the poll that just succeeded. */
  stores: readonly KeyStore[];
  enrich: Enrichment;
  timeoutMs: number;
  signal: AbortSignal;
  /** False once a reload removed the target or changed its account's session. */
  isCurrent?: () => boolean;
}

/** One target's key inventory and the token buckets of its two operations. */
interface KeyTarget {
  inventory: KeyInventory;
  limiters: { listKeys: TargetRateLimiter; describeKey: TargetRateLimiter };
  running: Promise<void> | undefined;
}

/** A bucket that holds one token: the configured rate, without a burst on top of the quota. */
function keyLimit(perSecond: number) {
  return { perSecond, burst: 1 };
}

/**
 * The opt-in lookups after a successful store poll: CloudHSM clusters, XKS proxy metrics and
 * the key inventory, side by side, each at most once per `enrich.interval` and target (a
 * failed round waits for the next interval too: the next round is its retry). A failure is
 * counted and logged and keeps that enrichment's last values; it never touches the store
 * snapshot. The key inventory is not awaited: at its own pace (a first inventory of 10,000
 * keys takes minutes) it must not hold up the target's next store poll.
 */
export function createEnricher(options: EnricherOptions) {
  const { enrichment, metrics, logger, now } = options;
  const errorLabels = options.errorLabels ?? new ErrorLabels();
  /** Last error name per target and kind, so a repeating failure logs at debug. */
  const lastErrors = new Map<string, string>();
  /** When each target's enrichment of each kind last ran, for `enrich.interval`. */
  const lastRuns = new Map<string, number>();
  const keyTargets = new Map<string, KeyTarget>();
  enrichment.onRetain((keys) => {
    for (const key of keyTargets.keys()) if (!keys.has(key)) keyTargets.delete(key);
  });

  function keyTarget(target: Target, enrich: Enrichment): KeyTarget {
    const { listKeys, describeKey } = enrich.keysRateLimit;
    let entry = keyTargets.get(target.key);
    if (!entry) {
      entry = {
        inventory: new KeyInventory(),
        limiters: {
          listKeys: new TargetRateLimiter(keyLimit(listKeys), now),
          describeKey: new TargetRateLimiter(keyLimit(describeKey), now),
        },
        running: undefined,
      };
      keyTargets.set(target.key, entry);
    }
    entry.limiters.listKeys.configure(keyLimit(listKeys));
    entry.limiters.describeKey.configure(keyLimit(describeKey));
    return entry;
  }

  async function enrichTarget(round: EnrichRound): Promise<void> {
    const { target, session, stores, enrich, signal } = round;
    const labels = { account_id: target.accountId, region: target.region };
    const onAttempt = ({ operation, error }: PageAttempt) => {
      metrics.apiRequests.inc({ ...labels, operation });
      if (!error) return;
      const label = errorLabels.label(target.key, error.name);
      metrics.apiRequestErrors.inc({ ...labels, operation, error: label });
    };
    const pages = { signal, timeoutMs: round.timeoutMs, maxPages: MAX_PAGES, onAttempt };

    const run = async (kind: EnrichmentKind, enabled: boolean, work: () => Promise<void>) => {
      const key = `${target.key}/${kind}`;
      if (!enabled) {
        lastRuns.delete(key);
        enrichment.drop(target.key, kind);
        return;
      }
      const last = lastRuns.get(key);
      // Polls drift by their own duration: a round due within a tenth of the interval runs.
      if (last !== undefined && now() - last < enrich.intervalMs * 0.9) return;
      lastRuns.set(key, now());
      try {
        await work();
        if (lastErrors.delete(key))
          logger.info({ ...labels, enrichment: kind }, "enrichment succeeded again");
      } catch (error) {
        if (signal.aborted || options.stopSignal?.aborted) return;
        const name = error instanceof EnrichmentError ? error.errorName : "UnknownError";
        const changed = lastErrors.get(key) !== name;
        lastErrors.set(key, name);
        logFailure(
          logger,
          changed,
          { ...labels, enrichment: kind, error: name, message: (error as Error).message },
          "enrichment failed; keeping its last values",
        );
      }
    };

    startKeyRound(round, run, onAttempt);
    await Promise.all([
      run("cloudhsm", enrich.cloudhsm, async () => {
        const clusters = await describeStoreClusters(
          session.cloudHsmClient(target.region),
          clusterIdsOf(stores),
          pages,
        );
        if (!signal.aborted) enrichment.setClusters(target, clusters, now());
      }),
      run("xks", enrich.xks, async () => {
        const xks = await fetchXksHealth(
          cloudWatchCalls(session.cloudWatchClient(target.region)),
          xksStoreIdsOf(stores),
          {
            ...pages,
            now,
            onIncomplete: (statusCode) =>
              metrics.cloudWatchIncompleteResults.inc({ ...labels, status_code: statusCode }),
          },
        );
        if (!signal.aborted) enrichment.setXks(target, xks, now());
      }),
    ]);
  }

  /** Starts the target's key inventory round unless its last one is still running. */
  function startKeyRound(
    round: EnrichRound,
    run: (kind: EnrichmentKind, enabled: boolean, work: () => Promise<void>) => Promise<void>,
    onAttempt: (attempt: PageAttempt) => void,
  ): void {
    const { target, enrich } = round;
    if (!enrich.keys) {
      keyTargets.delete(target.key);
      void run("keys", false, async () => {});
      return;
    }
    const entry = keyTarget(target, enrich);
    if (entry.running) return;
    if (round.stores.length === 0) {
      // No store to count keys for: describing every key once would cost and show nothing.
      entry.running = run("keys", true, async () =>
        enrichment.setKeys(target, [], 0, now()),
      ).finally(() => {
        entry.running = undefined;
      });
      return;
    }
    const signal = AbortSignal.any(options.stopSignal ? [options.stopSignal] : []);
    const current = () => !signal.aborted && (round.isCurrent?.() ?? true);
    entry.running = run("keys", true, async () => {
      await runKeyRound(kmsKeyCalls(round.session.kmsClient(target.region)), entry.inventory, {
        storeIds: new Set(round.stores.map((store) => store.id)),
        signal,
        timeoutMs: round.timeoutMs,
        limiters: entry.limiters,
        onAttempt,
      });
      if (!current() || keyTargets.get(target.key) !== entry) return;
      enrichment.setKeys(
        target,
        entry.inventory.countsFor(round.stores.map((store) => store.id)),
        entry.inventory.undescribed,
        now(),
      );
    }).finally(() => {
      entry.running = undefined;
    });
  }

  /** Resolves when every key inventory round running now has ended (tests, shutdown). */
  enrichTarget.settled = async (): Promise<void> => {
    await Promise.all([...keyTargets.values()].map((entry) => entry.running));
  };

  return enrichTarget;
}
