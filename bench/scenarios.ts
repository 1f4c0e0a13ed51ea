import { Agent } from "node:http";
import { loadavg } from "node:os";
import { monitorEventLoopDelay } from "node:perf_hooks";
import { parseArgs } from "node:util";
import {
  httpLoop,
  percentile,
  scrapeOnce,
  scrapeSeries,
  sdkLoop,
  staticServer,
} from "./baselines.js";
import {
  callsIn,
  firstRound,
  fleetConfig,
  nextRound,
  profiled,
  REGIONS,
  seriesIn,
} from "./fleet.js";
import { mib, scrapeText } from "./harness.js";
import { startResponderProcess } from "./responder.js";
import { type Figure, recordFigures } from "./results.js";
import { memoryBreakdown, respondedRounds, startShippedExporter } from "./shipped.js";

/**
 * The table, one scenario each (`npm run bench -- NAME`). Every scenario prints the
 * exporter's figure, the baseline measured in the same run against the same server, their
 * ratio and the goal, and writes them to bench/results.json. Sizes can be shrunk for a
 * quick look (`--accounts N`); the table in BENCHMARKS.md uses the defaults.
 */

function options(argv: string[], defaults: { accounts: number }) {
  const { values } = parseArgs({
    args: argv,
    options: {
      accounts: { type: "string", default: String(defaults.accounts) },
      minutes: { type: "string", default: "2" },
      stores: { type: "string" },
      "heap-snapshot": { type: "boolean", default: false },
      "memory-limit": { type: "string" },
      "polling-only": { type: "boolean", default: false },
    },
  });
  return {
    accounts: Number(values.accounts),
    minutes: Number(values.minutes),
    stores: values.stores === undefined ? undefined : Number(values.stores),
    heapSnapshot: values["heap-snapshot"] === true,
    memoryLimitMiB:
      values["memory-limit"] === undefined ? undefined : Number(values["memory-limit"]),
    pollingOnly: values["polling-only"] === true,
  };
}

/** First round of 2,500 accounts × 4 regions against a responder faster than any client. */
export async function throughputBenchmark(argv: string[]): Promise<void> {
  const { accounts } = options(argv, { accounts: 2_500 });
  const responder = await startResponderProcess();
  const calls = accounts + accounts * REGIONS.length;
  const serverLimit = await httpLoop(responder.url, 20_000);
  console.log(
    `throughput: ${accounts} accounts × ${REGIONS.length} regions = ${calls} calls (AssumeRole + DescribeCustomKeyStores), concurrency 64`,
  );
  console.log(
    `  server limit (keep-alive http.request, concurrency 64): ${serverLimit.toFixed(0)} calls/s`,
  );
  const sdkBefore = await sdkLoop(responder.url, calls);
  const before = await responder.counts();
  const { app, roundMs } = await profiled("throughput", () =>
    firstRound(fleetConfig(accounts), responder.url),
  );
  const after = await responder.counts();
  await app.stop(1_000);
  const sdkAfter = await sdkLoop(responder.url, calls);
  const exporterCalls = callsIn(after) - callsIn(before);
  const rate = exporterCalls / (roundMs / 1000);
  const sdk = (sdkBefore + sdkAfter) / 2;
  console.log(
    `  plain SDK loop (4 clients): ${sdkBefore.toFixed(0)} before, ${sdkAfter.toFixed(0)} after the exporter's round`,
  );
  console.log(
    `  exporter: ${exporterCalls} calls (AssumeRole ${after.AssumeRole - before.AssumeRole}, DescribeCustomKeyStores ${after.DescribeCustomKeyStores - before.DescribeCustomKeyStores}) in ${(roundMs / 1000).toFixed(2)} s`,
  );
  recordFigures("throughput", [
    {
      scenario: "throughput",
      figure: `first round, ${accounts} accounts × ${REGIONS.length} regions`,
      value: rate,
      unit: "calls/s",
      baseline: "plain KMSClient.send loop, 4 clients, concurrency 64",
      baselineValue: sdk,
      ratio: rate / sdk,
      goal: "≥ 0.8× the SDK loop",
      met: rate / sdk >= 0.8,
    },
    {
      scenario: "throughput",
      figure: "the server's limit",
      value: serverLimit,
      unit: "calls/s",
      baseline: "plain KMSClient.send loop",
      baselineValue: sdk,
      ratio: serverLimit / sdk,
      goal: "server ≥ 3× the SDK loop (it is not the bottleneck)",
      met: serverLimit / sdk >= 3,
    },
  ]);
  await responder.stop();
}

