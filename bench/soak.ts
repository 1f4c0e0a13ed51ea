import { monitorEventLoopDelay } from "node:perf_hooks";
import { parseArgs } from "node:util";
import type { KeyStore } from "../src/model.js";
import {
  benchConfig,
  mib,
  scrapeText,
  startExporter,
  startSimulatorProcess,
  sumBy,
} from "./harness.js";

/**
 * Soak: 200 targets, 10% of calls faulted at random, a fast interval and a scrape every
 * second, for N minutes. Prints polls, faults, scrape latency, memory growth and event-loop
 * lag, then checks every target's exported stores against the simulator's truth. Exits
 * non-zero on any mismatch.
 */
const ACCOUNTS = 100;
const REGIONS = ["us-east-1", "eu-west-1"];
const STORES_PER_TARGET = 3;
/** Store state changes happen in the first 20 s, so the final truth is known and settled. */
const CHANGE_AT = ["10s", "20s"];

interface StoreTruth {
  id: string;
  state: string;
  errorCode: string | undefined;
}

function accountId(index: number): string {
  return String(400_000_000_000 + index);
}

function storeId(account: number, region: number, store: number): string {
  return `cks-${String(account).padStart(5, "0")}${region}${String(store).padStart(11, "0")}`;
}

/** Store 0 of every target moves CONNECTED → FAILED → CONNECTED; store 1 is FAILED throughout. */
function truth(account: number, region: number): StoreTruth[] {
  return Array.from({ length: STORES_PER_TARGET }, (_, store) => ({
    id: storeId(account, region, store),
    state: store === 1 ? "FAILED" : "CONNECTED",
    errorCode: store === 1 ? "NETWORK_ERRORS" : undefined,
  }));
}

const FAULTS = `[
          {kind: internal-error, probability: 0.03},
          {kind: throttling, probability: 0.02},
          {kind: html-5xx, probability: 0.015},
          {kind: truncated-json, probability: 0.01},
          {kind: reset, probability: 0.01},
          {kind: slow, delay: 300ms, probability: 0.015}
        ]`;

function scenario(): string {
  const accounts = Array.from({ length: ACCOUNTS }, (_, account) => {
    const regions = REGIONS.map((region, regionIndex) => {
      const stores = truth(account, regionIndex).map((store, index) => {
        const timeline =
          index === 0
            ? `, timeline: [{at: ${CHANGE_AT[0]}, state: FAILED, errorCode: XKS_PROXY_TIMED_OUT}, {at: ${CHANGE_AT[1]}, state: CONNECTED}]`
            : "";
        const error = store.errorCode ? `, errorCode: ${store.errorCode}` : "";
        return `          - {id: ${store.id}, name: "soak ${account}/${regionIndex}/${index}", state: ${store.state}${error}${timeline}}`;
      });
      return `      - region: ${region}\n        faults: ${FAULTS}\n        stores:\n${stores.join("\n")}`;
    });
    return `  - id: "${accountId(account)}"\n    regions:\n${regions.join("\n")}`;
  });
  return `seed: 7\naccounts:\n${accounts.join("\n")}\n`;
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;
}

function mismatchesOf(
  key: string,
  exported: KeyStore[] | undefined,
  expected: StoreTruth[],
): string[] {
  if (!exported) return [`${key}: no stores exported`];
  const actual = exported
    .map((store) => `${store.id}=${store.state}/${store.errorCode ?? ""}`)
    .sort()
    .join(" ");
  const wanted = expected
    .map((store) => `${store.id}=${store.state}/${store.errorCode ?? ""}`)
    .sort()
    .join(" ");
  return actual === wanted ? [] : [`${key}: exported ${actual}, truth ${wanted}`];
}

