import type {
  DescribeCustomKeyStoresCommand,
  DescribeCustomKeyStoresCommandOutput,
} from "@aws-sdk/client-kms";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import {
  type AttemptEvent,
  PollError,
  type PollOptions,
  pollTarget,
} from "../../src/poller/poll.js";

const POLICY = { maxAttempts: 3, minDelayMs: 100, maxDelayMs: 1_000 };

function entry(id: string) {
  return { CustomKeyStoreId: id, ConnectionState: "CONNECTED" as const };
}

/** A page as KMS answers it: `Truncated` when a marker follows. */
function page(ids: string[], nextMarker?: string): DescribeCustomKeyStoresCommandOutput {
  return {
    CustomKeyStores: ids.map(entry),
    Truncated: nextMarker !== undefined,
    NextMarker: nextMarker,
    $metadata: {},
  };
}

function sdkError(name: string, status: number | undefined, message = `${name} happened`) {
  return Object.assign(new Error(message), {
    name,
    $metadata: status === undefined ? {} : { httpStatusCode: status },
  });
}

/** Answers (or throws) in turn; records every command's input. */
function scripted(answers: Array<DescribeCustomKeyStoresCommandOutput | Error>) {
  const inputs: DescribeCustomKeyStoresCommand["input"][] = [];
  return {
    inputs,
    send: async (command: DescribeCustomKeyStoresCommand) => {
      inputs.push(command.input);
      const answer = answers.shift();
      if (answer === undefined) throw new Error("no answer left");
      if (answer instanceof Error) throw answer;
      return answer;
    },
  };
}

/** A call that only ends when its abort signal fires. */
const hung = {
  send: (_command: unknown, options: { abortSignal: AbortSignal }) =>
    new Promise<never>((_resolve, reject) => {
      options.abortSignal.addEventListener("abort", () =>
        reject(Object.assign(new Error("Request aborted"), { name: "AbortError" })),
      );
    }),
};

function poll(client: PollOptions["client"], overrides: Partial<PollOptions> = {}) {
  return pollTarget({
    client,
    retry: POLICY,
    timeoutMs: 10_000,
    maxPages: 10,
    maxStores: 10_000,
    onAttempt: () => {},
    ...overrides,
  });
}

describe("pollTarget pages", () => {
  it("asks for the largest page, then follows NextMarker to the last page", async () => {
    const client = scripted([page(["cks-1"], "m1"), page(["cks-2"], "m2"), page(["cks-3"])]);
    const stores = await poll(client);
    expect(stores.map((store) => store.id)).toEqual(["cks-1", "cks-2", "cks-3"]);
    expect(client.inputs).toEqual([
      { Limit: 1000 },
      { Limit: 1000, Marker: "m1" },
      { Limit: 1000, Marker: "m2" },
    ]);
  });

  it("stops at Truncated false, ignoring a NextMarker there, and reports the marker", async () => {
    const ignored: string[] = [];
    const client = scripted([
      page(["cks-1"], "m1"),
      { ...page(["cks-2"]), NextMarker: "stale" },
      page(["never"]),
    ]);
    const stores = await poll(client, { onIgnoredMarker: (marker) => ignored.push(marker) });
    expect(stores.map((store) => store.id)).toEqual(["cks-1", "cks-2"]);
    expect(client.inputs).toHaveLength(2);
    expect(ignored).toEqual(["stale"]);
  });

  it.each([
    ["no NextMarker", undefined, "Truncated is true but the page has no NextMarker"],
    ["an empty NextMarker", "", "Truncated is true but the page has no NextMarker"],
    [
      "a NextMarker over 1,024 characters",
      "m".repeat(1025),
      "NextMarker is 1025 characters, over the API's limit of 1024",
    ],
  ])("reports Truncated true with %s as an invalid response", async (_, marker, message) => {
    const client = scripted([{ ...page(["cks-1"]), Truncated: true, NextMarker: marker }]);
    await expect(poll(client)).rejects.toMatchObject({ errorName: "InvalidResponse", message });
    expect(client.inputs).toHaveLength(1);
  });

  it("follows a NextMarker of exactly 1,024 characters", async () => {
    const client = scripted([page(["cks-1"], "m".repeat(1024)), page(["cks-2"])]);
    expect(await poll(client)).toHaveLength(2);
  });

  it("ends as RepeatedMarker when a marker comes back, naming the page", async () => {
    const client = scripted([page(["cks-1"], "m1"), page(["cks-2"], "m2"), page(["cks-3"], "m1")]);
    await expect(poll(client)).rejects.toMatchObject({
      name: "PollError",
      errorName: "RepeatedMarker",
      message: "DescribeCustomKeyStores: NextMarker repeated on page 3; the pages would loop",
    });
    expect(client.inputs).toHaveLength(3);
  });

  it("reads exactly maxPages pages before giving up", async () => {
    const client = scripted([page(["cks-1"], "m1"), page(["cks-2"])]);
    expect(await poll(client, { maxPages: 2 })).toHaveLength(2);
    const endless = scripted([page(["cks-1"], "m1"), page(["cks-2"], "m2"), page(["cks-3"])]);
    await expect(poll(endless, { maxPages: 2 })).rejects.toMatchObject({
      errorName: "TooManyPages",
      message: "DescribeCustomKeyStores: more than 2 pages; giving up",
    });
    expect(endless.inputs).toHaveLength(2);
  });

  it("reports a store listed on two pages as an invalid response", async () => {
    const client = scripted([page(["cks-1"], "m1"), page(["cks-1"])]);
    await expect(poll(client)).rejects.toMatchObject({
      errorName: "InvalidResponse",
      message: "store cks-1 is listed twice",
    });
  });
});

