import { describe, expect, it } from "vitest";
import type { Config } from "../src/config/types.js";
import { role, runExporter, testConfig, waitUntilReady } from "./helpers/exporter.js";
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
});