export async function soakBenchmark(argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: { minutes: { type: "string", default: "1" } },
  });
  const minutes = Number(values.minutes);
  if (!(minutes >= 1)) throw new Error("--minutes must be at least 1");
  const simulator = await startSimulatorProcess(scenario());
  const app = await startExporter(
    benchConfig({
      intervalMs: 2_000,
      timeoutMs: 1_800,
      concurrency: 16,
      retry: { maxAttempts: 3, minDelayMs: 20, maxDelayMs: 200 },
      rateLimit: { perSecond: 50, burst: 50 },
      regions: REGIONS,
      accounts: Array.from({ length: ACCOUNTS }, (_, index) => ({
        roleArn: `arn:aws:iam::${accountId(index)}:role/kms-keystore-exporter`,
      })),
    }),
    simulator.url,
  );
  const lag = monitorEventLoopDelay({ resolution: 10 });
  lag.enable();
  const startVersion = app.state.version;
  const scrapeMs: number[] = [];
  let scrapeFailures = 0;
  let rssAtMinuteOne = 0;
  const endAt = Date.now() + minutes * 60_000;
  // Memory is first read after a minute of warm-up (half-way through a 1-minute smoke).
  const warmUpMs = Math.min(60_000, (minutes * 60_000) / 2);
  const minuteOneAt = Date.now() + warmUpMs;
  while (Date.now() < endAt) {
    const started = performance.now();
    try {
      await scrapeText(app);
      scrapeMs.push(performance.now() - started);
    } catch {
      scrapeFailures++;
    }
    if (rssAtMinuteOne === 0 && Date.now() >= minuteOneAt) {
      global.gc?.();
      rssAtMinuteOne = process.memoryUsage().rss;
    }
    await new Promise((resolve) =>
      setTimeout(resolve, Math.max(0, 1_000 - (performance.now() - started))),
    );
  }
  lag.disable();
  global.gc?.();
  const rssAtEnd = process.memoryUsage().rss;
  const text = await scrapeText(app);
  const faults = [...sumBy(text, "kms_keystore_exporter_api_request_errors_total", "error")];
  const attempts = sumBy(text, "kms_keystore_exporter_api_requests_total", "operation");
  const failedPolls = [
    ...sumBy(text, "kms_keystore_exporter_target_poll_errors_total", "error").values(),
  ].reduce((total, value) => total + value, 0);
  // Each finished poll records one state change (setTargets adds the rest, once at start).
  const polls = app.state.version - startVersion;
  const mismatches = [...app.state.states()].flatMap((state) => {
    const account = Number(state.target.accountId) - 400_000_000_000;
    return mismatchesOf(
      state.target.key,
      state.stores,
      truth(account, REGIONS.indexOf(state.target.region)),
    );
  });
  const sorted = [...scrapeMs].sort((a, b) => a - b);
  console.log(`soak: ${minutes} min, ${ACCOUNTS * REGIONS.length} targets, ~10% of calls faulted`);
  console.log(
    `  polls: ${polls} (${failedPolls} failed after retries); API attempts: ${[...attempts].map(([op, n]) => `${op}=${n}`).join(", ")}`,
  );
  console.log(`  faults seen: ${faults.map(([name, n]) => `${name}=${n}`).join(", ")}`);
  console.log(
    `  scrapes: ${scrapeMs.length} ok, ${scrapeFailures} failed; latency p50 ${percentile(sorted, 50).toFixed(1)} ms, p99 ${percentile(sorted, 99).toFixed(1)} ms`,
  );
  const growth =
    rssAtMinuteOne > 0 ? ((rssAtEnd - rssAtMinuteOne) / rssAtMinuteOne) * 100 : Number.NaN;
  console.log(
    `  resident memory: after ${warmUpMs / 1000} s warm-up ${mib(rssAtMinuteOne)}, at minute ${minutes} ${mib(rssAtEnd)}, growth ${growth.toFixed(1)}%`,
  );
  console.log(`  max event-loop lag: ${(lag.max / 1e6).toFixed(1)} ms`);
  console.log(
    `  series vs simulator truth: ${mismatches.length === 0 ? "all match" : `${mismatches.length} MISMATCHES`}`,
  );
  for (const mismatch of mismatches.slice(0, 10)) console.log(`    ${mismatch}`);
  await app.stop(1_000);
  await simulator.stop();
  if (mismatches.length > 0 || scrapeFailures > 0) process.exitCode = 1;
}
