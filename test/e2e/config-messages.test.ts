import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { runCli } from "../helpers/cli.js";

/** What a user sees for a config file, through the built CLI's real stderr and exit code. */
const dir = mkdtempSync(join(tmpdir(), "kms-config-messages-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const NO_REGION_ENV = { AWS_REGION: undefined, AWS_DEFAULT_REGION: undefined };
/** Wording of the validator library that must never reach a user. */
const LIBRARY_WORDING = /Invalid input|Invalid option|Too (small|big)|received|>=|<=|Unrecognized/;

function configFile(name: string, lines: string[]): string {
  const path = join(dir, name);
  writeFileSync(path, `${lines.join("\n")}\n`);
  return path;
}

async function check(path: string) {
  const result = await runCli([`--config.file=${path}`, "--config.check"], NO_REGION_ENV);
  expect(result.stderr).not.toMatch(LIBRARY_WORDING);
  return result;
}

/** stderr lines without the program's prefix. */
function problems(stderr: string): string[] {
  return stderr
    .trimEnd()
    .split("\n")
    .map((line) => line.replace(/^kms-keystore-exporter: /, ""));
}

describe("config messages through the CLI", () => {
  it("defaults timeout to an interval shorter than 30s instead of refusing it", async () => {
    const path = configFile("short-interval.yml", ["interval: 10s", "regions: [us-east-1]"]);
    const result = await check(path);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain("interval 10s, timeout 10s,");
  });

  it("reports every problem of a file at once, each with the file name and the bad value", async () => {
    const path = configFile("many.yml", [
      "interval: 60",
      "timeout: 2m",
      "intervall: 1m",
      "regions: [us-east-one]",
      "accounts:",
      "  - roleArn: arn:aws-cn:iam::12345:role/reader",
      "  - name: own",
      "    externalId: x",
    ]);
    const result = await check(path);
    expect(result.code).toBe(2);
    expect(problems(result.stderr).sort()).toEqual(
      [
        `${path}: interval: 60 has no unit: write a duration like 60s or 1m`,
        `${path}: intervall: unknown key; did you mean interval?`,
        `${path}: regions[0]: "us-east-one" is not an AWS region name (like us-east-1)`,
        `${path}: accounts[0].roleArn: "arn:aws-cn:iam::12345:role/reader" is not an IAM role ARN (arn:aws:iam::<12-digit account>:role/<name>)`,
        `${path}: accounts[1].externalId: "x" is too short: at least 2 characters`,
      ].sort(),
    );
  });

  it("reports a check between keys together with the other problems", async () => {
    const path = configFile("between.yml", [
      "interval: 10s",
      "timeout: 20s",
      "concurrency: 0",
      "regions: [us-east-1]",
    ]);
    const result = await check(path);
    expect(result.code).toBe(2);
    expect(problems(result.stderr)).toEqual([
      `${path}: concurrency: 0 is too small: must be at least 1`,
      `${path}: timeout: 20s is longer than interval (10s); a poll would still run when the next is due`,
    ]);
  });

  it("shows a YAML syntax error with its line, column and the line itself", async () => {
    const path = configFile("broken.yml", ["interval: 1m", "regions: [us-east-1", ""]);
    const result = await check(path);
    expect(result.code).toBe(2);
    const [first, source, caret] = problems(result.stderr);
    expect(first).toMatch(
      new RegExp(`^${path.replaceAll(".", "\\.")}: line 2, column 20: invalid YAML: \\w.*[^:]$`),
    );
    expect(source).toBe("  2 | regions: [us-east-1");
    expect(caret).toBe(`    | ${" ".repeat(19)}^`);
  });

  it("says in words that the file is missing or is a directory", async () => {
    const missing = join(dir, "missing.yml");
    const gone = await check(missing);
    expect(gone.code).toBe(2);
    expect(problems(gone.stderr)).toEqual([`--config.file: cannot read ${missing}: no such file`]);
    const directory = await check(dir);
    expect(directory.code).toBe(2);
    expect(problems(directory.stderr)).toEqual([
      `--config.file: cannot read ${dir}: is a directory, not a file`,
    ]);
  });

  it("--config.check prints the store filters, global and per account", async () => {
    const path = configFile("stores.yml", [
      "regions: [us-east-1]",
      "stores:",
      "  include: ['^prod-', '^shared-']",
      "  exclude: ['-sandbox$']",
      "  types: [AWS_CLOUDHSM]",
      "accounts:",
      "  - roleArn: arn:aws:iam::111111111111:role/reader",
      "  - roleArn: arn:aws:iam::222222222222:role/reader",
      "    stores: {types: [EXTERNAL_KEY_STORE]}",
    ]);
    const result = await check(path);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(
      "stores: include ^prod-, ^shared-; exclude -sandbox$; types AWS_CLOUDHSM\n",
    );
    expect(result.stdout).toContain(
      "222222222222 via arn:aws:iam::222222222222:role/reader: us-east-1 (stores: types EXTERNAL_KEY_STORE)\n",
    );
    expect(result.stdout).toContain(
      "111111111111 via arn:aws:iam::111111111111:role/reader: us-east-1\n",
    );
  });

  it("reports bad store filters with the value", async () => {
    const path = configFile("stores-bad.yml", [
      "regions: [us-east-1]",
      "stores:",
      "  include: ['^prod-(']",
      "  exlude: ['x']",
      "  types: [CLOUDHSM]",
    ]);
    const result = await check(path);
    expect(result.code).toBe(2);
    expect(problems(result.stderr).sort()).toEqual(
      [
        `${path}: stores.include[0]: "^prod-(" is not an RE2 regular expression (the syntax Prometheus uses): missing closing ): \`^prod-(\``,
        `${path}: stores.types[0]: "CLOUDHSM" is not one of AWS_CLOUDHSM, EXTERNAL_KEY_STORE`,
        `${path}: stores.exlude: unknown key; did you mean exclude?`,
      ].sort(),
    );
  });

  it("without a file or AWS_REGION, says what to set", async () => {
    const result = await runCli(["--config.check"], NO_REGION_ENV);
    expect(result.code).toBe(2);
    expect(problems(result.stderr)).toEqual([
      "no region to poll: set AWS_REGION (or AWS_DEFAULT_REGION), or give a config file with regions (--config.file)",
    ]);
  });
});
