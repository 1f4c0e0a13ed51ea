import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type Running, role, runExporter, waitUntilReady } from "../helpers/exporter.js";
import type { Sample } from "../helpers/exposition.js";
import { samplesNamed, sampleValue } from "../helpers/exposition.js";
import { until } from "../helpers/wait.js";

/**
 * One test per kind of fault: target A misbehaves from its second poll on (its first poll
 * succeeds, so there is a last known state to keep), targets B and C stay healthy.
 */
const [A, B, C] = ["111111111111", "222222222222", "333333333333"];
const STORE_A1 = "cks-aaaaaaaaaaaaaaaa1";
const STORE_A2 = "cks-aaaaaaaaaaaaaaaa2";

function scenario(faultsOfA: string, pageSizeOfA = 1000): string {
  const healthy = (id: string) => `  - id: "${id}"
    regions:
      - region: us-east-1
        stores: [{id: cks-${id}00000, name: ok-${id}, state: CONNECTED}]`;
  return `accounts:
  - id: "${A}"
    regions:
      - region: us-east-1
        pageSize: ${pageSizeOfA}
        stores:
          - {id: ${STORE_A1}, name: a-failed, state: FAILED, errorCode: NETWORK_ERRORS}
          - {id: ${STORE_A2}, name: a-ok, state: CONNECTED}
        faults: ${faultsOfA}
${healthy(B)}
${healthy(C)}
`;
}

function callsFrom(first: number, last: number): string {
  return `[${Array.from({ length: last - first + 1 }, (_, index) => first + index).join(", ")}]`;
}

// A request timeout that a healthy call on a loaded machine still meets (B and C must stay
// free of errors), with room for three attempts in a poll's deadline.
const REQUEST_TIMEOUT_MS = 450;

const CONFIG = {
  accounts: [A, B, C].map((id) => ({ roleArn: role(id) })),
  intervalMs: 1_500,
  timeoutMs: 1_400,
  retry: { maxAttempts: 4, minDelayMs: 10, maxDelayMs: 40 },
};

/** The store series of one account, as comparable text. */
function storeSeries(samples: Sample[], accountId: string): string[] {
  return samples
    .filter(
      (sample) => sample.name.startsWith("aws_kms_") && sample.labels.account_id === accountId,
    )
    .map((sample) => `${sample.name}${JSON.stringify(sample.labels)} ${sample.value}`)
    .sort();
}

function errorsOf(samples: Sample[], accountId: string, error: string): number {
  return (
    sampleValue(samples, "kms_keystore_exporter_api_request_errors_total", {
      account_id: accountId,
      error,
    }) ?? 0
  );
}

function upOf(samples: Sample[], accountId: string): number | undefined {
  return sampleValue(samples, "kms_keystore_exporter_target_up", { account_id: accountId });
}

interface Baseline {
  running: Running;
  before: Sample[];
}

/** Starts the exporter, waits for the first successful round, and records the series. */
async function start(
  faultsOfA: string,
  options: { pageSizeOfA?: number; requestTimeoutMs?: number } = {},
): Promise<Baseline> {
  const running = await runExporter(scenario(faultsOfA, options.pageSizeOfA), CONFIG, undefined, {
    requestTimeoutMs: options.requestTimeoutMs ?? REQUEST_TIMEOUT_MS,
  });
  await waitUntilReady(running.app);
  const before = await running.scrape();
  expect(upOf(before, A)).toBe(1);
  expect(storeSeries(before, A).length).toBeGreaterThan(0);
  return { running, before };
}

function describeCallsOfA(running: Running): number {
  return running.simulator.callCount({ operation: "DescribeCustomKeyStores", accountId: A });
}

/** Waits until A's poll has failed with `error`, then checks what a failed poll must leave. */
async function expectAKeptWhileDown(
  { running, before }: Baseline,
  error: string,
): Promise<Sample[]> {
  await until(() => running.app.state.get(`${A}/us-east-1`)?.lastError?.name === error);
  const during = await running.scrape();
  expect(upOf(during, A)).toBe(0);
  expect(storeSeries(during, A)).toEqual(storeSeries(before, A));
  expect(
    sampleValue(during, "kms_keystore_exporter_target_poll_errors_total", { account_id: A, error }),
  ).toBeGreaterThanOrEqual(1);
  expectOthersUntouched(before, during);
  return during;
}

function expectOthersUntouched(before: Sample[], after: Sample[]): void {
  for (const other of [B, C]) {
    expect(upOf(after, other)).toBe(1);
    expect(storeSeries(after, other)).toEqual(storeSeries(before, other));
    expect(
      samplesNamed(after, "kms_keystore_exporter_api_request_errors_total").filter(
        (sample) => sample.labels.account_id === other,
      ),
    ).toEqual([]);
  }
}

