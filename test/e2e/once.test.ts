import { execFile } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import type { StatusReport } from "../../src/status/report.js";
import { CLI, startCli, waitForReady } from "../helpers/cli.js";
import { FAKE_CREDENTIALS, simulate } from "../helpers/simulator.js";
import { toolOrSkipReason } from "../helpers/tools.js";

const execFileAsync = promisify(execFile);
const A = "111111111111";
const B = "222222222222";

function scenario(stores: { a: string; b: string }, bFaults = ""): string {
  return `
accounts:
  - id: "${A}"
    regions:
      - region: us-east-1
        stores:
          - {id: cks-aaaaaaaaaaaaaaaaa, name: "a \\"one\\"", state: CONNECTED}
          - ${stores.a}
  - id: "${B}"
    regions:
      - region: eu-west-1
        ${bFaults}
        stores:
          - ${stores.b}
`;
}

const CONNECTED = {
  a: "{id: cks-bbbbbbbbbbbbbbbbb, name: b, state: CONNECTED}",
  b: "{id: cks-ccccccccccccccccc, name: c, state: CONNECTED}",
};
const DISCONNECTED = {
  ...CONNECTED,
  b: "{id: cks-ccccccccccccccccc, name: c, state: DISCONNECTED}",
};
const FAILED = {
  ...CONNECTED,
  a: "{id: cks-bbbbbbbbbbbbbbbbb, name: b, state: FAILED, errorCode: USER_LOCKED_OUT}",
};

function configFile(): string {
  const dir = mkdtempSync(join(tmpdir(), "kms-exporter-once-"));
  const path = join(dir, "config.yml");
  writeFileSync(
    path,
    `interval: 10s
timeout: 3s
retry: {maxAttempts: 2, minDelay: 10ms, maxDelay: 50ms}
accounts:
  - {roleArn: "arn:aws:iam::${A}:role/kms-keystore-exporter-reader", name: payments, regions: [us-east-1]}
  - {roleArn: "arn:aws:iam::${B}:role/kms-keystore-exporter-reader", regions: [eu-west-1]}
`,
  );
  return path;
}

function awsEnv(endpoint: string): NodeJS.ProcessEnv {
  return {
    AWS_ENDPOINT_URL: endpoint,
    AWS_ACCESS_KEY_ID: FAKE_CREDENTIALS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: FAKE_CREDENTIALS.secretAccessKey,
    AWS_REGION: "us-east-1",
    AWS_CONFIG_FILE: "/dev/null",
    AWS_SHARED_CREDENTIALS_FILE: "/dev/null",
    AWS_EC2_METADATA_DISABLED: "true",
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true",
  };
}

