import { describe, expect, it } from "vitest";
import { role, runExporter } from "../helpers/exporter.js";
import { sampleValue } from "../helpers/exposition.js";
import { until } from "../helpers/wait.js";

const A = "111111111111";

describe("stores per target", () => {
  it("200,000 stores: an InvalidResponse naming the cap, read no further than the cap", async () => {
    const { app, simulator, scrape } = await runExporter(
      `accounts:
  - id: "${A}"
    regions:
      - region: us-east-1
        generate: {count: 200000}
`,
      { accounts: [{ roleArn: role(A) }], intervalMs: 60_000, timeoutMs: 20_000 },
    );
    // The simulator makes its 200,000 stores at the first call, blocking this process for a
    // while: wait on the state, not on HTTP, whose keep-alive sockets may close meanwhile.
    await until(() => app.state.get(`${A}/us-east-1`)?.polled === true, 60_000);
    expect(app.state.get(`${A}/us-east-1`)?.lastError).toEqual({
      name: "InvalidResponse",
      message: "stores per target limit: more than 10000 stores (maxStoresPerTarget)",
    });
    // Ten pages of 1,000 fit; the eleventh goes past the cap and ends the poll.
    expect(simulator.callCount({ operation: "DescribeCustomKeyStores" })).toBe(11);
    const samples = await scrape();
    expect(sampleValue(samples, "kms_keystore_exporter_target_up", { account_id: A })).toBe(0);
  });
});
