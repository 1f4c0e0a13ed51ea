import type { DescribeCustomKeyStoresCommandOutput } from "@aws-sdk/client-kms";
import { pino } from "pino";
import { describe, expect, it } from "vitest";
import { TargetRateLimiter } from "../../src/aws/rate-limit.js";
import type { AccountSession } from "../../src/aws/sessions.js";
import { EnrichmentStore } from "../../src/enrichment/state.js";
import { createLogger } from "../../src/log/logger.js";
import { createExporterMetrics } from "../../src/metrics/exporter-metrics.js";
import { type Account, type Target, targetKey } from "../../src/model.js";
import { createPollJob, type JobSettings } from "../../src/poller/job.js";
import { StateStore } from "../../src/state/state.js";
import { enrich } from "../helpers/enrich.js";

const TARGET: Target = {
  key: targetKey("111111111111", "us-east-1"),
  accountId: "111111111111",
  accountName: "payments",
  region: "us-east-1",
};
const ACCOUNT: Account = {
  accountId: "111111111111",
  name: "payments",
  roleArn: "arn:aws:iam::111111111111:role/reader",
  externalId: undefined,
  regions: ["us-east-1"],
};

type Answer = DescribeCustomKeyStoresCommandOutput | Error;

/** A fake pool with one session whose credentials and KMS answers the test controls. */
function fakePool(answers: Answer[], credentials: () => Promise<unknown> = async () => ({})) {
  let current = true;
  const sent: unknown[] = [];
  const session = {
    account: ACCOUNT,
    credentials,
    kmsClient: () => ({
      send: async (command: unknown) => {
        sent.push(command);
        const answer = answers.shift() ?? new Error("no answer left");
        if (answer instanceof Error) throw answer;
        return answer;
      },
    }),
  } as unknown as AccountSession;
  const limiter = new TargetRateLimiter({ perSecond: 1_000, burst: 1_000 });
  return {
    sent,
    replace: () => {
      current = false;
    },
    pool: {
      session: (target: Target) => (target.key === TARGET.key ? session : undefined),
      isCurrent: () => current,
      limiter: () => limiter,
    },
  };
}

function page(ids: string[]): DescribeCustomKeyStoresCommandOutput {
  return {
    $metadata: {},
    Truncated: false,
    CustomKeyStores: ids.map((id) => ({
      CustomKeyStoreId: id,
      CustomKeyStoreName: id,
      CustomKeyStoreType: "AWS_CLOUDHSM",
      ConnectionState: "CONNECTED",
    })),
  };
}

function awsError(name: string, status: number): Error {
  return Object.assign(new Error(`${name} says no`), {
    name,
    $metadata: { httpStatusCode: status },
  });
}

function setUp(
  answers: Answer[],
  options: {
    credentials?: () => Promise<unknown>;
    settings?: Partial<JobSettings>;
    now?: () => number;
  } = {},
) {
  const fake = fakePool(answers, options.credentials);
  const state = new StateStore();
  state.setTargets([TARGET]);
  const metrics = createExporterMetrics({ version: "test", revision: "test" });
  const lines: Array<Record<string, unknown>> = [];
  const logger = createLogger("debug", "json", {
    write: (line: string) => lines.push(JSON.parse(line)),
  } as unknown as NodeJS.WritableStream);
  const job = createPollJob({
    pool: fake.pool,
    settings: () => ({
      retry: { maxAttempts: 2, minDelayMs: 1, maxDelayMs: 2 },
      timeoutMs: 2_000,
      maxStalenessMs: undefined,
      maxStoresPerTarget: 10_000,
      stores: undefined,
      enrich: enrich({ intervalMs: 300_000, cloudhsm: false, xks: false }),
      ...options.settings,
    }),
    state,
    enrichment: new EnrichmentStore(),
    metrics,
    logger,
    now: options.now ?? Date.now,
  });
  return { job, fake, state, metrics, lines };
}

/** The level as a word, whether the log format writes it as one or as pino's number. */
const levelName = (level: unknown) =>
  typeof level === "number" ? pino.levels.labels[level] : level;

const run = (job: ReturnType<typeof createPollJob>, target = TARGET) =>
  job(target, new AbortController().signal);

