import {
  benchConfig,
  mib,
  scrapeText,
  startExporter,
  startSimulatorProcess,
  sumBy,
  waitFor,
} from "./harness.js";

/**
 * A whole organisation in one process: ACCOUNTS accounts × 4 regions, each reached through
 * an assumed role, 3 stores per target. Prints the first round's time, the API calls by
 * operation, and resident memory after the second round.
 */
const ACCOUNTS = Number(process.env.BENCH_ACCOUNTS ?? 2_000);
const REGIONS = ["us-east-1", "eu-west-1", "ap-southeast-2", "sa-east-1"];
const INTERVAL_MS = Number(process.env.BENCH_INTERVAL_MS ?? 30_000);

function accountId(index: number): string {
  return String(200_000_000_000 + index);
}

function scenario(): string {
  const regions = REGIONS.map((region) => `      - {region: ${region}, generate: {count: 3}}`).join(
    "\n",
  );
  const accounts = Array.from(
    { length: ACCOUNTS },
    (_, index) => `  - id: "${accountId(index)}"\n    regions:\n${regions}`,
  );
  return `accounts:\n${accounts.join("\n")}\n`;
}

export async function fleetBenchmark(): Promise<void> {
  const simulator = await startSimulatorProcess(scenario());
  const config = benchConfig({
    intervalMs: INTERVAL_MS,
    timeoutMs: 20_000,
    concurrency: 64,
    regions: REGIONS,
    accounts: Array.from({ length: ACCOUNTS }, (_, index) => ({
      roleArn: `arn:aws:iam::${accountId(index)}:role/kms-keystore-exporter`,
    })),
  });
  const started = Date.now();
  const app = await startExporter(config, simulator.url);
  const targets = ACCOUNTS * REGIONS.length;
  await waitFor(() => app.exporter.ready(), 600_000);
  const firstRoundMs = Date.now() - started;
  const firstSuccess = new Map(
    [...app.state.states()].map((state) => [state.target.key, state.lastSuccessMs]),
  );
  await waitFor(
    () =>
      [...app.state.states()].every(
        (state) => state.lastSuccessMs !== firstSuccess.get(state.target.key),
      ),
    INTERVAL_MS * 3,
    200,
  );
  global.gc?.();
  const rss = process.memoryUsage().rss;
  const text = await scrapeText(app);
  const calls = sumBy(text, "kms_keystore_exporter_api_requests_total", "operation");
  const errors = sumBy(text, "kms_keystore_exporter_api_request_errors_total", "error");
  const up = [...app.state.states()].filter((state) => state.up).length;
  const stores = [...app.state.states()].reduce(
    (total, state) => total + (state.stores?.length ?? 0),
    0,
  );
  console.log(
    `fleet: ${ACCOUNTS} accounts × ${REGIONS.length} regions = ${targets} targets, ${stores} stores`,
  );
  console.log(
    `  first round (start → every target polled): ${(firstRoundMs / 1000).toFixed(1)} s at concurrency ${config.concurrency}`,
  );
  console.log(`  targets up after two rounds: ${up} of ${targets}`);
  console.log(
    `  API calls by operation (start to end of the second round): ${[...calls].map(([op, n]) => `${op}=${n}`).join(", ")}`,
  );
  console.log(
    `  API errors: ${errors.size === 0 ? "none" : [...errors].map(([name, n]) => `${name}=${n}`).join(", ")}`,
  );
  console.log(
    `  resident memory after the second round: ${mib(rss)} (heap used ${mib(process.memoryUsage().heapUsed)})`,
  );
  console.log(`  /metrics size: ${mib(Buffer.byteLength(text))}`);
  await app.stop(1_000);
  await simulator.stop();
}