/** First round at 100 ms answer latency: 625 accounts × 4 regions, concurrency 64. */
export async function latencyBenchmark(argv: string[]): Promise<void> {
  const { accounts } = options(argv, { accounts: 625 });
  const latencyMs = 100;
  const responder = await startResponderProcess({ delayMs: latencyMs });
  const calls = accounts + accounts * REGIONS.length;
  const idealMs = Math.ceil(calls / 64) * latencyMs;
  const sdkMs = (calls / (await sdkLoop(responder.url, calls))) * 1000;
  const before = await responder.counts();
  const { app, roundMs } = await profiled("latency", () =>
    firstRound(fleetConfig(accounts), responder.url),
  );
  const after = await responder.counts();
  await app.stop(1_000);
  console.log(
    `latency: ${accounts * REGIONS.length} targets, ${calls} calls at ${latencyMs} ms each, concurrency 64; ideal ⌈calls/64⌉ × latency = ${(idealMs / 1000).toFixed(2)} s`,
  );
  console.log(
    `  plain SDK loop, same calls: ${(sdkMs / 1000).toFixed(2)} s; exporter (AssumeRole ${after.AssumeRole - before.AssumeRole}, DescribeCustomKeyStores ${after.DescribeCustomKeyStores - before.DescribeCustomKeyStores}): ${(roundMs / 1000).toFixed(2)} s`,
  );
  recordFigures("latency", [
    {
      scenario: "latency",
      figure: `first round at ${latencyMs} ms latency, ${accounts * REGIONS.length} targets`,
      value: roundMs / 1000,
      unit: "s",
      baseline: "ideal ⌈calls / concurrency⌉ × latency",
      baselineValue: idealMs / 1000,
      ratio: roundMs / idealMs,
      goal: "≤ 1.15× ideal",
      met: roundMs / idealMs <= 1.15,
    },
    {
      scenario: "latency",
      figure: "plain SDK loop, same calls",
      value: sdkMs / 1000,
      unit: "s",
      baseline: "ideal",
      baselineValue: idealMs / 1000,
      ratio: sdkMs / idealMs,
      goal: "reference",
      met: true,
    },
  ]);
  await responder.stop();
}

/**
 * /metrics latency, plain text: during round one of 2,500 targets (answers at 100 ms, so
 * the round lasts seconds and the store series change under the scrapes), then at 10,000
 * targets once polled; each against the same bytes from a static node:http server.
 */
export async function scrapeBenchmark(argv: string[]): Promise<void> {
  const { accounts, pollingOnly, stores: only } = options(argv, { accounts: 2_500 });
  const figures: Figure[] = [];
  if (!pollingOnly) figures.push(...(await scrapeAfterRounds(accounts)));
  // One store count per process gives each its own RSS: Node keeps what the first one grew.
  for (const stores of only === undefined ? [0, 5] : [only]) {
    figures.push(...(await continuousPollingScrape(accounts, stores)));
  }
  recordFigures("scrape", figures);
}

