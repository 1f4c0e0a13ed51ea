#!/usr/bin/env node
import { type App, startApp } from "./app.js";
import { awsSettingsFor } from "./aws/clients.js";
import { CONFIG_ERROR_EXIT_CODE, ConfigError } from "./config/errors.js";
import { parseFlags, USAGE } from "./config/flags.js";
import { loadConfig } from "./config/load.js";
import { type Demo, demoConfig, startDemo } from "./demo.js";
import { createLogger } from "./log/logger.js";
import { onceOptions, runOnce } from "./once.js";
import { gitRevision, VERSION } from "./package/version.js";
import { describeWebSecurity, loadWebSecurity, NO_WEB_SECURITY } from "./server/web-security.js";
import { describeConfig } from "./targets/describe.js";

/** SIGTERM must end the process within 10 s; in-flight responses get most of that. */
const SHUTDOWN_GRACE_MS = 8_000;
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
  const once = onceOptions(flags);
  let config = loadConfig(flags, process.env);
  if (flags.configCheck) {
    const web = config.webConfigFile ? loadWebSecurity(config.webConfigFile) : NO_WEB_SECURITY;
    process.stdout.write(describeConfig(config) + describeWebSecurity(config.webConfigFile, web));
    return;
  }
  if (once) {
    const code = await runOnce(config, once, flags.logLevel !== undefined);
    // Exit only once the output is flushed: a pipe takes it asynchronously.
    process.stdout.write(code.output, () => process.exit(code.exitCode));
    return;
  }
  // People run the demo in a terminal: readable logs unless they asked for JSON.
  const logFormat = flags.demo && flags.logFormat === undefined ? "pretty" : config.logFormat;
  const logger = createLogger(config.logLevel, logFormat);

  // Registered before anything starts, so a signal during start-up still exits 0.
  let app: App | undefined;
  let demo: Demo | undefined;
  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, "stopping");
    const hardStop = setTimeout(() => process.exit(0), SHUTDOWN_GRACE_MS + 1_500);
    hardStop.unref();
    void (app?.stop(SHUTDOWN_GRACE_MS) ?? Promise.resolve())
      .then(() => demo?.simulator.close())
      .then(() => {
        logger.info("stopped");
        process.exit(0);
      });
  };
  process.on("SIGTERM", () => shutdown("SIGTERM"));
  process.on("SIGINT", () => shutdown("SIGINT"));
  // A bug in one poll must not take down the exporter and every other target's data. Only
  // name, message and stack are logged: the reason may carry a request or credentials.
  process.on("unhandledRejection", (reason) => {
    const error = reason instanceof Error ? reason : new Error(String(reason));
    logger.error(
      { err: { name: error.name, message: error.message, stack: error.stack } },
      "unhandled rejection",
    );
  });

  let aws = awsSettingsFor(config.timeoutMs);
  if (config.demo) {
    demo = await startDemo(config);
    config = demo.config;
    aws = demo.aws;
    logger.info({ simulator: demo.simulator.url }, "demo: simulated KMS and STS started");
  }
  if (stopping) return;

  const scenario = demo?.scenario;
  const reloadConfig = () => {
    const fresh = loadConfig(flags, process.env);
    return scenario ? demoConfig(fresh, scenario) : fresh;
  };
  const started = await startApp(config, aws, logger, { loadConfig: reloadConfig });
  app = started;
  if (stopping) {
    await started.stop(SHUTDOWN_GRACE_MS);
    return;
  }
  if (demo) {
    process.stderr.write(
      `\nDemo running: open ${started.url}/ (metrics at ${started.url}${config.telemetryPath}). Ctrl-C stops it.\n\n`,
    );
  }
  process.on("SIGHUP", () => {
    logger.info("SIGHUP: reloading the config");
    started.reload();
  });
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
