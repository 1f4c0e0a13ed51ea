#!/usr/bin/env node
import { startApp } from "./app.js";
import type { AwsSettings } from "./aws/clients.js";
import { describeConfig } from "./config/describe.js";
import { CONFIG_ERROR_EXIT_CODE, ConfigError } from "./config/errors.js";
import { parseFlags, USAGE } from "./config/flags.js";
import { loadConfig } from "./config/load.js";
import type { Config } from "./config/types.js";
import { type Demo, demoConfig, startDemo } from "./demo.js";
import { createLogger } from "./log.js";
import { gitRevision, VERSION } from "./version.js";

/** SIGTERM must end the process within 10 s; in-flight responses get most of that. */
const SHUTDOWN_GRACE_MS = 8_000;
const CONNECT_TIMEOUT_MS = 3_000;
/** One HTTP attempt; the poll's `timeout` bounds all attempts and backoff together. */
const MAX_REQUEST_TIMEOUT_MS = 10_000;

function awsSettings(config: Config): AwsSettings {
  return {
    endpoint: undefined,
    baseCredentials: undefined,
    connectTimeoutMs: CONNECT_TIMEOUT_MS,
    requestTimeoutMs: Math.min(config.timeoutMs, MAX_REQUEST_TIMEOUT_MS),
  };
}

async function main(argv: string[]): Promise<void> {
  const flags = parseFlags(argv);
  if (flags.help) {
    process.stdout.write(USAGE);
    return;
  }
  if (flags.version) {
    const revision = gitRevision();
    process.stdout.write(
      `kms-keystore-exporter ${VERSION}${revision ? ` (${revision})` : ""} node ${process.version}\n`,
    );
    return;
  }
  let config = loadConfig(flags, process.env);
  if (flags.configCheck) {
    process.stdout.write(describeConfig(config));
    return;
  }
  // People run the demo in a terminal: readable logs unless they asked for JSON.
  const logFormat = flags.demo && flags.logFormat === undefined ? "pretty" : config.logFormat;
  const logger = createLogger(config.logLevel, logFormat);
  let aws = awsSettings(config);
  let demo: Demo | undefined;
  if (config.demo) {
    demo = await startDemo(config, aws);
    config = demo.config;
    aws = { ...demo.aws, requestTimeoutMs: Math.min(config.timeoutMs, MAX_REQUEST_TIMEOUT_MS) };
    logger.info({ simulator: demo.simulator.url }, "demo: simulated KMS and STS started");
  }

  const scenario = demo?.scenario;
  const reloadConfig = () => {
    const fresh = loadConfig(flags, process.env);
    return scenario ? demoConfig(fresh, scenario) : fresh;
  };
  const app = await startApp(config, aws, logger, { loadConfig: reloadConfig });
  if (demo) {
    process.stderr.write(
      `\nDemo running: open ${app.url}/ (metrics at ${app.url}${config.telemetryPath}). Ctrl-C stops it.\n\n`,
    );
  }

  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, "stopping");
    const hardStop = setTimeout(() => process.exit(0), SHUTDOWN_GRACE_MS + 1_500);
    hardStop.unref();
    void app
      .stop(SHUTDOWN_GRACE_MS)
      .then(() => demo?.simulator.close())
      .then(() => {
        logger.info("stopped");
        process.exit(0);
      });
  };
  // A bug in one poll must not take down the exporter and every other target's data.
  process.on("unhandledRejection", (reason) =>
    logger.error({ err: reason }, "unhandled rejection"),
  );
  process.on("SIGHUP", () => {
    logger.info("SIGHUP: reloading the config");
    app.reload();
  });
  process.on("SIGTERM", () => shutdown("SIGTERM"));
  process.on("SIGINT", () => shutdown("SIGINT"));
}

main(process.argv.slice(2)).catch((error: unknown) => {
  if (error instanceof ConfigError) {
    for (const problem of error.problems)
      process.stderr.write(`kms-keystore-exporter: ${problem}\n`);
    process.exit(CONFIG_ERROR_EXIT_CODE);
  }
  process.stderr.write(`kms-keystore-exporter: ${(error as Error)?.stack ?? String(error)}\n`);
  process.exit(1);
});
