import { DEFAULTS } from "../src/config/load.js";
import {
  benchConfig,
  scrapeText,
  startExporter,
  startSimulatorProcess,
  sumBy,
  waitFor,
} from "./harness.js";

/**
 * KMS's DescribeCustomKeyStores quota is 5 requests/s per account and region. Here the
 * simulator enforces exactly that (no burst) on 20 targets of 3,000 stores (3 pages each),
 * and the exporter polls them with its rate limiter at the default and, for comparison,
 * opened up: it prints the throttles and whether any target went down.
 */
const TARGETS = 20;
const ROUNDS = 3;

function scenario(): string {
  const accounts = Array.from(
    { length: TARGETS },
    (_, index) =>
      `  - id: "${300_000_000_000 + index}"\n    regions:\n      - {region: us-east-1, generate: {count: 3000}}`,
  );
  return `rateLimit: {perSecond: 5, burst: 1}\naccounts:\n${accounts.join("\n")}\n`;
}

async function run(label: string, rateLimit: { perSecond: number; burst: number }): Promise<void> {
  const simulator = await startSimulatorProcess(scenario());
  const intervalMs = 10_000;
  const app = await startExporter(
    benchConfig({
      intervalMs,
      timeoutMs: 9_000,
      concurrency: 20,
      rateLimit,
      regions: ["us-east-1"],
      accounts: Array.from({ length: TARGETS }, (_, index) => ({
        roleArn: `arn:aws:iam::${300_000_000_000 + index}:role/kms-keystore-exporter`,
      })),
    }),
    simulator.url,
  );
  const started = Date.now();
  await waitFor(() => app.exporter.ready(), 60_000);
  const firstRoundMs = Date.now() - started;
  let downPolls = 0;
  const seenFailures = new Set<string>();
  const rounds = Date.now();
  while (Date.now() - rounds < intervalMs * (ROUNDS - 1)) {
    for (const state of app.state.states()) {
      if (!state.up && state.polled) seenFailures.add(state.target.key);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  const text = await scrapeText(app);
  const errors = sumBy(text, "kms_keystore_exporter_api_request_errors_total", "error");
  const calls = sumBy(text, "kms_keystore_exporter_api_requests_total", "operation");
  const waited = [
    ...sumBy(text, "kms_keystore_exporter_rate_limit_wait_seconds_total", "region").values(),
  ].reduce((total, value) => total + value, 0);
  const stores = [...app.state.states()].reduce(
    (total, state) => total + (state.stores?.length ?? 0),
    0,
  );
  downPolls = seenFailures.size;
  console.log(`${label} (exporter limit ${rateLimit.perSecond}/s, burst ${rateLimit.burst}):`);
  console.log(
    `  first round of ${TARGETS} targets × 3 pages: ${(firstRoundMs / 1000).toFixed(1)} s`,
  );
  console.log(
    `  over ${ROUNDS} rounds: DescribeCustomKeyStores calls ${calls.get("DescribeCustomKeyStores") ?? 0}, ThrottlingException ${errors.get("ThrottlingException") ?? 0}, other errors ${[...errors].filter(([name]) => name !== "ThrottlingException").length}`,
  );
  console.log(
    `  time waiting for the limiter: ${waited.toFixed(1)} s; targets ever down: ${downPolls}; stores exported: ${stores}`,
  );
  await app.stop(1_000);
  await simulator.stop();
}

export async function throttleBenchmark(): Promise<void> {
  console.log("simulator: 5 requests/s per target, no burst (the KMS quota)");
  await run("default limiter", DEFAULTS.rateLimit);
  await run("limiter opened up", { perSecond: 1_000, burst: 1_000 });
}
