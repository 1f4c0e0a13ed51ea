import { describe, expect, it } from "vitest";
import { role, runExporter, waitUntilReady } from "../helpers/exporter.js";
import { samplesNamed } from "../helpers/exposition.js";
import { until } from "../helpers/wait.js";

const A = "111111111111";

function scenario(faults: string): string {
  return `accounts:
  - id: "${A}"
    regions:
      - region: us-east-1
        stores: [{id: cks-00000000000000001, name: a, state: CONNECTED}]
        faults: ${faults}
`;
}

// Short rounds for 40 errors, with a deadline a healthy call on a loaded machine meets.
const CONFIG = { accounts: [{ roleArn: role(A) }], intervalMs: 300, timeoutMs: 280 };

/** The `error` label values of one family for account A. */
async function errorLabels(scrape: () => Promise<ReturnType<typeof samplesNamed>>, family: string) {
  return samplesNamed(await scrape(), family)
    .filter((sample) => sample.labels.account_id === A)
    .map((sample) => sample.labels.error);
}

describe("error label values", () => {
  it("40 distinct error names make at most 32 series per family, the rest Other", async () => {
    const calls = Array.from({ length: 40 }, (_, index) => index + 2).join(", ");
    const { app, simulator, scrape } = await runExporter(
      scenario(`[{kind: distinct-error-names, calls: [${calls}]}]`),
      CONFIG,
    );
    await waitUntilReady(app);
    await until(() => simulator.callCount({ operation: "DescribeCustomKeyStores" }) >= 42);
    await until(async () => app.state.get(`${A}/us-east-1`)?.up === true);
    for (const family of [
      "kms_keystore_exporter_api_request_errors_total",
      "kms_keystore_exporter_target_poll_errors_total",
    ]) {
      const labels = await errorLabels(scrape, family);
      // A timeout on a busy machine may take a slot of its own; the bound holds all the same.
      expect(labels.length).toBeLessThanOrEqual(33);
      expect(labels).toContain("Other");
      expect(labels).toContain("Strange2Exception");
      expect(labels.filter((label) => label?.startsWith("Strange")).length).toBeGreaterThan(25);
    }
  });

  it("a 64 KiB error name is counted and logged as Other", async () => {
    const { app, scrape } = await runExporter(
      scenario("[{kind: huge-error-name, calls: [2]}]"),
      // Room for the 1 MiB answer to arrive on a busy machine.
      { ...CONFIG, intervalMs: 500, timeoutMs: 450 },
    );
    await waitUntilReady(app);
    await until(async () =>
      (await errorLabels(scrape, "kms_keystore_exporter_target_poll_errors_total")).includes(
        "Other",
      ),
    );
    const samples = await scrape();
    const longest = Math.max(
      ...samples.flatMap((sample) => Object.values(sample.labels).map((value) => value.length)),
    );
    expect(longest).toBeLessThan(300);
  });
});