describe("pollTarget attempts (fake timers)", () => {
  beforeEach(() => {
    vi.useFakeTimers({ now: 0 });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it("reports every attempt with its number, and the failed ones with error and cause", async () => {
    const failure = sdkError("KMSInternalException", 500);
    const client = scripted([failure, page(["cks-1"], "m1"), page(["cks-2"])]);
    const events: AttemptEvent[] = [];
    const done = poll(client, { onAttempt: (event) => events.push(event), random: () => 0 });
    await vi.advanceTimersByTimeAsync(10);
    await expect(done).resolves.toHaveLength(2);
    expect(events).toEqual([
      {
        operation: "DescribeCustomKeyStores",
        attempt: 1,
        error: { name: "KMSInternalException", retryable: true },
        cause: failure,
      },
      { operation: "DescribeCustomKeyStores", attempt: 2 },
      { operation: "DescribeCustomKeyStores", attempt: 3 },
    ]);
  });

  it("keeps the last error's name and message when the attempts run out", async () => {
    const client = scripted([
      sdkError("KMSInternalException", 500, "first"),
      sdkError("KMSInternalException", 500, "second"),
      sdkError("ServiceUnavailable", 503, "third"),
    ]);
    const done = poll(client, { random: () => 0 });
    const outcome = expect(done).rejects.toMatchObject({
      errorName: "ServiceUnavailable",
      message: "third",
    });
    await vi.advanceTimersByTimeAsync(10);
    await outcome;
    expect(client.inputs).toHaveLength(3);
  });

  it("names the error when its cause has no message", async () => {
    const client = scripted([sdkError("AccessDeniedException", 400, "")]);
    await expect(poll(client)).rejects.toMatchObject({
      errorName: "AccessDeniedException",
      message: "AccessDeniedException",
    });
  });

  it("waits for the rate limiter before every attempt and reports the wait", async () => {
    const order: string[] = [];
    const waits: number[] = [];
    const limiter = {
      acquire: async () => {
        order.push("acquire");
        return 7;
      },
      onThrottled: () => order.push("throttled"),
    };
    const client = {
      send: async () => {
        order.push("send");
        if (order.filter((step) => step === "send").length === 1)
          throw sdkError("ThrottlingException", 400);
        return page(["cks-1"]);
      },
    };
    const done = poll(client, {
      rateLimiter: limiter,
      onRateLimitWait: (waited) => waits.push(waited),
      random: () => 0,
    });
    await vi.advanceTimersByTimeAsync(10);
    await expect(done).resolves.toHaveLength(1);
    expect(order).toEqual(["acquire", "send", "throttled", "acquire", "send"]);
    expect(waits).toEqual([7, 7]);
  });

  it("slows the limiter down only for throttling, not for other retryable errors", async () => {
    const throttled = vi.fn();
    const client = scripted([sdkError("KMSInternalException", 500), page([])]);
    const done = poll(client, {
      rateLimiter: { acquire: async () => 0, onThrottled: throttled },
      random: () => 0,
    });
    await vi.advanceTimersByTimeAsync(10);
    await done;
    expect(throttled).not.toHaveBeenCalled();
  });

  it("retries when the backoff ends just before the deadline, not when it reaches it", async () => {
    const twice = () => [sdkError("KMSInternalException", 500), page(["cks-1"])];
    // random 0.5 of a 200 ms bound: a 100 ms wait after a call that took 899 ms or 900 ms.
    const slowFirst = (answers: ReturnType<typeof twice>, tookMs: number) => ({
      inputs: 0,
      async send() {
        this.inputs++;
        if (this.inputs === 1) await new Promise((resolve) => setTimeout(resolve, tookMs));
        const answer = answers.shift();
        if (answer instanceof Error) throw answer;
        return answer as DescribeCustomKeyStoresCommandOutput;
      },
    });
    const retry = { maxAttempts: 5, minDelayMs: 200, maxDelayMs: 200 };
    const justBefore = slowFirst(twice(), 899);
    const ok = poll(justBefore, { retry, timeoutMs: 1_000, random: () => 0.5 });
    await vi.advanceTimersByTimeAsync(1_000);
    await expect(ok).resolves.toHaveLength(1);
    expect(justBefore.inputs).toBe(2);

    const atDeadline = slowFirst(twice(), 900);
    const failed = poll(atDeadline, { retry, timeoutMs: 1_000, random: () => 0.5 });
    const outcome = expect(failed).rejects.toMatchObject({ errorName: "KMSInternalException" });
    await vi.advanceTimersByTimeAsync(1_000);
    await outcome;
    expect(atDeadline.inputs).toBe(1);
  });

  it("ends a hung call at the deadline as a TimeoutError, and leaves no timer behind", async () => {
    const events: AttemptEvent[] = [];
    const done = poll(hung, { timeoutMs: 2_000, onAttempt: (event) => events.push(event) });
    const outcome = expect(done).rejects.toMatchObject({
      errorName: "TimeoutError",
      message: "Request aborted",
    });
    await vi.advanceTimersByTimeAsync(1_999);
    expect(events).toEqual([]);
    await vi.advanceTimersByTimeAsync(1);
    await outcome;
    expect(events.map((event) => event.error)).toEqual([
      { name: "TimeoutError", retryable: false },
    ]);
    expect(vi.getTimerCount()).toBe(0);
  });

  // Also: the limiter is asked even when no onRateLimitWait hook is given.
  it("names the deadline when it passes while waiting for the rate limiter", async () => {
    const client = scripted([page(["cks-1"])]);
    const neverGranted = {
      acquire: (signal: AbortSignal) =>
        new Promise<number>((_resolve, reject) =>
          signal.addEventListener("abort", () => reject(signal.reason)),
        ),
      onThrottled: () => {},
    };
    const done = poll(client, { timeoutMs: 2_000, rateLimiter: neverGranted });
    const outcome = expect(done).rejects.toMatchObject({
      errorName: "TimeoutError",
      message: "poll deadline of 2000 ms passed",
    });
    await vi.advanceTimersByTimeAsync(2_000);
    await outcome;
    expect(client.inputs).toEqual([]);
  });

  it("clears its deadline timer after a successful poll", async () => {
    await poll(scripted([page(["cks-1"])]), { timeoutMs: 60_000 });
    expect(vi.getTimerCount()).toBe(0);
  });

  it("stops a running call when the caller aborts, reporting no attempt", async () => {
    const controller = new AbortController();
    const events: AttemptEvent[] = [];
    const done = poll(hung, {
      signal: controller.signal,
      onAttempt: (event) => events.push(event),
    });
    const outcome = expect(done).rejects.toMatchObject({
      errorName: "TimeoutError",
      message: "target removed",
    });
    await vi.advanceTimersByTimeAsync(100);
    controller.abort(new Error("target removed"));
    await outcome;
    expect(events).toEqual([]);
    expect(vi.getTimerCount()).toBe(0);
  });

  it("stops at once, without calling AWS, for a signal that aborted before the poll", async () => {
    const client = scripted([page(["cks-1"])]);
    const done = poll(client, { signal: AbortSignal.abort(new Error("exporter stopping")) });
    await expect(done).rejects.toBeInstanceOf(PollError);
    await expect(done).rejects.toMatchObject({ message: "exporter stopping" });
    expect(client.inputs).toEqual([]);
  });

  it("says the poll was stopped when the caller aborts without a reason of its own", async () => {
    const controller = new AbortController();
    const done = poll(hung, { signal: controller.signal });
    const outcome = expect(done).rejects.toMatchObject({ errorName: "TimeoutError" });
    await vi.advanceTimersByTimeAsync(10);
    controller.abort();
    await outcome;
  });

  it("names an unexpected failure outside the KMS call by what it is", async () => {
    const broken = {
      acquire: async () => {
        throw Object.assign(new Error("limiter broke"), { name: "LimiterError" });
      },
      onThrottled: () => {},
    };
    const outcome = expect(
      poll(scripted([page([])]), { rateLimiter: broken }),
    ).rejects.toMatchObject({ errorName: "LimiterError", message: "limiter broke" });
    await vi.advanceTimersByTimeAsync(5_000);
    await outcome;
  });

  it("names a call that rejects with nothing an UnknownError", async () => {
    const client = { send: () => Promise.reject(undefined) };
    await expect(poll(client)).rejects.toMatchObject({
      errorName: "UnknownError",
      message: "UnknownError",
    });
  });
});
