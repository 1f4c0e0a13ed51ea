import { PassThrough } from "node:stream";
import { describe, expect, it } from "vitest";
import { createLogger } from "../../src/log/logger.js";
import { role, runExporter, waitUntilReady } from "../helpers/exporter.js";
import { FAKE_CREDENTIALS } from "../helpers/simulator.js";
import { until } from "../helpers/wait.js";

const A = "111111111111";
const B = "222222222222";

interface LogLine {
  level: string;
  msg: string;
  [key: string]: unknown;
}

function capture() {
  const stream = new PassThrough();
  let text = "";
  stream.on("data", (chunk: Buffer) => {
    text += chunk.toString();
  });
  return {
    logger: createLogger("debug", "json", stream),
    text: () => text,
    lines: () =>
      text
        .split("\n")
        .filter((line) => line !== "")
        .map((line) => JSON.parse(line) as LogLine),
  };
}

const SCENARIO = `
accounts:
  - id: "${A}"
    regions:
      - region: us-east-1
        stores:
          - id: cks-aaaaaaaaaaaaaaaaa
            name: payments-hsm
            state: CONNECTING
            timeline:
              - {at: 700ms, state: FAILED, errorCode: NETWORK_ERRORS}
          - {id: cks-bbbbbbbbbbbbbbbbb, name: steady, state: CONNECTED}
  - id: "${B}"
    regions:
      - region: us-east-1
        faults: [{kind: access-denied}]
`;

describe("logs", () => {
  it("logs one info line per store state change, one warn per failing target, and no credentials", async () => {
    const logs = capture();
    const { app, simulator } = await runExporter(
      SCENARIO,
      {
        accounts: [{ roleArn: role(A), name: "payments-prod" }, { roleArn: role(B) }],
        // A deadline a loaded machine meets: a timed-out poll of A would log a failure.
        intervalMs: 500,
        timeoutMs: 450,
      },
      logs.logger,
    );
    await waitUntilReady(app);
    const failuresOfB = () =>
      logs
        .lines()
        .filter((line) => line.account_id === B && line.msg.startsWith("target poll failed"));
    // Waits for the log lines themselves: a call counted by the simulator is logged a
    // moment later.
    await until(
      () => logs.lines().some((line) => line.to === "FAILED") && failuresOfB().length >= 4,
      20_000,
      "the FAILED transition and four failures of B logged",
    );

    const changes = logs.lines().filter((line) => line.custom_key_store_id !== undefined);
    expect(changes).toHaveLength(1);
    expect(changes[0]).toMatchObject({
      level: "info",
      account_id: A,
      account_name: "payments-prod",
      region: "us-east-1",
      custom_key_store_id: "cks-aaaaaaaaaaaaaaaaa",
      custom_key_store_name: "payments-hsm",
      from: "CONNECTING",
      to: "FAILED",
      error_code: "NETWORK_ERRORS",
    });

    const failures = failuresOfB();
    expect(failures.length).toBeGreaterThanOrEqual(4);
    // A warn when the failure is new or its error changes (on a loaded machine a call may
    // time out once before the denial), debug while the same error repeats.
    failures.forEach((line, index) => {
      const changed = index === 0 || line.error !== failures[index - 1]?.error;
      expect(line.level, JSON.stringify(line)).toBe(changed ? "warn" : "debug");
    });
    expect(failures.filter((line) => line.level === "debug").length).toBeGreaterThanOrEqual(2);
    expect(failures.at(-1)).toMatchObject({ error: "AccessDeniedException" });

    const issuedKeys = simulator.calls.filter((call) => call.operation === "AssumeRole");
    expect(issuedKeys.length).toBe(2);
    expect(logs.text()).not.toContain(FAKE_CREDENTIALS.secretAccessKey);
    expect(logs.text()).not.toContain(FAKE_CREDENTIALS.accessKeyId);
    expect(logs.text()).not.toMatch(/ASIA[A-Z0-9]{12,}/);
  });

  it("redacts credential fields whatever object carries them", () => {
    const logs = capture();
    logs.logger.info(
      {
        credentials: { secretAccessKey: "s3cr3t" },
        err: { sessionToken: "t0k3n", accessKeyId: "AKIAXXXX" },
        externalId: "ext",
      },
      "x",
    );
    expect(logs.text()).not.toMatch(/s3cr3t|t0k3n|AKIAXXXX|"ext"/);
  });
});