describe("poll job", () => {
  it("records only the stores the filter keeps; the account's own filter replaces the global one", async () => {
    const ids = ["prod-a", "prod-b-sandbox", "dev-c"];
    const global = { include: [/^prod-/], exclude: [/-sandbox$/] };
    const { job, state } = setUp([page(ids), page(ids)], { settings: { stores: global } });
    await run(job);
    expect(state.get(TARGET.key)?.stores?.map((store) => store.id)).toEqual(["prod-a"]);
    ACCOUNT.stores = { include: [/^dev-/] };
    try {
      await run(job);
    } finally {
      delete ACCOUNT.stores;
    }
    expect(state.get(TARGET.key)?.stores?.map((store) => store.id)).toEqual(["dev-c"]);
  });

  it("records the stores, counts the call, and logs each change after the first poll", async () => {
    const failed = page(["cks-2"]);
    const entry = failed.CustomKeyStores?.[0];
    if (entry)
      Object.assign(entry, { ConnectionState: "FAILED", ConnectionErrorCode: "NETWORK_ERRORS" });
    const { job, state, metrics, lines } = setUp([page(["cks-1", "cks-2"]), failed]);
    await run(job);
    const targetState = state.get(TARGET.key);
    expect(targetState?.up).toBe(true);
    expect(targetState?.stores?.map((store) => store.id)).toEqual(["cks-1", "cks-2"]);
    expect((await metrics.apiRequests.get()).values).toEqual([
      {
        labels: {
          account_id: "111111111111",
          region: "us-east-1",
          operation: "DescribeCustomKeyStores",
        },
        value: 1,
      },
    ]);
    // The first snapshot is what the exporter found, not a change.
    expect(lines.filter((line) => "to" in line)).toEqual([]);
    await run(job);
    const changes = lines.filter((line) => "to" in line);
    expect(
      changes.map((line) => [line.custom_key_store_id, line.from, line.to, line.error_code]),
    ).toEqual([
      ["cks-2", "CONNECTED", "FAILED", "NETWORK_ERRORS"],
      ["cks-1", "CONNECTED", "(gone)", null],
    ]);
    expect(changes[0]?.msg).toBe("key store cks-2: CONNECTED -> FAILED (NETWORK_ERRORS)");
  });

  it("does nothing for a target the pool no longer has", async () => {
    const { job, fake, state, metrics, lines } = setUp([page(["cks-1"])]);
    await run(job, { ...TARGET, key: "222222222222/us-east-1", accountId: "222222222222" });
    expect(fake.sent).toHaveLength(0);
    expect(state.get(TARGET.key)?.polled).toBe(false);
    expect((await metrics.pollErrors.get()).values).toEqual([]);
    expect(lines).toEqual([]);
  });

  it("reports a role that cannot be assumed as such, without calling KMS", async () => {
    const denied = async () => {
      throw Object.assign(new Error("not authorized"), {
        name: "AccessDenied",
        $metadata: { httpStatusCode: 403 },
      });
    };
    const { job, fake, state, metrics } = setUp([page([])], { credentials: denied });
    await run(job);
    expect(fake.sent).toHaveLength(0);
    expect(state.get(TARGET.key)?.lastError).toEqual({
      name: "AccessDenied",
      message: "AssumeRole arn:aws:iam::111111111111:role/reader: not authorized",
    });
    expect((await metrics.pollErrors.get()).values[0]?.labels.error).toBe("AccessDenied");
  });

  it("drops a poll whose session was replaced while the role was being assumed", async () => {
    let replace = () => {};
    const { job, fake, state } = setUp([page(["cks-1"])], {
      credentials: async () => {
        replace();
        return {};
      },
    });
    replace = fake.replace;
    await run(job);
    expect(fake.sent).toHaveLength(0);
    expect(state.get(TARGET.key)?.polled).toBe(false);
  });

  it("records nothing when the poll is stopped", async () => {
    const { job, state } = setUp([page(["cks-1"])]);
    const controller = new AbortController();
    controller.abort();
    await job(TARGET, controller.signal);
    expect(state.get(TARGET.key)?.polled).toBe(false);
  });

  it("records a failure, counts it, and warns only when the error starts or changes", async () => {
    const { job, state, metrics, lines } = setUp([
      awsError("AccessDeniedException", 400),
      awsError("AccessDeniedException", 400),
      awsError("KMSInternalException", 500),
      awsError("KMSInternalException", 500),
    ]);
    await run(job);
    await run(job);
    await run(job);
    expect(state.get(TARGET.key)?.up).toBe(false);
    expect(state.get(TARGET.key)?.lastError?.name).toBe("KMSInternalException");
    const failures = lines.filter(
      (line) => line.msg === "target poll failed; keeping its last known stores",
    );
    expect(failures.map((line) => [levelName(line.level), line.error])).toEqual([
      ["warn", "AccessDeniedException"],
      ["debug", "AccessDeniedException"],
      ["warn", "KMSInternalException"],
    ]);
    const errors = (await metrics.pollErrors.get()).values.map((value) => [
      value.labels.error,
      value.value,
    ]);
    expect(errors).toEqual([
      ["AccessDeniedException", 2],
      ["KMSInternalException", 1],
    ]);
  });

  it("logs when a target recovers", async () => {
    const { job, lines } = setUp([awsError("AccessDeniedException", 400), page([])]);
    await run(job);
    await run(job);
    expect(lines.some((line) => line.msg === "target poll succeeded again")).toBe(true);
  });

  it("drops the last known stores once the last success is older than maxStaleness", async () => {
    let nowMs = 1_000_000;
    const { job, state, lines } = setUp(
      [
        page(["cks-1"]),
        awsError("AccessDeniedException", 400),
        awsError("AccessDeniedException", 400),
      ],
      { settings: { maxStalenessMs: 60_000 }, now: () => nowMs },
    );
    await run(job);
    nowMs += 60_000;
    await run(job);
    expect(state.get(TARGET.key)?.stores).toHaveLength(1);
    nowMs += 1;
    await run(job);
    expect(state.get(TARGET.key)?.stores).toBeUndefined();
    expect(lines.filter((line) => String(line.msg).includes("maxStaleness"))).toHaveLength(1);
  });
});

