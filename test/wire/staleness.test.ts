import { describe, expect, it } from "vitest";
import { role, runExporter, waitUntilReady } from "../helpers/exporter.js";
import { samplesNamed, sampleValue } from "../helpers/exposition.js";
import { until } from "../helpers/wait.js";

const A = "111111111111";
const calls = Array.from({ length: 500 }, (_, index) => index + 2).join(", ");

describe("maxStaleness", () => {
  it("keeps a failing target's stores until maxStaleness, then drops them", async () => {
    // The exporter's clock stands still unless the test moves it.
    let nowMs = Date.now();
    const { app, simulator, scrape } = await runExporter(
      `accounts:
  - id: "${A}"
    regions:
      - region: us-east-1
        stores: [{id: cks-aaaaaaaaaaaaaaaaa, name: a, state: FAILED, errorCode: NETWORK_ERRORS}]
        faults: [{kind: access-denied, calls: [${calls}]}]
`,
      { accounts: [{ roleArn: role(A) }], intervalMs: 500, timeoutMs: 450, maxStalenessMs: 1_000 },
      undefined,
      { now: () => nowMs },
    );
    const polls = () => simulator.callCount({ operation: "DescribeCustomKeyStores" });
    await waitUntilReady(app);
    await until(() => app.state.get(`${A}/us-east-1`)?.up === false);
    const down = await scrape();
    expect(samplesNamed(down, "aws_kms_custom_key_store_info")).toHaveLength(1);
    const lastSuccess = app.state.get(`${A}/us-east-1`)?.lastSuccessMs ?? 0;
    // Failed polls exactly maxStaleness after the last success still keep the stores.
    nowMs = lastSuccess + 1_000;
    const before = polls();
    await until(() => polls() >= before + 3);
    expect(samplesNamed(await scrape(), "aws_kms_custom_key_store_info")).toHaveLength(1);
    // One millisecond later, the next failed poll drops them.
    nowMs += 1;
    await until(
      async () => samplesNamed(await scrape(), "aws_kms_custom_key_store_info").length === 0,
    );
    const dropped = await scrape();
    expect(samplesNamed(dropped, "aws_kms_custom_key_store_connection_state")).toEqual([]);
    // The target itself still reports that it is down, and since when it has no data.
    expect(sampleValue(dropped, "kms_keystore_exporter_target_up", { account_id: A })).toBe(0);
    expect(
      sampleValue(dropped, "kms_keystore_exporter_target_last_success_timestamp_seconds", {
        account_id: A,
      }),
    ).toBe(lastSuccess / 1000);
  });
});
