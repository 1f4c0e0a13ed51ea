import type { Logger } from "pino";
import type { AccountSession } from "../aws/sessions.js";
import type { Enrichment } from "../config/types.js";
import { logFailure } from "../log-failure.js";
import type { ExporterMetrics } from "../metrics/exporter-metrics.js";
import type { KeyStore, Target } from "../model.js";
import { clusterIdsOf, describeStoreClusters } from "./cloudhsm/round.js";
import { EnrichmentError, type PageAttempt } from "./pages.js";
import type { EnrichmentKind, EnrichmentStore } from "./state.js";
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
 * each at most one call (all pages) per target and round, side by side. A failure is counted
 * and logged and keeps that enrichment's last values; it never touches the store snapshot.
 */
export function createEnricher(options: EnricherOptions) {
  const { enrichment, metrics, logger, now } = options;
  /** Last error name per target and kind, so a repeating failure logs at debug. */
  const lastErrors = new Map<string, string>();

  return async function enrichTarget(round: EnrichRound): Promise<void> {
    const { target, session, stores, enrich, signal } = round;
    const labels = { account_id: target.accountId, region: target.region };
    const onAttempt = ({ operation, error }: PageAttempt) => {
      metrics.apiRequests.inc({ ...labels, operation });
      if (error) metrics.apiRequestErrors.inc({ ...labels, operation, error: error.name });
    };
    const pages = { signal, timeoutMs: round.timeoutMs, maxPages: MAX_PAGES, onAttempt };

    const run = async (kind: EnrichmentKind, enabled: boolean, work: () => Promise<void>) => {
      if (!enabled) {
        enrichment.drop(target.key, kind);
        return;
      }
      const key = `${target.key}/${kind}`;
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
          session.cloudWatchClient(target.region),
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