async function expectABackUp({ running, before }: Baseline): Promise<void> {
  await until(async () => upOf(await running.scrape(), A) === 1);
  const after = await running.scrape();
  expect(storeSeries(after, A)).toEqual(storeSeries(before, A));
  expectOthersUntouched(before, after);
}

const unhandled: unknown[] = [];
const recordUnhandled = (reason: unknown) => unhandled.push(reason);

beforeEach(() => {
  unhandled.length = 0;
  process.on("unhandledRejection", recordUnhandled);
});

afterEach(() => {
  process.off("unhandledRejection", recordUnhandled);
  expect(unhandled).toEqual([]);
});

describe("fault injection", () => {
  it("internal error burst: retried, then the poll fails with the stores kept, then recovers", async () => {
    const baseline = await start(`[{kind: internal-error, calls: ${callsFrom(2, 5)}}]`);
    const during = await expectAKeptWhileDown(baseline, "KMSInternalException");
    expect(errorsOf(during, A, "KMSInternalException")).toBe(4);
    await expectABackUp(baseline);
  });

  it("throttling storm: every throttle counted, the target slows down and comes back", async () => {
    const baseline = await start(`[{kind: throttling, calls: ${callsFrom(2, 9)}}]`);
    await expectAKeptWhileDown(baseline, "ThrottlingException");
    await expectABackUp(baseline);
    const after = await baseline.running.scrape();
    expect(errorsOf(after, A, "ThrottlingException")).toBe(8);
  });

  it("access denied: one call, no retry, stores kept", async () => {
    const baseline = await start("[{kind: access-denied, calls: [2]}]");
    const during = await expectAKeptWhileDown(baseline, "AccessDeniedException");
    expect(errorsOf(during, A, "AccessDeniedException")).toBe(1);
    expect(describeCallsOfA(baseline.running)).toBeLessThanOrEqual(3);
    await expectABackUp(baseline);
  });

  it("HTML 500 page from a proxy: retried as a 5xx", async () => {
    const baseline = await start(`[{kind: html-5xx, calls: ${callsFrom(2, 5)}}]`);
    const during = await expectAKeptWhileDown(baseline, "HTTP503");
    expect(errorsOf(during, A, "HTTP503")).toBe(4);
    await expectABackUp(baseline);
  });

  it("truncated JSON: an invalid response, not retried", async () => {
    const baseline = await start("[{kind: truncated-json, calls: [2]}]");
    const during = await expectAKeptWhileDown(baseline, "InvalidResponse");
    expect(errorsOf(during, A, "InvalidResponse")).toBe(1);
    await expectABackUp(baseline);
  });

  it.each([
    "empty-body",
    "empty-object",
    "null-list",
    "array-body",
    "object-list",
    "null-entry",
    "iso-creation-date",
  ])("malformed 200 (%s): an invalid response, the FAILED store's series kept", async (kind) => {
    const baseline = await start(`[{kind: ${kind}, calls: [2]}]`);
    const during = await expectAKeptWhileDown(baseline, "InvalidResponse");
    expect(
      sampleValue(during, "aws_kms_custom_key_store_connection_state", {
        custom_key_store_id: STORE_A1,
        state: "FAILED",
      }),
    ).toBe(1);
    await expectABackUp(baseline);
  });

  it.each([
    ["over-limit", "page limit: 1001 stores in a page, more than the Limit of 1000 sent"],
    ["huge-name", "CustomKeyStoreName length limit: 1048576 characters, more than 256"],
    ["huge-body", "response body limit: more than 8388608 bytes"],
  ])(
    "answer past a documented limit (%s): an invalid response naming the limit",
    async (kind, limit) => {
      // Several calls: on a busy machine a large answer may time out first and be retried.
      const baseline = await start(`[{kind: ${kind}, calls: ${callsFrom(2, 4)}}]`);
      await expectAKeptWhileDown(baseline, "InvalidResponse");
      expect(baseline.running.app.state.get(`${A}/us-east-1`)?.lastError?.message).toContain(limit);
      await expectABackUp(baseline);
    },
  );

  it("slow answer: the request timeout throws, the retry succeeds, the target stays up", async () => {
    const baseline = await start("[{kind: slow, delay: 1200ms, calls: [2]}]");
    await until(async () => errorsOf(await baseline.running.scrape(), A, "TimeoutError") === 1);
    await until(() => describeCallsOfA(baseline.running) >= 4);
    const after = await baseline.running.scrape();
    expect(upOf(after, A)).toBe(1);
    expect(
      sampleValue(after, "kms_keystore_exporter_target_poll_errors_total", { account_id: A }),
    ).toBeUndefined();
    expectOthersUntouched(baseline.before, after);
  });

  it("hung socket: every attempt times out, the poll ends at its deadline", async () => {
    const baseline = await start(`[{kind: hang, calls: ${callsFrom(2, 6)}}]`);
    const during = await expectAKeptWhileDown(baseline, "TimeoutError");
    expect(errorsOf(during, A, "TimeoutError")).toBeGreaterThanOrEqual(2);
    // Ended by the poll's deadline: its abort (during a call or between two), or, on a busy
    // machine, the refusal of a retry whose wait would pass it, which leaves the last call's
    // socket timeout. Running out of attempts cannot end it: 4 × 450 ms is past 1,400 ms.
    expect(CONFIG.retry.maxAttempts * REQUEST_TIMEOUT_MS).toBeGreaterThan(CONFIG.timeoutMs);
    expect(baseline.running.app.state.get(`${A}/us-east-1`)?.lastError?.message).toMatch(
      /^(Request aborted|poll deadline of 1400 ms passed|.* a request has exceeded the configured 450 ms requestTimeout\.)$/,
    );
    await expectABackUp(baseline);
  });

  it("connection reset: retried, the target stays up", async () => {
    const baseline = await start("[{kind: reset, calls: [2]}]");
    await until(async () => errorsOf(await baseline.running.scrape(), A, "ECONNRESET") === 1);
    await until(() => describeCallsOfA(baseline.running) >= 4);
    const after = await baseline.running.scrape();
    expect(upOf(after, A)).toBe(1);
    expectOthersUntouched(baseline.before, after);
  });

  it("invalid marker on a later page: the poll fails without looping", async () => {
    // Page size 1: each poll of A is 2 calls; call 4 is the second page of the second poll.
    const baseline = await start("[{kind: invalid-marker, calls: [4]}]", { pageSizeOfA: 1 });
    const during = await expectAKeptWhileDown(baseline, "InvalidMarkerException");
    expect(errorsOf(during, A, "InvalidMarkerException")).toBe(1);
    await expectABackUp(baseline);
  });

  it("repeated marker: the poll ends as an error instead of looping", async () => {
    // Call 4, the last page of the second poll, answers with the marker it was sent.
    const baseline = await start("[{kind: repeat-marker, calls: [4]}]", { pageSizeOfA: 1 });
    await expectAKeptWhileDown(baseline, "RepeatedMarker");
    expect(describeCallsOfA(baseline.running)).toBeLessThan(10);
    await expectABackUp(baseline);
  });

  it("a store that disappears: its series vanish at the next successful poll", async () => {
    const { running, before } = await start("[]");
    running.simulator.setStores(A, "us-east-1", [
      { id: STORE_A2, name: "a-ok", state: "CONNECTED" },
    ]);
    await until(
      async () =>
        samplesNamed(await running.scrape(), "aws_kms_custom_key_store_info", {
          custom_key_store_id: STORE_A1,
        }).length === 0,
    );
    const after = await running.scrape();
    expect(upOf(after, A)).toBe(1);
    expect(
      samplesNamed(after, "aws_kms_custom_key_store_connection_state", {
        custom_key_store_id: STORE_A1,
      }),
    ).toEqual([]);
    expect(
      samplesNamed(after, "aws_kms_custom_key_store_info", { custom_key_store_id: STORE_A2 }),
    ).toHaveLength(1);
    expect(
      samplesNamed(after, "aws_kms_custom_key_store_connection_error", { account_id: A }),
    ).toEqual([]);
    expectOthersUntouched(before, after);
  });

  it("a target that comes back: down for several polls, then up with fresh data", async () => {
    const baseline = await start(`[{kind: internal-error, calls: ${callsFrom(2, 13)}}]`);
    const during = await expectAKeptWhileDown(baseline, "KMSInternalException");
    const lastSuccess = sampleValue(
      during,
      "kms_keystore_exporter_target_last_success_timestamp_seconds",
      {
        account_id: A,
      },
    );
    await expectABackUp(baseline);
    const after = await baseline.running.scrape();
    expect(
      sampleValue(after, "kms_keystore_exporter_target_last_success_timestamp_seconds", {
        account_id: A,
      }),
    ).toBeGreaterThan(lastSuccess ?? Number.POSITIVE_INFINITY);
    expect(errorsOf(after, A, "KMSInternalException")).toBe(12);
  });
});
