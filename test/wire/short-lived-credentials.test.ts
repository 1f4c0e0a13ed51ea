import { describe, expect, it } from "vitest";
import { createLogger } from "../../src/log/logger.js";
import { role, runExporter, waitUntilReady } from "../helpers/exporter.js";
import { sampleValue } from "../helpers/exposition.js";
import { until } from "../helpers/wait.js";

const A = "111111111111";
const PAGES = 5;

/** One account whose AssumeRole answers are bent by `fault`; five one-store pages a poll. */
function scenario(fault: string): string {
  const stores = Array.from(
    { length: PAGES },
    (_, index) => `{id: cks-${String(index).padStart(17, "0")}, name: s${index}, state: CONNECTED}`,
  ).join(", ");
  return `accounts:
  - id: "${A}"
    assumeRoleFault: ${fault}
    regions:
      - region: us-east-1
        pageSize: 1
        stores: [${stores}]
`;
}

// Deadlines a loaded machine meets: a timed-out poll would leave the target down.
const CONFIG = { accounts: [{ roleArn: role(A) }], intervalMs: 600, timeoutMs: 550 };

function capture() {
  const lines: Array<Record<string, unknown>> = [];
  const logger = createLogger("info", "json", {
    write: (line: string) => lines.push(JSON.parse(line)),
  } as unknown as NodeJS.WritableStream);
  return { lines, logger };
}

describe("credentials STS should never hand out", () => {
  it("short-lived: used for the poll, fetched again at most once per poll, one warning", async () => {
    const { lines, logger } = capture();
    const { app, simulator } = await runExporter(scenario("short-lived"), CONFIG, logger);
    await waitUntilReady(app);
    const describes = () => simulator.callCount({ operation: "DescribeCustomKeyStores" });
    await until(() => describes() >= PAGES * 5);
    const polls = Math.ceil(describes() / PAGES);
    expect(simulator.callCount({ operation: "AssumeRole" })).toBeLessThanOrEqual(polls);
    expect(app.state.get(`${A}/us-east-1`)?.up).toBe(true);
    const warnings = lines.filter((line) => String(line.msg).includes("shorter than the refresh"));
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatchObject({ role_arn: role(A), refresh_window_seconds: 300 });
  });

  it("expired: the poll fails as ExpiredToken without calling KMS, and STS is not looped", async () => {
    const { app, simulator, scrape } = await runExporter(scenario("expired"), CONFIG);
    await waitUntilReady(app);
    await until(
      async () =>
        (sampleValue(await scrape(), "kms_keystore_exporter_target_poll_errors_total", {
          account_id: A,
          error: "ExpiredToken",
        }) ?? 0) >= 3,
    );
    const failedPolls = sampleValue(
      await scrape(),
      "kms_keystore_exporter_target_poll_errors_total",
      { account_id: A, error: "ExpiredToken" },
    );
    expect(simulator.callCount({ operation: "DescribeCustomKeyStores" })).toBe(0);
    expect(simulator.callCount({ operation: "AssumeRole" })).toBeLessThanOrEqual(
      (failedPolls ?? 0) + 1,
    );
  });

  it("a 1 MiB AccessKeyId: an invalid response naming the limit, never sent to KMS", async () => {
    const { app, simulator } = await runExporter(scenario("huge-access-key-id"), CONFIG);
    await waitUntilReady(app);
    const lastError = app.state.get(`${A}/us-east-1`)?.lastError;
    expect(lastError?.name).toBe("InvalidResponse");
    expect(lastError?.message).toContain("AccessKeyId length limit: 1048580 characters");
    expect(lastError?.message.length).toBeLessThan(1_000);
    expect(simulator.callCount({ operation: "DescribeCustomKeyStores" })).toBe(0);
  });
});
