import { strict as assert } from "node:assert";
import type { App } from "../src/app.js";
import { httpLoop, scrapeSeries, sdkLoop, staticServer } from "./baselines.js";
import { expectedPages, firstRound, fleetConfig, nextRound, REGIONS } from "./fleet.js";
import { scrapeText } from "./harness.js";
import {
  type ResponderProcess,
  type ResponderSettings,
  startResponderProcess,
  storesOf,
} from "./responder.js";

/**
 * `npm run bench -- smoke`, about 20 seconds, run by CI: the bench's code paths end to end
 * at a small size, and the exact API call counts. Timings are printed, never asserted: on
 * a shared CI machine they mean nothing.
 *
 * - one round makes Σ max(1, ⌈stores/1000⌉) DescribeCustomKeyStores calls (some accounts
 *   here have 2,500 stores per region: 3 pages);
 * - AssumeRole is called once per account per credential lifetime, so still once after
 *   the second round.
 */
const ACCOUNTS = 50;
const SETTINGS: ResponderSettings = {
  delayMs: 0,
  storesPerTarget: 5,
  bigEvery: 10,
  bigStores: 2_500,
};
const INTERVAL_MS = 10_000;

/** DescribeCustomKeyStores samples of a per-target counter, by "account/region". */
function sumByTarget(text: string, metric: string): Map<string, number> {
  const sums = new Map<string, number>();
  for (const line of text.split("\n")) {
    if (!line.startsWith(`${metric}{`) || !line.includes('operation="DescribeCustomKeyStores"'))
      continue;
    const account = /account_id="(\d+)"/.exec(line)?.[1];
    const region = /region="([^"]+)"/.exec(line)?.[1];
    const key = `${account}/${region}`;
    sums.set(key, (sums.get(key) ?? 0) + Number(line.slice(line.lastIndexOf(" ") + 1)));
  }
  return sums;
}

/** Exporter text and responder counts taken with no call in flight between them. */
async function quietSnapshot(app: App, responder: ResponderProcess) {
  const total = (text: string) =>
    [...sumByTarget(text, "kms_keystore_exporter_api_requests_total").values()].reduce(
      (sum, value) => sum + value,
      0,
    );
  for (let attempt = 0; ; attempt++) {
    const text = await scrapeText(app);
    const counts = await responder.counts();
    const again = await scrapeText(app);
    if (
      (total(text) === total(again) && total(text) === counts.DescribeCustomKeyStores) ||
      attempt === 50
    )
      return { text, counts };
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

export async function smokeBenchmark(): Promise<void> {
  const started = performance.now();
  const responder = await startResponderProcess(SETTINGS);
  const pages = expectedPages(
    (index) => storesOf(String(200_000_000_000 + index), SETTINGS),
    ACCOUNTS,
    REGIONS.length,
  );
  const config = fleetConfig(ACCOUNTS, { intervalMs: INTERVAL_MS, timeoutMs: 5_000 });
  const { app, roundMs } = await firstRound(config, responder.url, 15_000);
  const round1 = await responder.counts();
  // On a slow machine some targets' second polls may already have begun; the check per
  // target below still holds, only this total is higher.
  if (round1.DescribeCustomKeyStores !== pages) {
    console.log(
      `  round one (${(roundMs / 1000).toFixed(1)} s) overlapped round two: ${round1.DescribeCustomKeyStores} calls`,
    );
  }
  assert.ok(round1.DescribeCustomKeyStores >= pages, "DescribeCustomKeyStores in round one");
  assert.equal(round1.AssumeRole, ACCOUNTS, "AssumeRole in round one");
  await nextRound(app, INTERVAL_MS * 3);
  // No third round: the counts below are then taken with nothing in flight.
  app.exporter.reload({ ...config, intervalMs: 3_600_000 });
  const { text, counts: round2 } = await quietSnapshot(app, responder);
  await app.stop(1_000);
  assert.equal(round2.AssumeRole, ACCOUNTS, "AssumeRole after round two (same credentials)");
  assert.equal(round2.other, 0, "unexpected operations");
  assert.equal(Object.keys(round2.byTarget).length, ACCOUNTS * REGIONS.length, "targets polled");
  // Every poll of every target made exactly its pages: its calls are a whole number of
  // polls, at least two, and each is one the exporter counted, none failed.
  const requests = sumByTarget(text, "kms_keystore_exporter_api_requests_total");
  assert.equal(sumByTarget(text, "kms_keystore_exporter_api_request_errors_total").size, 0);
  for (const [key, calls] of Object.entries(round2.byTarget)) {
    const perPoll = Math.max(1, Math.ceil(storesOf(key.split("/")[0] ?? "", SETTINGS) / 1000));
    assert.ok(
      calls >= 2 * perPoll && calls % perPoll === 0,
      `${key}: ${calls} calls, ${perPoll} per poll`,
    );
    assert.equal(requests.get(key), calls, `${key}: calls the exporter counted`);
  }
  assert.match(text, /aws_kms_custom_key_store_info\{/);
  // The baselines' code paths, tiny.
  const sdk = await sdkLoop(responder.url, 200);
  const http = await httpLoop(responder.url, 200);
  const same = await staticServer(Buffer.from(text));
  const scrapes = await scrapeSeries(same.url, 5);
  same.server.close();
  await responder.stop();
  console.log(
    `smoke: ${ACCOUNTS * REGIONS.length} targets, round one ${pages} DescribeCustomKeyStores + ${ACCOUNTS} AssumeRole in ${(roundMs / 1000).toFixed(1)} s; two rounds: AssumeRole ${round2.AssumeRole}; counts exact`,
  );
  console.log(
    `  (not asserted) SDK loop ${sdk.toFixed(0)} calls/s, http loop ${http.toFixed(0)} calls/s, static scrape ${scrapes.length} ok; ${((performance.now() - started) / 1000).toFixed(1)} s in all`,
  );
}
