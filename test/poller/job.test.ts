import type { DescribeCustomKeyStoresCommandOutput } from "@aws-sdk/client-kms";
import { pino } from "pino";
import { describe, expect, it } from "vitest";
import { TargetRateLimiter } from "../../src/aws/rate-limit.js";
import type { AccountSession } from "../../src/aws/sessions.js";
import { createLogger } from "../../src/log.js";
import { createExporterMetrics } from "../../src/metrics/exporter-metrics.js";
import { type Account, type Target, targetKey } from "../../src/model.js";
import { createPollJob, type JobSettings } from "../../src/poller/job.js";
import { EnrichmentStore } from "../../src/state/enrichment.js";
import { StateStore } from "../../src/state/state.js";

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
      stores: undefined,
      enrich: { cloudhsm: false, xks: false },
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
    const { job, fake, state } = setUp([page(["cks-1"])]);
    await run(job, { ...TARGET, key: "222222222222/us-east-1", accountId: "222222222222" });
    expect(fake.sent).toHaveLength(0);
    expect(state.get(TARGET.key)?.polled).toBe(false);
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
