import type { DescribeCustomKeyStoresCommandOutput } from "@aws-sdk/client-kms";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { classifyError } from "../../src/aws/errors.js";
import { fullJitterDelayMs } from "../../src/poller/backoff.js";
import { type AttemptEvent, PollError, pollTarget } from "../../src/poller/poll.js";

const POLICY = { maxAttempts: 5, minDelayMs: 100, maxDelayMs: 1_000 };

function sdkError(name: string, status: number | undefined, code?: string) {
  return Object.assign(new Error(`${name} happened`), {
    name,
    ...(code ? { code } : {}),
    $metadata: status === undefined ? {} : { httpStatusCode: status },
  });
}

const PAGE: DescribeCustomKeyStoresCommandOutput = {
  CustomKeyStores: [{ CustomKeyStoreId: "cks-00000000000000001", ConnectionState: "CONNECTED" }],
  Truncated: false,
  $metadata: {},
};

/** A client that fails with the given errors in turn, then answers PAGE; records call times. */
function scriptedClient(failures: unknown[]) {
  const calls: number[] = [];
  return {
    calls,
    send: async () => {
      calls.push(Date.now());
      const failure = failures.shift();
      if (failure) throw failure;
      return PAGE;
    },
  };
}

describe("full jitter", () => {
  it("draws uniformly below the capped exponential bound", () => {
    expect(fullJitterDelayMs(1, POLICY, () => 0.999)).toBe(99);
    expect(fullJitterDelayMs(2, POLICY, () => 0.999)).toBe(199);
    expect(fullJitterDelayMs(3, POLICY, () => 0.5)).toBe(200);
    expect(fullJitterDelayMs(10, POLICY, () => 0.999)).toBe(999);
    expect(fullJitterDelayMs(4, POLICY, () => 0)).toBe(0);
  });
});

describe("error classification", () => {
  it.each([
    [sdkError("KMSInternalException", 500), "KMSInternalException", true],
    [sdkError("ThrottlingException", 400), "ThrottlingException", true],
    [sdkError("SomethingNew", 429), "ThrottlingException", true],
    [sdkError("SyntaxError", 503), "HTTP503", true],
    [sdkError("Unknown", 502), "HTTP502", true],
    [sdkError("NotImplemented", 501), "NotImplemented", false],
    [sdkError("TimeoutError", undefined), "TimeoutError", true],
    // The SDK renames a reset connection TimeoutError but keeps its code.
    [sdkError("TimeoutError", undefined, "ECONNRESET"), "ECONNRESET", true],
    [sdkError("Error", undefined, "ECONNREFUSED"), "ECONNREFUSED", true],
    // The SDK's own request timeout: named TimeoutError, coded ETIMEDOUT.
    [sdkError("TimeoutError", undefined, "ETIMEDOUT"), "TimeoutError", true],
    [sdkError("AccessDeniedException", 400), "AccessDeniedException", false],
    [sdkError("ValidationException", 400), "ValidationException", false],
    [sdkError("SyntaxError", 200), "InvalidResponse", false],
    ["a string", "UnknownError", false],
  ])("%s → %s (retryable %s)", (error, name, retryable) => {
    expect(classifyError(error)).toMatchObject({ name, retryable });
  });
});