/** The built CLI with stdout and stderr piped (not a terminal), as a CI job runs it. */
async function once(args: string[], env: NodeJS.ProcessEnv = {}) {
  try {
    const { stdout, stderr } = await execFileAsync(process.execPath, [CLI, ...args], {
      env: { ...process.env, ...env },
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}

async function onceAgainst(yaml: string, ...flags: string[]) {
  const simulator = await simulate(yaml);
  const result = await once(
    ["--once", `--config.file=${configFile()}`, ...flags],
    awsEnv(simulator.url),
  );
  // Piped: the result and nothing else; no progress, no log line.
  expect(result.stderr).toBe("");
  return result;
}

/** The report without what moves from one moment to the next. */
function stable(report: StatusReport): unknown {
  return {
    ...report,
    generatedAt: undefined,
    summary: { ...report.summary, lastSuccess: undefined, oldestSuccess: undefined },
    stores: report.stores.map((store) => ({
      ...store,
      stateSince: undefined,
      stateSeconds: undefined,
    })),
    targets: report.targets.map((target) => ({
      ...target,
      lastSuccess: undefined,
      lastSuccessSeconds: undefined,
      pollDurationSeconds: undefined,
    })),
  };
}

describe("--once", () => {
  it("exits 0 when every store is CONNECTED, with a table and no progress when piped", async () => {
    const { code, stdout } = await onceAgainst(scenario(CONNECTED));
    expect(code).toBe(0);
    expect(stdout).toBe("3 stores: 3 CONNECTED\n2 targets: 2 up\n");
  });

  it("exits 1 for a FAILED store, with --allow-disconnected too, and explains its code", async () => {
    const { code, stdout } = await onceAgainst(scenario(FAILED));
    expect(code).toBe(1);
    expect(stdout).toMatch(
      /^✖ FAILED +payments 111111111111 +us-east-1 +b +cks-b+ +USER_LOCKED_OUT$/m,
    );
    expect(stdout).toContain("USER_LOCKED_OUT: The kmsuser crypto user is locked out");
    expect(stdout).toContain("What to do: Disconnect;");
    expect((await onceAgainst(scenario(FAILED), "--allow-disconnected")).code).toBe(1);
  });

  it("exits 1 for a DISCONNECTED store, and 0 with --allow-disconnected", async () => {
    const strict = await onceAgainst(scenario(DISCONNECTED));
    expect(strict.code).toBe(1);
    expect(strict.stdout).toMatch(/^○ DISCONNECTED +222222222222 +eu-west-1 +c /m);
    expect((await onceAgainst(scenario(DISCONNECTED), "--allow-disconnected")).code).toBe(0);
  });

  it("exits 3 when a target cannot be polled, naming its error", async () => {
    const { code, stdout } = await onceAgainst(
      scenario(CONNECTED, "faults: [{kind: access-denied}]"),
    );
    expect(code).toBe(3);
    expect(stdout).toContain("2 targets: 1 up, 1 down");
    expect(stdout).toMatch(/^222222222222 +eu-west-1 +down +0 +[\d.]+ s +AccessDeniedException: /m);
  });

  it("exits 3, with the error on stderr, when the default credentials' account cannot be found", async () => {
    const dir = mkdtempSync(join(tmpdir(), "kms-exporter-once-"));
    writeFileSync(join(dir, "config.yml"), "interval: 10s\ntimeout: 1s\nregions: [us-east-1]\n");
    // Nothing listens on port 9 of the loopback: STS cannot be reached.
    const { code, stdout, stderr } = await once(
      ["--once", `--config.file=${join(dir, "config.yml")}`],
      awsEnv("http://127.0.0.1:9"),
    );
    expect(code).toBe(3);
    expect(stdout).toContain("Not every target could be polled in time");
    expect(stderr).toContain("cannot find the account of the default credentials");
  });

  it("exits 1 rather than 3 when a store is FAILED and a target is down", async () => {
    const { code } = await onceAgainst(scenario(FAILED, "faults: [{kind: access-denied}]"));
    expect(code).toBe(1);
  });

  it("exits 2 for a bad config or a bad --output, before calling AWS", async () => {
    const simulator = await simulate(scenario(CONNECTED));
    const env = awsEnv(simulator.url);
    const badOutput = await once(["--once", "--output=xml", `--config.file=${configFile()}`], env);
    expect(badOutput.code).toBe(2);
    expect(badOutput.stderr).toContain("--output=xml: the output is table or json");
    const outputWithoutOnce = await once(["--output=json", `--config.file=${configFile()}`], env);
    expect(outputWithoutOnce.code).toBe(2);
    expect(outputWithoutOnce.stderr).toContain("--output applies only with --once");
    const dir = mkdtempSync(join(tmpdir(), "kms-exporter-once-"));
    writeFileSync(join(dir, "bad.yml"), "interval: often\n");
    const badFile = await once(["--once", `--config.file=${join(dir, "bad.yml")}`], env);
    expect(badFile.code).toBe(2);
    expect(badFile.stderr).toContain("interval");
    expect(badFile.stdout).toBe("");
    expect(simulator.calls).toHaveLength(0);
  });

  it("prints with --output=json what /status.json serves for the same stores", async () => {
    const simulator = await simulate(scenario(FAILED));
    const env = awsEnv(simulator.url);
    const { code, stdout, stderr } = await once(
      ["--once", "--output=json", `--config.file=${configFile()}`],
      env,
    );
    expect(stderr).toBe("");
    expect(code).toBe(1);
    const cli = await startCli([`--config.file=${configFile()}`], env);
    await waitForReady(cli.url);
    const served = (await (await fetch(`${cli.url}/status.json`)).json()) as StatusReport;
    const printed = JSON.parse(stdout) as StatusReport;
    expect(printed.stores).toHaveLength(3);
    expect(stable(printed)).toEqual(stable(served));
  });

  const script = toolOrSkipReason("script");
  it.skipIf("skip" in script)("shows progress on a terminal", async () => {
    const simulator = await simulate(scenario(CONNECTED));
    // script(1) runs the CLI on a pseudo-terminal, as a person at a shell would.
    const command = `${process.execPath} ${CLI} --once --config.file=${configFile()}`;
    const { stdout } = await execFileAsync(
      (script as { path: string }).path,
      ["-qec", command, "/dev/null"],
      {
        env: { ...process.env, ...awsEnv(simulator.url) },
      },
    );
    expect(stdout).toContain("polled 2/2 targets");
    expect(stdout).toContain("3 stores: 3 CONNECTED");
  });
});