/** The earlier scenarios: during round one, and once polled at a 60 s interval. */
async function scrapeAfterRounds(accounts: number): Promise<Figure[]> {
  const figures: Figure[] = [];

  const small = Math.max(1, Math.round(accounts / 4));
  const slow = await startResponderProcess({ delayMs: 100 });
  const { startExporter } = await import("./harness.js");
  const app = await startExporter(fleetConfig(small), slow.url);
  const during = await scrapeSeries(`${app.url}/metrics`, 100_000, {
    gapMs: 10,
    until: () => app.exporter.ready(),
  });
  const text = await scrapeText(app);
  await app.stop(1_000);
  await slow.stop();
  const series = seriesIn(text);
  const sameBytes = await staticServer(Buffer.from(text));
  const staticDuring = await scrapeSeries(sameBytes.url, during.length, { gapMs: 10 });
  sameBytes.server.close();
  console.log(
    `scrape during round one: ${small * REGIONS.length} targets, ${series} series at the end (${mib(Buffer.byteLength(text))}), ${during.length} scrapes`,
  );
  console.log(
    `  exporter p50 ${percentile(during, 50).toFixed(1)} ms, p99 ${percentile(during, 99).toFixed(1)} ms; static p50 ${percentile(staticDuring, 50).toFixed(1)} ms, p99 ${percentile(staticDuring, 99).toFixed(1)} ms`,
  );
  figures.push({
    scenario: "scrape",
    figure: `/metrics p99 during round one (~${Math.round(series / 1000)}k series)`,
    value: percentile(during, 99),
    unit: "ms",
    baseline: "static node:http server, same bytes, p99",
    baselineValue: percentile(staticDuring, 99),
    ratio: percentile(during, 99) / percentile(staticDuring, 99),
    goal: "p99 < 50 ms",
    met: percentile(during, 99) < 50,
  });

  const fast = await startResponderProcess();
  const big = await firstRound(fleetConfig(accounts, { intervalMs: 60_000 }), fast.url);
  const bigText = await scrapeText(big.app);
  const bigSeries = seriesIn(bigText);
  // Polling goes on at its interval (~170 polls/s) while these scrapes run.
  const plain = await profiled("scrape", () =>
    scrapeSeries(`${big.app.url}/metrics`, 200, { gapMs: 20 }),
  );
  const gzip = await scrapeSeries(`${big.app.url}/metrics`, 50, { gapMs: 20, gzip: true });
  await big.app.stop(1_000);
  await fast.stop();
  const bigStatic = await staticServer(Buffer.from(bigText));
  const staticPlain = await scrapeSeries(bigStatic.url, 200, { gapMs: 20 });
  bigStatic.server.close();
  console.log(
    `scrape at ${accounts * REGIONS.length} targets: ${bigSeries} series, ${mib(Buffer.byteLength(bigText))}`,
  );
  console.log(
    `  exporter plain p50 ${percentile(plain, 50).toFixed(1)} ms, p99 ${percentile(plain, 99).toFixed(1)} ms; gzip p50 ${percentile(gzip, 50).toFixed(1)} ms, p99 ${percentile(gzip, 99).toFixed(1)} ms; static p50 ${percentile(staticPlain, 50).toFixed(1)} ms, p99 ${percentile(staticPlain, 99).toFixed(1)} ms`,
  );
  figures.push(
    againstStatic(
      `/metrics p99 at ${Math.round(bigSeries / 1000)}k series, plain`,
      plain,
      staticPlain,
      99,
      2,
    ),
    againstStatic(
      `/metrics p50 at ${Math.round(bigSeries / 1000)}k series, plain`,
      plain,
      staticPlain,
      50,
    ),
  );
  return figures;
}

/** The exporter's scrape latency at percentile `p` against a static server's, same bytes. */
function againstStatic(
  figure: string,
  exporter: number[],
  floor: number[],
  p: 50 | 99,
  withinFactor?: number,
): Figure {
  const value = percentile(exporter, p);
  const baselineValue = percentile(floor, p);
  return {
    scenario: "scrape",
    figure,
    value,
    unit: "ms",
    baseline: `static node:http server, same bytes, p${p}`,
    baselineValue,
    ratio: value / baselineValue,
    goal: withinFactor === undefined ? "reference" : `≤ ${withinFactor}× static`,
    met: withinFactor === undefined || value <= withinFactor * baselineValue,
  };
}