/** A job over one session whose account, credentials, KMS client and limiter a test picks. */
function setUpWith(options: {
  account?: Account;
  credentials?: (() => Promise<unknown>) | undefined;
  send?: (command: unknown, sendOptions: { abortSignal: AbortSignal }) => Promise<unknown>;
  kmsClient?: () => unknown;
  waitedMs?: number;
  inState?: boolean;
  now?: () => number;
  settings?: Partial<JobSettings>;
}) {
  const session = {
    account: options.account ?? ACCOUNT,
    credentials: "credentials" in options ? options.credentials : async () => ({}),
    kmsClient: options.kmsClient ?? (() => ({ send: options.send ?? (async () => page([])) })),
  } as unknown as AccountSession;
  const state = new StateStore();
  if (options.inState !== false) state.setTargets([TARGET]);
  const metrics = createExporterMetrics({ version: "test", revision: "test" });
  const lines: Array<Record<string, unknown>> = [];
  const logger = createLogger("debug", "json", {
    write: (line: string) => lines.push(JSON.parse(line)),
  } as unknown as NodeJS.WritableStream);
  const job = createPollJob({
    pool: {
      session: () => session,
      isCurrent: () => true,
      limiter: () =>
        ({
          acquire: async () => options.waitedMs ?? 0,
          onThrottled: () => {},
        }) as unknown as TargetRateLimiter,
    },
    settings: () => ({
      retry: { maxAttempts: 2, minDelayMs: 1, maxDelayMs: 2 },
      timeoutMs: 2_000,
      maxStalenessMs: undefined,
      maxStoresPerTarget: 10_000,
      stores: undefined,
      enrich: enrich({ intervalMs: 300_000, cloudhsm: false, xks: false }),
      ...options.settings,
    }),
    state,
    enrichment: new EnrichmentStore(),
    metrics,
    logger,
    now: options.now ?? Date.now,
  });
  return { job, state, metrics, lines };
}

const values = async (counter: { get(): Promise<{ values: unknown[] }> }) =>
  (await counter.get()).values;

