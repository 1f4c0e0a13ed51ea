import type { Server } from "node:http";
import type { AwsSettings } from "./aws/clients.js";
import { formatDuration } from "./config/duration.js";
import { ConfigError } from "./config/errors.js";
import type { Config } from "./config/types.js";
import { enrichmentSection } from "./enrichment/series.js";
import { EnrichmentStore } from "./enrichment/state.js";
import { Exporter } from "./exporter.js";
import type { Logger } from "./log/logger.js";
import { MetricsCache } from "./metrics/cache.js";
import { createExporterMetrics, type ExporterMetrics } from "./metrics/exporter-metrics.js";
import { exporterSources } from "./metrics/sources.js";
import { gitRevision, VERSION } from "./package/version.js";
import { createRequestHandler } from "./server/http.js";
import { DEFAULT_HTTP_LIMITS, type HttpLimits, listenAll } from "./server/listeners.js";
import { WEB_CONFIG_POLL_MS, WebConfigWatcher } from "./server/web-config-watcher.js";
import { loadWebSecurity, NO_WEB_SECURITY, type WebSecurity } from "./server/web-security.js";
import { StateStore } from "./state/state.js";
import { buildStatus } from "./status/report.js";

export interface App {
  /** One per --web.listen-address. */
  servers: Server[];
  exporter: Exporter;
  reload: () => ReloadResult;
  state: StateStore;
  /** The first listener's, e.g. http://127.0.0.1:10127 */
  url: string;
  /** Every listener's, in --web.listen-address order. */
  urls: string[];
  /** Stops polling, lets in-flight responses finish, closes the listener. */
  stop(graceMs: number): Promise<void>;
}

export type ReloadResult = { ok: true } | { ok: false; problems: string[] };

/**
 * Re-reads the config (SIGHUP, POST /-/reload). An invalid config is rejected and the
 * running one stays; flags that shape the process (listen address, logging) keep their
 * start values.
 */
function reloader(
  loadConfig: () => Config,
  apply: (config: Config) => void,
  metrics: ExporterMetrics,
  logger: Logger,
): () => ReloadResult {
  return () => {
    try {
      const config = loadConfig();
      apply(config);
      metrics.configReloadSuccessful.set(1);
      metrics.configReloadSuccessTimestamp.set(Date.now() / 1000);
      logger.info({ file: config.configFile }, "config reloaded");
      return { ok: true };
    } catch (error) {
      const problems = error instanceof ConfigError ? error.problems : [String(error)];
      metrics.configReloadSuccessful.set(0);
      logger.error({ problems }, "config reload failed; the previous config stays in force");
      return { ok: false, problems };
    }
  };
}

export interface AppOptions {
  /** How a reload gets its config; default: the start config again. */
  loadConfig?: () => Config;
  /** The exporter's clock (tests move it past credential expiry). */
  now?: () => number;
  /** How often the web config's files are checked for changes. */
  webConfigPollMs?: number;
  /** Slow-client and size limits of the HTTP listeners. */
  httpLimits?: HttpLimits;
}

export async function startApp(
  config: Config,
  aws: AwsSettings,
  logger: Logger,
  options: AppOptions = {},
): Promise<App> {
  const state = new StateStore();
  const metrics = createExporterMetrics({ version: VERSION, revision: gitRevision() });
  const enrichment = new EnrichmentStore();
  const cache = new MetricsCache(exporterSources(state, metrics, [enrichmentSection(enrichment)]));
  const exporter = new Exporter({
    config,
    aws,
    state,
    enrichment,
    metrics,
    logger,
    ...(options.now ? { now: options.now } : {}),
  });
  metrics.configReloadSuccessful.set(1);
  metrics.configReloadSuccessTimestamp.set(Date.now() / 1000);
  // The status page quotes the interval in force, which a reload may change.
  let intervalMs = config.intervalMs;
  const apply = (fresh: Config) => {
    exporter.reload(fresh);
    intervalMs = fresh.intervalMs;
  };
  const reloadConfig = reloader(options.loadConfig ?? (() => config), apply, metrics, logger);
  // Loaded before anything listens: an invalid web config stops the start (exit 2).
  const initialSecurity = config.webConfigFile
    ? loadWebSecurity(config.webConfigFile)
    : NO_WEB_SECURITY;
  let applySecurity: (security: WebSecurity) => void = () => {};
  const web = config.webConfigFile
    ? new WebConfigWatcher(
        config.webConfigFile,
        initialSecurity,
        (security) => applySecurity(security),
        logger,
      )
    : undefined;
  const security = () => web?.current() ?? initialSecurity;
  // Both files are re-read, whichever of them is bad, and every problem reported.
  const reload = (): ReloadResult => {
    const webResult = web?.check() ?? { ok: true };
    const result = reloadConfig();
    const problems = [
      ...(webResult.ok ? [] : webResult.problems),
      ...(result.ok ? [] : result.problems),
    ];
    return problems.length > 0 ? { ok: false, problems } : { ok: true };
  };
  const handler = createRequestHandler({
    telemetryPath: config.telemetryPath,
    renderMetrics: () => cache.render(),
    ready: () => {
      const polled = [...state.states()].filter((target) => target.polled).length;
      const ready = exporter.ready();
      return {
        ready,
        detail: `${ready ? "ready" : "not ready"}: ${polled} of ${state.size} targets polled`,
      };
    },
    reload,
    status: (filters) =>
      buildStatus(
        state.states(),
        { version: VERSION, intervalMs, nowMs: Date.now(), enrichment },
        filters,
      ),
    lifecycle: config.enableLifecycle,
    security,
    logger,
  });
  const listeners = await listenAll(
    config.listenAddresses,
    handler,
    security,
    logger,
    options.httpLimits ?? DEFAULT_HTTP_LIMITS,
  );
  applySecurity = listeners.apply;
  web?.start(options.webConfigPollMs ?? WEB_CONFIG_POLL_MS);
  exporter.start();
  for (const url of listeners.urls) {
    logger.info(
      {
        url,
        tls: initialSecurity.tls !== undefined,
        basicAuth: initialSecurity.auth !== undefined,
        version: VERSION,
        interval: formatDuration(config.intervalMs),
      },
      "listening",
    );
  }

  return {
    servers: listeners.servers,
    exporter,
    reload,
    state,
    url: listeners.urls[0] as string,
    urls: listeners.urls,
    stop: async (graceMs) => {
      web?.stop();
      // The grace period covers stopping the polls too, not just the responses after it.
      const closed = listeners.close(graceMs);
      await exporter.stop();
      await closed;
    },
  };
}
