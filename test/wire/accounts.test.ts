import { describe, expect, it } from "vitest";
import type { Config } from "../../src/config/types.js";
import { role, runExporter, waitUntilReady } from "../helpers/exporter.js";
import { samplesNamed, sampleValue } from "../helpers/exposition.js";
import { until } from "../helpers/wait.js";

const REGIONS = ["us-east-1", "eu-west-1", "ap-south-1"];

function accountId(index: number): string {
  return String(100_000_000_000 + index);
}

/** `count` accounts × 3 regions with one store each; `denied` accounts refuse AssumeRole. */
function fleetScenario(count: number, denied: number[] = []): string {
  const accounts = Array.from({ length: count }, (_, index) => {
    const regions = REGIONS.map(
      (region) =>
        `      - region: ${region}\n        stores: [{id: cks-${String(index).padStart(17, "0")}, name: s${index}, state: CONNECTED}]`,
    ).join("\n");
    return `  - id: "${accountId(index)}"\n    name: acct-${index}\n${denied.includes(index) ? "    denyAssumeRole: true\n" : ""}    regions:\n${regions}`;
  });
  return `accounts:\n${accounts.join("\n")}\n`;
}

function fleetConfig(count: number): Partial<Config> {
  return {
    // Rounds short enough for several per test, with a deadline that a loaded machine's
    // AssumeRole (over a second with 16 in flight and both cores busy) still meets: a
    // timed-out AssumeRole would be assumed again, and the counts below are exact.
    intervalMs: 3_000,
    timeoutMs: 3_000,
    concurrency: 16,
    regions: REGIONS,
    accounts: Array.from({ length: count }, (_, index) => ({
      roleArn: role(accountId(index)),
      externalId: `ext-${index}`,
      name: `acct-${index}`,
    })),
  };
}

describe("many accounts through assumed roles", () => {
  it("assumes each role once, shares it across regions, and again only after expiry", async () => {
    let skewMs = 0;
    const { app, simulator } = await runExporter(fleetScenario(50), fleetConfig(50), undefined, {
      now: () => Date.now() + skewMs,
    });
    await waitUntilReady(app, 60_000);
    const describes = () => simulator.callCount({ operation: "DescribeCustomKeyStores" });
    const assumes = () => simulator.callCount({ operation: "AssumeRole" });
    // Ready is the first round's end; on a busy machine a target may still be on its way.
    await until(() => describes() >= 150);
    expect(assumes()).toBe(50);
    const assumed = new Set(
      simulator.calls.filter((call) => call.operation === "AssumeRole").map((call) => call.roleArn),
    );
    expect(assumed.size).toBe(50);
    // The external id of every account reached STS.
    const externalIds = simulator.calls
      .filter((call) => call.operation === "AssumeRole")
      .map((call) => call.externalId);
    expect(new Set(externalIds)).toEqual(
      new Set(Array.from({ length: 50 }, (_, index) => `ext-${index}`)),
    );

    // Three more rounds with valid credentials: no new AssumeRole.
    const afterFirst = describes();
    await until(() => describes() >= afterFirst + 3 * 150, 60_000, "three more rounds");
    expect(assumes()).toBe(50);

    // Past expiry (sessions last 1 h): exactly one new AssumeRole per account.
    skewMs = 2 * 3_600_000;
    const atExpiry = describes();
    await until(() => describes() >= atExpiry + 2 * 150, 60_000, "two rounds past expiry");
    expect(assumes()).toBe(100);
  }, 180_000);

  it("keeps the other 49 accounts fully up when one role is denied", async () => {
    const { app, scrape } = await runExporter(fleetScenario(50, [7]), {
      ...fleetConfig(50),
      intervalMs: 10_000,
      timeoutMs: 2_000,
    });
    await waitUntilReady(app);
    const samples = await scrape();
    const up = samplesNamed(samples, "kms_keystore_exporter_target_up");
    expect(up).toHaveLength(150);
    const down = up
      .filter((sample) => sample.value === 0)
      .map((sample) => sample.labels.account_id);
    expect(down).toEqual([accountId(7), accountId(7), accountId(7)]);
    expect(samplesNamed(samples, "aws_kms_custom_key_store_info")).toHaveLength(49 * 3);
    const assumeErrors = samplesNamed(samples, "kms_keystore_exporter_api_request_errors_total", {
      operation: "AssumeRole",
    });
    expect(assumeErrors.map((sample) => [sample.labels.account_id, sample.labels.error])).toEqual([
      [accountId(7), "AccessDenied"],
    ]);
    // Its three regions shared one failed call in the first round.
    expect(assumeErrors[0]?.value).toBe(1);
    expect(app.state.get(`${accountId(7)}/us-east-1`)?.lastError?.name).toBe("AccessDenied");
    expect(samplesNamed(samples, "kms_keystore_exporter_account_info")).toHaveLength(50);
    expect(
      sampleValue(samples, "kms_keystore_exporter_account_info", { account_id: accountId(3) }),
    ).toBe(1);
    expect(
      samplesNamed(samples, "kms_keystore_exporter_account_info", { account_name: "acct-3" }),
    ).toHaveLength(1);
  });
});
