import { setTimeout as delay } from "node:timers/promises";
import { type AwsSettings, awsSettingsFor } from "./aws/clients.js";
import { ConfigError } from "./config/errors.js";
import type { Flags } from "./config/flags.js";
import type { Config } from "./config/types.js";
import { startDemo } from "./demo.js";
import { EnrichmentStore } from "./enrichment/state.js";
import { Exporter } from "./exporter.js";
import { createLogger, type Logger } from "./log/logger.js";
import { createExporterMetrics } from "./metrics/exporter-metrics.js";
import { VERSION } from "./package/version.js";
import { StateStore } from "./state/state.js";
import { buildStatus, type StatusReport, statusJson } from "./status/report.js";
import { renderTable } from "./status/table.js";

export interface OnceOptions {
  output: "table" | "json";
  allowDisconnected: boolean;
}

/** The exit statuses of `--once`, as documented (2 is a bad config, as everywhere). */
export const ONCE_EXIT = { ok: 0, stores: 1, targets: 3 } as const;

/** `--output` and `--allow-disconnected` belong to `--once`; anything else is a config error. */
export function onceOptions(flags: Flags): OnceOptions | undefined {
  const problems: string[] = [];
  if (!flags.once) {
    if (flags.output !== undefined) problems.push("flags: --output applies only with --once");
    if (flags.allowDisconnected)
      problems.push("flags: --allow-disconnected applies only with --once");
  } else if (flags.output !== undefined && flags.output !== "table" && flags.output !== "json") {
    problems.push(`flags: --output=${flags.output}: the output is table or json`);
  }
  if (problems.length > 0) throw new ConfigError(problems);
  if (!flags.once) return undefined;
  return {
    output: flags.output === "json" ? "json" : "table",
    allowDisconnected: flags.allowDisconnected,
  };
}

/**
 * 1 when a store is not CONNECTED (with allowDisconnected: when one is FAILED), else 3 when
 * a target could not be polled, else 0. A broken store outranks an unknown one: it is
 * certain, and it is what a gate exists to catch.
 */
export function onceExitCode(
  report: StatusReport,
  complete: boolean,
  allowDisconnected: boolean,
): number {
  const bad = report.stores.some((store) =>
    allowDisconnected ? store.state === "FAILED" : store.state !== "CONNECTED",
  );
  if (bad) return ONCE_EXIT.stores;
  const { targetsDown, targetsPending } = report.summary;
  if (!complete || targetsDown > 0 || targetsPending > 0) return ONCE_EXIT.targets;
  return ONCE_EXIT.ok;
}

const WAIT_STEP_MS = 50;

/**
 * One poll of every target, through the same coordinator as the daemon: it is started,
 * left until it is ready (every target polled once, the default account and discovery
 * settled), and stopped. Each poll is bounded by `timeout` and `concurrency` polls run at
 * once, so the wait is bounded by that many rounds plus two timeouts for AssumeRole, the
 * default account and discovery; what has not finished by then counts as not polled.
 */
export async function pollOnce(
  config: Config,
  aws: AwsSettings,
  logger: Logger,
  onProgress?: (done: number, total: number) => void,
): Promise<{ report: StatusReport; complete: boolean }> {
  const state = new StateStore();
  const enrichment = new EnrichmentStore();
  const exporter = new Exporter({
    // The report shows stores and their keys: the other enrichments would cost and show nothing.
    config: { ...config, enrich: { ...config.enrich, intervalMs: 0, cloudhsm: false, xks: false } },
    aws,
    state,
    enrichment,
    metrics: createExporterMetrics({ version: VERSION, revision: "" }),
    logger,
  });
  const startedAt = Date.now();
  let complete = false;
  let shown = "";
  exporter.start();
  try {
    for (;;) {
      complete = exporter.ready();
      const states = [...state.states()];
      const done = states.filter((target) => target.polled).length;
      if (`${done}/${states.length}` !== shown) {
        shown = `${done}/${states.length}`;
        onProgress?.(done, states.length);
      }
      if (complete) break;
      const rounds = Math.ceil(Math.max(states.length, 1) / config.concurrency);
      if (Date.now() - startedAt > config.timeoutMs * (rounds + 2)) break;
      await delay(WAIT_STEP_MS);
    }
    if (config.enrich.keys) await keyInventories(state, enrichment, config.timeoutMs);
  } finally {
    await exporter.stop();
  }
  const report = buildStatus(state.states(), {
    version: VERSION,
    intervalMs: config.intervalMs,
    nowMs: Date.now(),
    ...(config.enrich.keys ? { enrichment } : {}),
  });
  return { report, complete };
}

/**
 * With enrich.keys, the key inventory of every target that was polled, for at most one
 * more timeout: a first inventory goes at the DescribeKey rate, and the stores are the point.
 */
async function keyInventories(
  state: StateStore,
  enrichment: EnrichmentStore,
  timeoutMs: number,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  const pending = () =>
    [...state.states()].some(
      (target) => target.up && enrichment.get(target.target.key)?.keys === undefined,
    );
  while (pending() && Date.now() < deadline) await delay(WAIT_STEP_MS);
}

/**
 * `--once`: the poll, against the demo's simulator with --demo, and what to print on
 * stdout: the table, or exactly what /status.json would serve.
 */
export async function runOnce(
  config: Config,
  once: OnceOptions,
  logLevelGiven: boolean,
): Promise<{ output: string; exitCode: number }> {
  // stdout carries the result only: logs go to stderr, and only errors unless asked for.
  const logger = createLogger(
    logLevelGiven ? config.logLevel : "error",
    config.logFormat,
    process.stderr,
  );
  const demo = config.demo ? await startDemo(config) : undefined;
  // Progress is for a person watching: a pipe or a file gets nothing but the result.
  const interactive = process.stdout.isTTY === true && process.stderr.isTTY === true;
  try {
    const { report, complete } = await pollOnce(
      demo?.config ?? config,
      demo?.aws ?? awsSettingsFor(config.timeoutMs),
      logger,
      interactive
        ? (done, total) => process.stderr.write(`\rpolled ${done}/${total} targets`)
        : undefined,
    );
    if (interactive) process.stderr.write("\r\u001b[K");
    return {
      output: once.output === "json" ? `${statusJson(report)}\n` : renderTable(report, complete),
      exitCode: onceExitCode(report, complete, once.allowDisconnected),
    };
  } finally {
    await demo?.simulator.close();
  }
}
