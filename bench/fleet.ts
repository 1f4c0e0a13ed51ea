import { mkdirSync, writeFileSync } from "node:fs";
import { Session } from "node:inspector/promises";
import { join } from "node:path";
import type { App } from "../src/app.js";
import type { Config } from "../src/config/types.js";
import { benchConfig, startExporter, waitFor } from "./harness.js";
import type { ResponderCounts } from "./responder.js";

/**
 * A fleet as the benchmarks build it: ACCOUNTS accounts, each reached through an assumed
 * role, times the same REGIONS (4 by default: 2,500 accounts make the 10,000
 * targets).
 */
export const REGIONS = ["us-east-1", "eu-west-1", "ap-southeast-2", "sa-east-1"];

export function accountId(index: number): string {
  return String(200_000_000_000 + index);
}

export function fleetConfig(
  accounts: number,
  overrides: Partial<Config> & { regions?: string[] } = {},
): Config {
  return benchConfig({
    intervalMs: 600_000,
    timeoutMs: 30_000,
    concurrency: 64,
    regions: REGIONS,
    accounts: Array.from({ length: accounts }, (_, index) => ({
      roleArn: `arn:aws:iam::${accountId(index)}:role/kms-keystore-exporter`,
    })),
    ...overrides,
  });
}

/** Starts the exporter and waits for its first round; the round's wall time in ms. */
export async function firstRound(
  config: Config,
  url: string,
  timeoutMs = 600_000,
): Promise<{ app: App; roundMs: number }> {
  const started = performance.now();
  const app = await startExporter(config, url);
  await waitFor(() => app.exporter.ready(), timeoutMs, 5);
  return { app, roundMs: performance.now() - started };
}

/** Waits until every target has finished one more successful poll than at the call. */
export async function nextRound(app: App, timeoutMs: number): Promise<void> {
  const before = new Map(
    [...app.state.states()].map((state) => [state.target.key, state.lastSuccessMs]),
  );
  await waitFor(
    () =>
      [...app.state.states()].every(
        (state) => state.lastSuccessMs !== before.get(state.target.key),
      ),
    timeoutMs,
    100,
  );
}

/** Σ max(1, ⌈stores/1000⌉) over targets: the calls one round must make, no more. */
export function expectedPages(
  storesPerTarget: (accountIndex: number) => number,
  accounts: number,
  regions: number,
): number {
  let pages = 0;
  for (let index = 0; index < accounts; index++)
    pages += regions * Math.max(1, Math.ceil(storesPerTarget(index) / 1000));
  return pages;
}

export function callsIn(counts: ResponderCounts): number {
  return counts.AssumeRole + counts.DescribeCustomKeyStores;
}

export function seriesIn(text: string): number {
  let series = 0;
  for (let at = 0; at < text.length; ) {
    const end = text.indexOf("\n", at);
    if (text[at] !== "#" && end > at) series++;
    at = end < 0 ? text.length : end + 1;
  }
  return series;
}

/**
 * Runs `work` under the CPU profiler when BENCH_PROFILE_DIR is set, and writes
 * DIR/NAME.cpuprofile (open it in Chrome DevTools, or `npx speedscope`). Only the
 * exporter's part is profiled, not the baselines around it.
 */
export async function profiled<T>(name: string, work: () => Promise<T>): Promise<T> {
  const dir = process.env.BENCH_PROFILE_DIR;
  if (!dir) return work();
  const session = new Session();
  session.connect();
  await session.post("Profiler.enable");
  await session.post("Profiler.start");
  try {
    return await work();
  } finally {
    const { profile } = await session.post("Profiler.stop");
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, `${name}.cpuprofile`), JSON.stringify(profile));
    session.disconnect();
  }
}
