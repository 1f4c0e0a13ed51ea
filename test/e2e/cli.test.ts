import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { DEMO_SCENARIO_PATH } from "../../src/demo.js";
import { VERSION } from "../../src/package/version.js";
import { parseScenario } from "../../src/simulator/index.js";
import { runCli, startCli, waitForReady } from "../helpers/cli.js";
import { parseExposition, samplesNamed } from "../helpers/exposition.js";

const STORE_FAMILIES = [
  "aws_kms_custom_key_store_info",
  "aws_kms_custom_key_store_connection_state",
  "aws_kms_custom_key_store_connection_error",
  "aws_kms_custom_key_store_creation_timestamp_seconds",
  "aws_kms_custom_key_store_state_changes_total",
  "aws_kms_custom_key_store_state_since_timestamp_seconds",
];
const EXPORTER_FAMILIES = [
  "kms_keystore_exporter_target_up",
  "kms_keystore_exporter_target_last_success_timestamp_seconds",
  "kms_keystore_exporter_target_poll_duration_seconds",
  "kms_keystore_exporter_api_requests_total",
  "kms_keystore_exporter_build_info",
  "kms_keystore_exporter_account_info",
  "kms_keystore_exporter_poll_interval_seconds",
  "process_resident_memory_bytes",
  "nodejs_eventloop_lag_seconds",
];

/** The demo's stores that are FAILED from the start and never change. */
function demoFailedStoreIds(): string[] {
  const scenario = parseScenario(readFileSync(DEMO_SCENARIO_PATH, "utf8"));
  return scenario.accounts
    .flatMap((account) => account.regions.flatMap((region) => region.stores ?? []))
    .filter((store) => store.state === "FAILED" && (store.timeline ?? []).length === 0)
    .map((store) => store.id)
    .sort();
}

describe("the built CLI", () => {
  it("runs the demo: ready, every contract metric, the demo's FAILED stores, then exit 0 on SIGTERM", async () => {
    const cli = await startCli(["--demo"]);
    await waitForReady(cli.url);
    const response = await fetch(`${cli.url}/metrics`);
    expect(response.headers.get("content-type")).toBe("text/plain; version=0.0.4; charset=utf-8");
    const text = await response.text();
    const samples = parseExposition(text);
    for (const family of [...STORE_FAMILIES, ...EXPORTER_FAMILIES]) {
      expect(samplesNamed(samples, family).length, family).toBeGreaterThan(0);
    }
    expect(text).toContain("# TYPE kms_keystore_exporter_api_request_errors_total counter");
    expect(samplesNamed(samples, "kms_keystore_exporter_target_up")).toHaveLength(6);
    expect(samplesNamed(samples, "kms_keystore_exporter_build_info")[0]?.labels.version).toBe(
      VERSION,
    );

    const failed = samplesNamed(samples, "aws_kms_custom_key_store_connection_state", {
      state: "FAILED",
    })
      .filter((sample) => sample.value === 1)
      .map((sample) => sample.labels.custom_key_store_id)
      .sort();
    expect(failed).toEqual(demoFailedStoreIds());
    const errorCodes = new Set(
      samplesNamed(samples, "aws_kms_custom_key_store_connection_error").map(
        (sample) => sample.labels.error_code,
      ),
    );
    expect(errorCodes.size).toBeGreaterThanOrEqual(2);
    const types = new Set(
      samplesNamed(samples, "aws_kms_custom_key_store_info").map(
        (sample) => sample.labels.custom_key_store_type,
      ),
    );
    expect([...types].sort()).toEqual(["AWS_CLOUDHSM", "EXTERNAL_KEY_STORE"]);
    const states = new Set(
      samplesNamed(samples, "aws_kms_custom_key_store_connection_state")
        .filter((sample) => sample.value === 1)
        .map((sample) => sample.labels.state),
    );
    expect([...states].sort()).toEqual([
      "CONNECTED",
      "CONNECTING",
      "DISCONNECTED",
      "DISCONNECTING",
      "FAILED",
    ]);

    cli.child.kill("SIGTERM");
    const { code } = await cli.exit;
    expect(code).toBe(0);
    expect(cli.stdout()).toContain('"msg":"stopped"');
    expect(cli.stdout()).not.toMatch(/secretAccessKey|SessionToken|fake\/secret/i);
  });

  it("exits 0 on SIGINT as well", async () => {
    const cli = await startCli(["--demo"]);
    cli.child.kill("SIGINT");
    expect((await cli.exit).code).toBe(0);
  });

  it("exits 2 with one message naming the key for a bad config", async () => {
    const dir = mkdtempSync(join(tmpdir(), "kms-exporter-"));
    const file = join(dir, "config.yml");
    writeFileSync(file, "interval: 1.5m\nregions: [us-east-1]\nconcurrency: 0\nbogus: 1\n");
    const result = await runCli([`--config.file=${file}`]);
    expect(result.code).toBe(2);
    const lines = result.stderr.trim().split("\n");
    expect(lines).toHaveLength(3);
    expect(result.stderr).toMatch(/interval: "1.5m" is not a duration/);
    expect(result.stderr).toMatch(/concurrency: 0 is too small: must be at least 1/);
    expect(result.stderr).toMatch(/bogus: unknown key/);
  });

  it("--config.check prints what would be polled and exits 0, or 2 for a bad file", async () => {
    const dir = mkdtempSync(join(tmpdir(), "kms-exporter-"));
    const good = join(dir, "good.yml");
    writeFileSync(
      good,
      [
        "regions: [us-east-1, eu-west-1]",
        "accounts:",
        "  - roleArn: arn:aws:iam::111111111111:role/reader",
        "    name: payments-prod",
        "  - roleArn: arn:aws:iam::222222222222:role/reader",
        "    regions: [ap-south-1]",
        "",
      ].join("\n"),
    );
    const result = await runCli([`--config.file=${good}`, "--config.check"]);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(
      "111111111111 (payments-prod) via arn:aws:iam::111111111111:role/reader: us-east-1, eu-west-1",
    );
    expect(result.stdout).toContain(
      "222222222222 via arn:aws:iam::222222222222:role/reader: ap-south-1",
    );
    expect(result.stdout).toContain("targets (accounts × regions): 3");
    const bad = join(dir, "bad.yml");
    writeFileSync(bad, "regions: []\n");
    const rejected = await runCli([`--config.file=${bad}`, "--config.check"]);
    expect(rejected.code).toBe(2);
    expect(rejected.stderr).toContain("regions: the region list is empty");
  });

  it("exits 2 on an unknown flag, 0 with --help and --version", async () => {
    expect((await runCli(["--nope"])).code).toBe(2);
    const help = await runCli(["--help"]);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain("--web.listen-address");
    const version = await runCli(["--version"]);
    expect(version.code).toBe(0);
    expect(version.stdout).toContain(`kms-keystore-exporter ${VERSION}`);
  });
});
