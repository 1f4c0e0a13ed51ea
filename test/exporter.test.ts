import { describe, expect, it } from "vitest";
import type { Config } from "../src/config/types.js";
import { EnrichmentStore } from "../src/enrichment/state.js";
import { Exporter } from "../src/exporter.js";
import { createLogger } from "../src/log/logger.js";
import { createExporterMetrics } from "../src/metrics/exporter-metrics.js";
import { StateStore } from "../src/state/state.js";
import { role, runExporter, testConfig, waitUntilReady } from "./helpers/exporter.js";
import { FAKE_CREDENTIALS, simulate } from "./helpers/simulator.js";
import { until } from "./helpers/wait.js";

const [A, B] = ["111111111111", "222222222222"];

// B's KMS never answers: its first poll stays in flight for the whole test.
const SCENARIO = `
accounts:
  - id: "${A}"
    regions:
      - region: us-east-1
        stores: [{id: cks-a, name: a, state: CONNECTED}]
  - id: "${B}"
    regions:
      - region: us-east-1
        stores: [{id: cks-b, name: b, state: CONNECTED}]
        faults: [{kind: hang}]
`;

describe("Exporter", () => {
  it("stays ready when a reload adds a target that has not been polled yet", async () => {
    let next: () => Config = () => testConfig({ accounts: [{ roleArn: role(A) }] });
    const { app, simulator } = await runExporter(SCENARIO, next(), undefined, {
      loadConfig: () => next(),
    });
    await waitUntilReady(app);
    next = () =>
      testConfig({ timeoutMs: 20_000, accounts: [{ roleArn: role(A) }, { roleArn: role(B) }] });
    expect(app.reload()).toEqual({ ok: true });
    await until(
      () => simulator.callCount({ operation: "DescribeCustomKeyStores", accountId: B }) > 0,
    );
    expect(app.state.get(`${B}/us-east-1`)?.polled).toBe(false);
    expect(app.exporter.ready()).toBe(true);
    const readyz = await fetch(`${app.url}/readyz`);
    expect(readyz.status).toBe(200);
  });

  it("is not ready while a first poll is still running", async () => {
    const { app, simulator } = await runExporter(
      SCENARIO,
      testConfig({ timeoutMs: 20_000, accounts: [{ roleArn: role(A) }, { roleArn: role(B) }] }),
    );
    await until(
      () => simulator.callCount({ operation: "DescribeCustomKeyStores", accountId: B }) > 0,
    );
    await until(() => app.state.get(`${A}/us-east-1`)?.polled === true);
    expect(app.exporter.ready()).toBe(false);
    expect((await fetch(`${app.url}/readyz`)).status).toBe(503);
  });

  it("follows a reload that changes an account's role and interval", async () => {
    const simulator = await simulate(SCENARIO);
    const state = new StateStore();
    const metrics = createExporterMetrics({ version: "t", revision: "t" });
    const config = testConfig({ intervalMs: 200, accounts: [{ roleArn: role(A) }] });
    const exporter = new Exporter({
      config,
      aws: {
        endpoint: simulator.url,
        baseCredentials: async () => FAKE_CREDENTIALS,
        connectTimeoutMs: 1_000,
        requestTimeoutMs: 5_000,
      },
      state,
      enrichment: new EnrichmentStore(),
      metrics,
      logger: createLogger("silent", "json"),
    });
    exporter.start();
    try {
      await until(() => exporter.ready());
      expect((await metrics.pollInterval.get()).values[0]?.value).toBe(0.2);
      const otherRole = `arn:aws:iam::${A}:role/another-reader`;
      exporter.reload(testConfig({ intervalMs: 300, accounts: [{ roleArn: otherRole }] }));
      expect((await metrics.pollInterval.get()).values[0]?.value).toBe(0.3);
      await until(() =>
        simulator.calls.some(
          (call) => call.operation === "AssumeRole" && call.roleArn === otherRole,
        ),
      );
      const describesBefore = simulator.callCount({ operation: "DescribeCustomKeyStores" });
      await until(
        () => simulator.callCount({ operation: "DescribeCustomKeyStores" }) > describesBefore,
      );
      const roles = simulator.calls
        .filter((call) => call.operation === "AssumeRole")
        .map((call) => call.roleArn);
      expect(new Set(roles)).toEqual(new Set([role(A), otherRole]));
      // After the switch every AssumeRole is for the new role: the old session is gone.
      expect(roles.slice(roles.indexOf(otherRole))).not.toContain(role(A));
      expect(state.get(`${A}/us-east-1`)?.up).toBe(true);
    } finally {
      await exporter.stop();
    }
  });
});
