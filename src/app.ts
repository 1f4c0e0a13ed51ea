import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { AwsSettings } from "./aws/clients.js";
import { formatDuration } from "./config/duration.js";
import type { Config } from "./config/types.js";
import { Exporter } from "./exporter.js";
import type { Logger } from "./log.js";
import { MetricsCache } from "./metrics/cache.js";
import { createExporterMetrics } from "./metrics/exporter-metrics.js";
import { createHttpServer } from "./server/http.js";
import { renderLandingPage } from "./server/landing.js";
import { StateStore } from "./state/state.js";
import { gitRevision, VERSION } from "./version.js";

export interface App {
  server: Server;
  exporter: Exporter;
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

export async function startApp(config: Config, aws: AwsSettings, logger: Logger): Promise<App> {
  const state = new StateStore();
  const metrics = createExporterMetrics({ version: VERSION, revision: gitRevision() });
  const cache = new MetricsCache(state, metrics.registry, formatDuration(config.intervalMs));
  const exporter = new Exporter({ config, aws, state, metrics, logger });
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
    landingPage: () => renderLandingPage(config.telemetryPath, VERSION, state.states()),
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
    state,
    url,
    stop: async (graceMs) => {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      await exporter.stop();
      const force = setTimeout(() => server.closeAllConnections(), graceMs);
      await closed;
      clearTimeout(force);
    },
  };
}