/** `parallel` scrapes at once, `rounds` times; sorted latencies of every scrape. */
async function parallelScrapes(url: string, parallel: number, rounds: number): Promise<number[]> {
  const agent = new Agent({ keepAlive: true, maxSockets: parallel });
  const latencies: number[] = [];
  for (let round = 0; round < rounds; round++) {
    const batch = await Promise.all(
      Array.from({ length: parallel }, () => scrapeOnce(url, agent, true)),
    );
    latencies.push(...batch);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  agent.destroy();
  return latencies.sort((a, b) => a - b);
}

const ms = (sorted: number[], p: number) => `${percentile(sorted, p).toFixed(1)} ms`;

/**
 * The table: 2,500 accounts × 4 regions polled every 40 s, so that polls never stop
 * (some 250 a second) while the scrapes run; plain, gzip and 8 parallel gzip scrapes, then
 * the same bytes from a static server in the same run, and the RSS after round two with a
 * gzip scrape every 15 s as Prometheus would make.
 */
async function continuousPollingScrape(accounts: number, stores: number): Promise<Figure[]> {
  const responder = await startResponderProcess({ storesPerTarget: stores });
  const { app } = await firstRound(fleetConfig(accounts, { intervalMs: 40_000 }), responder.url);
  const url = `${app.url}/metrics`;
  let scrapeFailures = 0;
  const prometheus = setInterval(() => {
    scrapeSeries(url, 1, { gzip: true }).catch(() => {
      scrapeFailures++;
    });
  }, 15_000);
  const text = await scrapeText(app);
  // How long the polls hold the event loop: a scrape waits at least that for its turn.
  const loopDelay = monitorEventLoopDelay({ resolution: 1 });
  loopDelay.enable();
  const plain = await profiled(`scrape-continuous-${stores}`, () =>
    scrapeSeries(url, 200, { gapMs: 20 }),
  );
  loopDelay.disable();
  const gzip = await scrapeSeries(url, 100, { gapMs: 20, gzip: true });
  const parallel = await parallelScrapes(url, 8, 20);
  await nextRound(app, 600_000);
  (globalThis as { gc?: () => void }).gc?.();
  const rss = process.memoryUsage().rss;
  clearInterval(prometheus);
  await app.stop(1_000);
  await responder.stop();
  const floor = await staticServer(Buffer.from(text));
  const staticPlain = await scrapeSeries(floor.url, 200, { gapMs: 20 });
  floor.server.close();
  const targets = accounts * REGIONS.length;
  const load = loadavg()
    .map((value) => value.toFixed(2))
    .join(", ");
  console.log(
    `scrape while polling: ${targets} targets every 40 s, ${stores} stores each: ${seriesIn(text)} series, ${mib(Buffer.byteLength(text))} (load ${load})`,
  );
  console.log(
    `  plain p50 ${ms(plain, 50)}, p99 ${ms(plain, 99)}; gzip p99 ${ms(gzip, 99)}; 8 parallel gzip p99 ${ms(parallel, 99)}; static floor p99 ${ms(staticPlain, 99)}; RSS after round 2 ${mib(rss)}; ${scrapeFailures} failed gzip scrapes`,
  );
  console.log(
    `  event loop delay during the plain scrapes (scrapes included): p50 ${(loopDelay.percentile(50) / 1e6).toFixed(1)} ms, p99 ${(loopDelay.percentile(99) / 1e6).toFixed(1)} ms, max ${(loopDelay.max / 1e6).toFixed(1)} ms`,
  );
  const at = `${targets} targets × ${stores} stores, polling`;
  const gzipGoal = stores === 0 ? 50 : 300;
  const figures: Figure[] = [
    againstStatic(`/metrics p99 plain, ${at}`, plain, staticPlain, 99, 3),
    againstStatic(`/metrics p50 plain, ${at}`, plain, staticPlain, 50),
    {
      scenario: "scrape",
      figure: `/metrics p99 gzip, ${at}`,
      value: percentile(gzip, 99),
      unit: "ms",
      baseline: "goal",
      baselineValue: gzipGoal,
      ratio: percentile(gzip, 99) / gzipGoal,
      goal: `p99 ≤ ${gzipGoal} ms`,
      met: percentile(gzip, 99) <= gzipGoal,
    },
    {
      scenario: "scrape",
      figure: `/metrics p99 of 8 parallel gzip scrapes, ${at}`,
      value: percentile(parallel, 99),
      unit: "ms",
      baseline: "one gzip scrape, p99",
      baselineValue: percentile(gzip, 99),
      ratio: percentile(parallel, 99) / percentile(gzip, 99),
      goal: "≤ 2× one gzip scrape",
      met: percentile(parallel, 99) <= 2 * percentile(gzip, 99),
    },
  ];
  if (stores === 5) {
    figures.push({
      scenario: "scrape",
      figure: `RSS after round 2, gzip scrapes every 15 s, ${at}`,
      value: rss / 2 ** 20,
      unit: "MiB",
      baseline: "goal",
      baselineValue: 300e6 / 2 ** 20,
      ratio: rss / 300e6,
      goal: "< 300 MB",
      met: rss < 300e6,
    });
  }
  return figures;
}

/**
 * Resident memory at 10,000 targets / 50,000 stores after round 2, then its growth over
 * `--minutes` (polls every 30 s, a gzip scrape every 15 s as Prometheus would). Measured on
 * the shipped process (`node dist/cli.js` under this Node), not this one: the bench's own
 * loader and client would count, and a forced collection would hide what V8 keeps.
 * `--heap-snapshot` makes the exporter write one after round 2 (SIGUSR2, in its directory).
 */
export async function memoryBenchmark(argv: string[]): Promise<void> {
  const {
    accounts,
    minutes,
    heapSnapshot,
    memoryLimitMiB,
    stores: given,
  } = options(argv, { accounts: 2_500 });
  const perTarget = given ?? 5;
  const targets = accounts * REGIONS.length;
  const limit = memoryLimitMiB === undefined ? "" : `, cgroup limit ${memoryLimitMiB} MiB`;
  const responder = await startResponderProcess({ storesPerTarget: perTarget });
  const exporter = await startShippedExporter(accounts, responder, {
    intervalSeconds: 30,
    nodeFlags: heapSnapshot ? ["--heapsnapshot-signal=SIGUSR2"] : [],
    memoryLimitMiB,
  });
  let scrapeFailures = 0;
  const scraper = setInterval(() => {
    scrapeSeries(`${exporter.url}/metrics`, 1, { gzip: true }).catch((error: Error) => {
      scrapeFailures++;
      console.log(`  scrape failed: ${error.message}`);
    });
  }, 15_000);
  await respondedRounds(responder, targets, 2, 300_000);
  // The responder counts a call when it answers; give the exporter a moment to store it.
  await new Promise((resolve) => setTimeout(resolve, 3_000));
  const afterRound2 = exporter.rss();
  console.log(
    `memory (node dist/cli.js under Node ${process.versions.node}${limit}, NODE_OPTIONS=${process.env.NODE_OPTIONS ?? ""}): ${targets} targets × ${perTarget} stores; after round 2 RSS ${mib(afterRound2.current)} (peak ${mib(afterRound2.peak)}); ${await memoryBreakdown(exporter.url)}`,
  );
  if (heapSnapshot) {
    process.kill(exporter.pid, "SIGUSR2");
    console.log(`  heap snapshot: ${exporter.dir}/Heap.*.heapsnapshot`);
  }
  const samples: number[] = [];
  const endAt = Date.now() + minutes * 60_000;
  while (Date.now() < endAt) {
    await new Promise((resolve) => setTimeout(resolve, Math.min(30_000, endAt - Date.now())));
    samples.push(exporter.rss().current);
    console.log(
      `  +${(samples.length * 0.5).toFixed(1)} min: RSS ${mib(samples.at(-1) ?? 0)}; ${await memoryBreakdown(exporter.url)}`,
    );
  }
  clearInterval(scraper);
  console.log(`  gzip scrapes every 15 s: ${scrapeFailures} failed`);
  await exporter.stop();
  await responder.stop();
  const last = samples.at(-1) ?? afterRound2.current;
  const growth = ((last - afterRound2.current) / afterRound2.current) * 100;
  recordFigures("memory", [
    {
      scenario: "memory",
      figure: `RSS after round 2 of node dist/cli.js (Node ${process.versions.node}${limit}), ${targets} targets × ${perTarget} stores`,
      value: afterRound2.current / 2 ** 20,
      unit: "MiB",
      baseline: "goal",
      baselineValue: 300e6 / 2 ** 20,
      ratio: afterRound2.current / 300e6,
      goal: "< 300 MB",
      met: afterRound2.current < 300e6,
    },
    {
      scenario: "memory",
      figure: `RSS growth over ${minutes} min`,
      value: growth,
      unit: "%",
      baseline: "RSS after round 2 (MiB)",
      baselineValue: afterRound2.current / 2 ** 20,
      ratio: last / afterRound2.current,
      goal: "< 5% over 10 minutes",
      met: growth < 5,
    },
  ]);
}
