import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { AwsSettings } from "./aws/clients.js";
import { formatDuration } from "./config/duration.js";
import { ConfigError } from "./config/errors.js";
import type { Config } from "./config/types.js";
import { Exporter } from "./exporter.js";
import type { Logger } from "./log.js";
import { MetricsCache } from "./metrics/cache.js";
import { createExporterMetrics, type ExporterMetrics } from "./metrics/exporter-metrics.js";
import { createHttpServer } from "./server/http.js";
import { StateStore } from "./state/state.js";
import { buildStatus } from "./status/report.js";
import { gitRevision, VERSION } from "./version.js";

export interface App {
  server: Server;
  exporter: Exporter;
  reload: () => ReloadResult;
  state: StateStore;
  /** e.g. http://127.0.0.1:10127 */
  url: string;
  /** Stops polling, lets in-flight responses finish, closes the listener. */
  stop(graceMs: number): Promise<void>;
}

function listen(server: Server, config: Config): Promise<AddressInfo> {
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(config.listenAddress.port, config.listenAddress.host, () => {
      server.off("error", reject);
      resolve(server.address() as AddressInfo);
    });
  });
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
}

export async function startApp(
  config: Config,
  aws: AwsSettings,
  logger: Logger,
  options: AppOptions = {},
): Promise<App> {
  const state = new StateStore();
  const metrics = createExporterMetrics({ version: VERSION, revision: gitRevision() });
  const cache = new MetricsCache(state, metrics.registry, formatDuration(config.intervalMs));
  const exporter = new Exporter({
    config,
    aws,
    state,
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
    cache.setIntervalText(formatDuration(fresh.intervalMs));
    intervalMs = fresh.intervalMs;
  };
  const reload = reloader(options.loadConfig ?? (() => config), apply, metrics, logger);
  const server = createHttpServer({
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
      buildStatus(state.states(), { version: VERSION, intervalMs, nowMs: Date.now() }, filters),
    logger,
  });
  const address = await listen(server, config);
  exporter.start();
  const host = address.family === "IPv6" ? `[${address.address}]` : address.address;
  const url = `http://${host === "[::]" || host === "0.0.0.0" ? "localhost" : host}:${address.port}`;
  logger.info({ url, version: VERSION, interval: formatDuration(config.intervalMs) }, "listening");

  return {
    server,
    exporter,
    reload,
    state,
    url,
    stop: async (graceMs) => {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      // The grace period covers stopping the polls too, not just the responses after it.
      const force = setTimeout(() => server.closeAllConnections(), graceMs);
      await exporter.stop();
      await closed;
      clearTimeout(force);
    },
  };
}