describe("poll backoff (fake timers)", () => {
  beforeEach(() => {
    vi.useFakeTimers({ now: 0 });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it("retries retryable errors with full-jitter delays, counting every attempt", async () => {
    const client = scriptedClient([
      sdkError("KMSInternalException", 500),
      sdkError("ThrottlingException", 400),
    ]);
    const events: AttemptEvent[] = [];
    const poll = pollTarget({
      client,
      retry: POLICY,
      timeoutMs: 10_000,
      maxPages: 10,
      maxStores: 10_000,
      onAttempt: (event) => events.push(event),
      random: () => 0.999,
    });
    await vi.advanceTimersByTimeAsync(1_000);
    await expect(poll).resolves.toHaveLength(1);
    expect(client.calls).toEqual([0, 99, 99 + 199]);
    expect(events.map((event) => event.error?.name ?? "ok")).toEqual([
      "KMSInternalException",
      "ThrottlingException",
      "ok",
    ]);
  });

  it("does not retry access errors", async () => {
    const client = scriptedClient([sdkError("AccessDeniedException", 400)]);
    const poll = pollTarget({
      client,
      retry: POLICY,
      timeoutMs: 10_000,
      maxPages: 10,
      maxStores: 10_000,
      onAttempt: () => {},
    });
    const outcome = expect(poll).rejects.toMatchObject({ errorName: "AccessDeniedException" });
    await vi.advanceTimersByTimeAsync(1_000);
    await outcome;
    expect(client.calls).toHaveLength(1);
  });

  it("gives up after maxAttempts with the last error's name", async () => {
    const client = scriptedClient(
      Array.from({ length: 10 }, () => sdkError("KMSInternalException", 500)),
    );
    const poll = pollTarget({
      client,
      retry: { ...POLICY, maxAttempts: 3 },
      timeoutMs: 10_000,
      maxPages: 10,
      maxStores: 10_000,
      onAttempt: () => {},
    });
    const outcome = expect(poll).rejects.toBeInstanceOf(PollError);
    await vi.advanceTimersByTimeAsync(5_000);
    await outcome;
    expect(client.calls).toHaveLength(3);
  });

  it("never starts a retry whose delay would pass the deadline", async () => {
    const client = scriptedClient(
      Array.from({ length: 10 }, () => sdkError("KMSInternalException", 500)),
    );
    const poll = pollTarget({
      client,
      retry: { maxAttempts: 10, minDelayMs: 400, maxDelayMs: 400 },
      timeoutMs: 1_000,
      maxPages: 10,
      maxStores: 10_000,
      onAttempt: () => {},
      random: () => 0.999,
    });
    const outcome = expect(poll).rejects.toMatchObject({ errorName: "KMSInternalException" });
    await vi.advanceTimersByTimeAsync(2_000);
    await outcome;
    // Attempts at 0, 399 and 798; the next would start at 1197, past the 1000 ms deadline.
    expect(client.calls).toEqual([0, 399, 798]);
  });

  it("ends a poll whose pages never end at maxPages", async () => {
    let page = 0;
    const endless = {
      send: async (): Promise<DescribeCustomKeyStoresCommandOutput> => {
        page++;
        return {
          CustomKeyStores: [
            {
              CustomKeyStoreId: `cks-${String(page).padStart(17, "0")}`,
              ConnectionState: "CONNECTED",
            },
          ],
          Truncated: true,
          NextMarker: `marker-${page}`,
          $metadata: {},
        };
      },
    };
    const poll = pollTarget({
      client: endless,
      retry: POLICY,
      timeoutMs: 10_000,
      maxPages: 5,
      maxStores: 10_000,
      onAttempt: () => {},
    });
    await expect(poll).rejects.toMatchObject({ errorName: "TooManyPages" });
    expect(page).toBe(5);
  });

  it("rejects an answer with a store listed twice or without ConnectionState", async () => {
    const answer = (stores: DescribeCustomKeyStoresCommandOutput["CustomKeyStores"]) => ({
      send: async (): Promise<DescribeCustomKeyStoresCommandOutput> => ({
        CustomKeyStores: stores,
        Truncated: false,
        $metadata: {},
      }),
    });
    const twice = [
      { CustomKeyStoreId: "cks-00000000000000001", ConnectionState: "CONNECTED" as const },
      { CustomKeyStoreId: "cks-00000000000000001", ConnectionState: "FAILED" as const },
    ];
    const options = {
      retry: POLICY,
      timeoutMs: 10_000,
      maxPages: 5,
      maxStores: 10_000,
      onAttempt: () => {},
    };
    await expect(pollTarget({ client: answer(twice), ...options })).rejects.toMatchObject({
      errorName: "InvalidResponse",
    });
    await expect(
      pollTarget({ client: answer([{ CustomKeyStoreId: "cks-00000000000000001" }]), ...options }),
    ).rejects.toMatchObject({
      errorName: "InvalidResponse",
      message: expect.stringContaining("no ConnectionState"),
    });
  });

  it("aborts a hung call at the deadline and names it TimeoutError", async () => {
    const hung = {
      send: (_command: unknown, options: { abortSignal: AbortSignal }) =>
        new Promise<never>((_resolve, reject) => {
          options.abortSignal.addEventListener("abort", () =>
            reject(sdkError("AbortError", undefined)),
          );
        }),
    };
    const events: AttemptEvent[] = [];
    const poll = pollTarget({
      client: hung,
      retry: POLICY,
      timeoutMs: 2_000,
      maxPages: 10,
      maxStores: 10_000,
      onAttempt: (event) => events.push(event),
    });
    const outcome = expect(poll).rejects.toMatchObject({ errorName: "TimeoutError" });
    await vi.advanceTimersByTimeAsync(2_000);
    await outcome;
    expect(events.map((event) => event.error?.name)).toEqual(["TimeoutError"]);
  });
});