describe("poll job details", () => {
  it("leaves the default credentials to the KMS client instead of fetching them first", async () => {
    let fetched = 0;
    const { job, state } = setUpWith({
      account: { ...ACCOUNT, roleArn: undefined },
      credentials: async () => {
        fetched++;
        throw new Error("the client resolves these itself");
      },
    });
    await run(job);
    expect(fetched).toBe(0);
    expect(state.get(TARGET.key)?.up).toBe(true);
    const { job: chainJob, state: chainState } = setUpWith({
      account: { ...ACCOUNT, roleArn: undefined },
      credentials: undefined,
    });
    await run(chainJob);
    expect(chainState.get(TARGET.key)?.up).toBe(true);
  });

  it("counts rate-limiter waits in seconds, and no series when nothing waited", async () => {
    const waited = setUpWith({ waitedMs: 250 });
    await run(waited.job);
    expect(await values(waited.metrics.rateLimitWait)).toEqual([
      { labels: { account_id: "111111111111", region: "us-east-1" }, value: 0.25 },
    ]);
    const immediate = setUpWith({ waitedMs: 0 });
    await run(immediate.job);
    expect(await values(immediate.metrics.rateLimitWait)).toEqual([]);
  });

  it("counts a failed attempt by error name and logs it at debug", async () => {
    const answers: Answer[] = [awsError("KMSInternalException", 500), page([])];
    const { job, metrics, lines } = setUpWith({
      send: async () => {
        const answer = answers.shift();
        if (answer instanceof Error) throw answer;
        return answer;
      },
    });
    await run(job);
    const labels = {
      account_id: "111111111111",
      region: "us-east-1",
      operation: "DescribeCustomKeyStores",
    };
    expect(await values(metrics.apiRequestErrors)).toEqual([
      { labels: { ...labels, error: "KMSInternalException" }, value: 1 },
    ]);
    expect(await values(metrics.apiRequests)).toEqual([{ labels, value: 2 }]);
    const attempt = lines.find((line) => line.msg === "API attempt failed");
    expect(attempt).toMatchObject({
      ...labels,
      attempt: 1,
      error: "KMSInternalException",
      retryable: true,
    });
    expect(levelName(attempt?.level)).toBe("debug");
  });

  it("records the poll's duration on success and on failure", async () => {
    let nowMs = 5_000;
    const answers: Answer[] = [page([]), awsError("AccessDeniedException", 400)];
    const { job, state } = setUpWith({
      now: () => nowMs,
      send: async () => {
        nowMs += 120;
        const answer = answers.shift();
        if (answer instanceof Error) throw answer;
        return answer;
      },
    });
    await run(job);
    expect(state.get(TARGET.key)).toMatchObject({ lastSuccessMs: 5_120, lastPollDurationMs: 120 });
    await run(job);
    expect(state.get(TARGET.key)).toMatchObject({ lastSuccessMs: 5_120, lastPollDurationMs: 120 });
    expect(state.get(TARGET.key)?.up).toBe(false);
  });

  it("says a target is back only after it was down", async () => {
    const answers: Answer[] = [page(["cks-1"]), page(["cks-1"]), awsError("X", 400), page([])];
    const { job, lines } = setUpWith({
      send: async () => {
        const answer = answers.shift();
        if (answer instanceof Error) throw answer;
        return answer;
      },
    });
    const back = () => lines.filter((line) => line.msg === "target poll succeeded again");
    await run(job);
    await run(job);
    expect(back()).toEqual([]);
    await run(job);
    await run(job);
    expect(back()).toHaveLength(1);
    expect(back()[0]).toMatchObject({ account_id: "111111111111", region: "us-east-1", stores: 0 });
    expect(levelName(back()[0]?.level)).toBe("info");
  });

  it("records nothing and counts no error when stopped during the KMS call", async () => {
    const controller = new AbortController();
    const { job, state, metrics, lines } = setUpWith({
      send: (_command, { abortSignal }) =>
        new Promise((_resolve, reject) => {
          abortSignal.addEventListener("abort", () => reject(new Error("aborted")));
          controller.abort(new Error("target removed"));
        }),
    });
    await job(TARGET, controller.signal);
    expect(state.get(TARGET.key)?.polled).toBe(false);
    expect(await values(metrics.pollErrors)).toEqual([]);
    expect(lines.filter((line) => line.msg !== "API attempt failed")).toEqual([]);
  });

  it("keeps a failure's message cut to 1,024 characters with its length", async () => {
    const { job, state } = setUp([awsError("x".repeat(2_000), 400)]);
    const huge = Object.assign(new Error("m".repeat(1_000_000)), {
      name: "AccessDeniedException",
      $metadata: { httpStatusCode: 400 },
    });
    const second = setUp([huge]);
    await run(second.job);
    expect(second.state.get(TARGET.key)?.lastError).toEqual({
      name: "AccessDeniedException",
      message: `${"m".repeat(1_024)}… (1000000 characters)`,
    });
    await run(job);
    expect(state.get(TARGET.key)?.lastError?.name).toBe("Other");
  });

  it("records an unexpected error as UnknownError", async () => {
    const { job, state, metrics } = setUpWith({
      kmsClient: () => {
        throw new Error("no client for this region");
      },
    });
    await run(job);
    expect(state.get(TARGET.key)?.lastError).toEqual({
      name: "UnknownError",
      message: "Error: no client for this region",
    });
    expect((await values(metrics.pollErrors)).length).toBe(1);
  });

  it("never rejects, and counts nothing, for a target the state no longer has", async () => {
    const ok = setUpWith({ inState: false });
    await expect(run(ok.job)).resolves.toBeUndefined();
    expect(await values(ok.metrics.pollErrors)).toEqual([]);
    expect(ok.lines.filter((line) => line.msg === "target poll succeeded again")).toEqual([]);
    const failing = setUpWith({
      inState: false,
      settings: { maxStalenessMs: 1 },
      send: async () => {
        throw awsError("AccessDeniedException", 400);
      },
    });
    await expect(run(failing.job)).resolves.toBeUndefined();
    expect(failing.state.get(TARGET.key)).toBeUndefined();
  });

  it("warns when stale stores are dropped, with the time of the last success", async () => {
    let nowMs = Date.UTC(2026, 0, 1);
    const answers: Answer[] = [page(["cks-1"]), awsError("AccessDeniedException", 400)];
    const { job, lines } = setUpWith({
      now: () => nowMs,
      settings: { maxStalenessMs: 1_000 },
      send: async () => {
        const answer = answers.shift();
        if (answer instanceof Error) throw answer;
        return answer;
      },
    });
    await run(job);
    nowMs += 1_001;
    await run(job);
    const dropped = lines.find((line) => String(line.msg).includes("maxStaleness"));
    expect(dropped).toMatchObject({
      account_id: "111111111111",
      region: "us-east-1",
      last_success: "2026-01-01T00:00:00.000Z",
    });
    expect(levelName(dropped?.level)).toBe("warn");
  });

  it.each([
    [20, 0, 20, 0],
    [21, 0, 0, 1],
    [11, 10, 0, 1],
    [10, 10, 20, 0],
  ])(
    "%i new and %i gone stores: %i store lines, %i summary line",
    async (added, removed, perStore, summaries) => {
      const ids = (prefix: string, count: number) =>
        Array.from({ length: count }, (_, index) => `${prefix}-${index}`);
      const first = page([...ids("gone", removed), "failing"]);
      const second = page([...ids("new", added), "failing"]);
      const failing = second.CustomKeyStores?.at(-1);
      if (failing) Object.assign(failing, { ConnectionState: "FAILED" });
      const { job, lines } = setUp([first, second]);
      await run(job);
      await run(job);
      const storeLines = lines.filter((line) => "to" in line);
      const summary = lines.filter((line) => "new" in line && "gone" in line);
      // The state change of a store seen before is always its own line.
      expect(storeLines.filter((line) => line.custom_key_store_id === "failing")).toHaveLength(1);
      expect(storeLines).toHaveLength(perStore + 1);
      expect(summary).toHaveLength(summaries);
      if (summaries === 1) {
        expect(summary[0]).toMatchObject({ new: added, gone: removed, region: "us-east-1" });
        expect(summary[0]?.msg).toBe(
          `${added} key stores new and ${removed} gone in one poll (more than 20: not listed one by one)`,
        );
      }
    },
  );

  it("logs each store change with its error codes, names or ids, and the store's facts", async () => {
    const store = (id: string, name: string, state: string, errorCode?: string) => ({
      CustomKeyStoreId: id,
      CustomKeyStoreName: name,
      CustomKeyStoreType: "EXTERNAL_KEY_STORE",
      ConnectionState: state,
      ...(errorCode ? { ConnectionErrorCode: errorCode } : {}),
    });
    const answers = [
      {
        $metadata: {},
        Truncated: false,
        CustomKeyStores: [store("cks-1", "", "FAILED", "NETWORK_ERRORS")],
      },
      {
        $metadata: {},
        Truncated: false,
        CustomKeyStores: [store("cks-1", "", "CONNECTED"), store("cks-2", "xks", "CONNECTING")],
      },
    ];
    const { job, lines } = setUpWith({ send: async () => answers.shift() });
    await run(job);
    await run(job);
    const changes = lines.filter((line) => "to" in line);
    expect(changes).toEqual([
      expect.objectContaining({
        msg: "key store cks-1: FAILED -> CONNECTED",
        account_id: "111111111111",
        account_name: "payments",
        region: "us-east-1",
        custom_key_store_id: "cks-1",
        custom_key_store_name: "",
        custom_key_store_type: "EXTERNAL_KEY_STORE",
        from: "FAILED",
        to: "CONNECTED",
        error_code: null,
        previous_error_code: "NETWORK_ERRORS",
      }),
      expect.objectContaining({
        msg: "key store xks: (new) -> CONNECTING",
        from: "(new)",
        to: "CONNECTING",
        previous_error_code: null,
      }),
    ]);
    expect(changes.map((line) => levelName(line.level))).toEqual(["info", "info"]);
  });
});
