import type { Logger } from "pino";
import { ErrorLabels } from "../aws/error-label.js";
import type { AccountSession } from "../aws/sessions.js";
import type { Enrichment } from "../config/types.js";
import { logFailure } from "../log/failure.js";
import type { ExporterMetrics } from "../metrics/exporter-metrics.js";
import type { KeyStore, Target } from "../model.js";
import { clusterIdsOf, describeStoreClusters } from "./cloudhsm/round.js";
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
  /** The poll job's: a target's error names share one budget. */
  errorLabels?: ErrorLabels;
}

export interface EnrichRound {
  target: Target;
  session: Pick<AccountSession, "cloudHsmClient" | "cloudWatchClient">;
  /** The stores of the poll that just succeeded. */
  stores: readonly KeyStore[];
  enrich: Enrichment;
  timeoutMs: number;
  signal: AbortSignal;
}

/**
 * The opt-in lookups after a successful store poll: CloudHSM clusters and XKS proxy metrics,
 * side by side, each at most once per `enrich.interval` and target (a failed round waits
 * for the next interval too: the next round is its retry). A failure is counted
 * and logged and keeps that enrichment's last values; it never touches the store snapshot.
 */
export function createEnricher(options: EnricherOptions) {
  const { enrichment, metrics, logger, now } = options;
  const errorLabels = options.errorLabels ?? new ErrorLabels();
  /** Last error name per target and kind, so a repeating failure logs at debug. */
  const lastErrors = new Map<string, string>();
  /** When each target's enrichment of each kind last ran, for `enrich.interval`. */
  const lastRuns = new Map<string, number>();

  return async function enrichTarget(round: EnrichRound): Promise<void> {
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
        if (signal.aborted) return;
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
  };
}
