import { describe, expect, it } from "vitest";
import { formatDuration, parseDuration } from "../../src/config/duration.js";
import { ConfigError } from "../../src/config/errors.js";
import { parseFlags } from "../../src/config/flags.js";
import { loadConfig, parseListenAddress } from "../../src/config/load.js";

function load(argv: string[], files: Record<string, string> = {}, env: NodeJS.ProcessEnv = {}) {
  return loadConfig(parseFlags(argv), env, (path) => {
    const text = files[path];
    if (text === undefined) throw new Error(`ENOENT: no such file ${path}`);
    return text;
  });
}

function problemsOf(run: () => unknown): string[] {
  try {
    run();
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  throw new Error("expected a ConfigError");
}

const ROLE = "arn:aws:iam::111111111111:role/kms-keystore-exporter";

describe("durations", () => {
  it.each([
    ["60s", 60_000],
    ["1h30m", 5_400_000],
    ["250ms", 250],
    ["2d", 172_800_000],
    ["1m5s10ms", 65_010],
    ["0", 0],
  ])("parses %s", (text, ms) => {
    expect(parseDuration(text)).toBe(ms);
  });

  it.each(["", "60", "1.5s", "s", "5 m", "-1s", "1s1h", "10sec"])("rejects %j", (text) => {
    expect(parseDuration(text)).toBeUndefined();
  });

  it("formats back", () => {
    expect(formatDuration(5_400_000)).toBe("1h30m");
    expect(formatDuration(60_000)).toBe("1m");
    expect(formatDuration(1_500)).toBe("1s500ms");
  });
});

describe("flags", () => {
  it("accepts Prometheus-style flags with = and with a separate value", () => {
    const flags = parseFlags([
      "--config.file=/etc/x.yml",
      "--web.listen-address",
      ":9999",
      "--log.format=pretty",
    ]);
    expect(flags).toMatchObject({
      configFile: "/etc/x.yml",
      listenAddress: ":9999",
      logFormat: "pretty",
      demo: false,
    });
  });

  it("rejects an unknown flag, naming it", () => {
    expect(problemsOf(() => parseFlags(["--web.listen-adress=:1"]))[0]).toMatch(
      /web\.listen-adress/,
    );
  });

  it("rejects positional arguments", () => {
    expect(problemsOf(() => parseFlags(["extra"]))[0]).toMatch(/extra|positional/i);
  });

  it("parses listen addresses", () => {
    expect(parseListenAddress(":10127")).toEqual({ host: undefined, port: 10127 });
    expect(parseListenAddress("127.0.0.1:0")).toEqual({ host: "127.0.0.1", port: 0 });
    expect(parseListenAddress("[::1]:80")).toEqual({ host: "::1", port: 80 });
    expect(parseListenAddress("10127")).toBeUndefined();
    expect(parseListenAddress(":70000")).toBeUndefined();
  });
});

describe("config file", () => {
  it("applies defaults without a file, regions from AWS_REGION", () => {
    const config = load([], {}, { AWS_REGION: "eu-central-1" });
    expect(config).toMatchObject({
      intervalMs: 60_000,
      timeoutMs: 30_000,
      concurrency: 16,
      regions: ["eu-central-1"],
      accounts: [{}],
      listenAddress: { host: undefined, port: 10127 },
      telemetryPath: "/metrics",
      logLevel: "info",
      logFormat: "json",
    });
  });

  it("falls back to AWS_DEFAULT_REGION", () => {
    expect(load([], {}, { AWS_DEFAULT_REGION: "ap-south-1" }).regions).toEqual(["ap-south-1"]);
  });

  it("reads every documented key", () => {
    const file = `
interval: 2m
timeout: 45s
concurrency: 4
retry: {maxAttempts: 3, minDelay: 100ms, maxDelay: 2s}
regions: [us-east-1, eu-west-1]
accounts:
  - roleArn: ${ROLE}
    externalId: secret-ext
    name: payments-prod
    regions: [eu-central-1]
  - roleArn: arn:aws-us-gov:iam::222222222222:role/path/exporter
`;
    const config = load(["--config.file=c.yml"], { "c.yml": file });
    expect(config).toMatchObject({
      intervalMs: 120_000,
      timeoutMs: 45_000,
      concurrency: 4,
      retry: { maxAttempts: 3, minDelayMs: 100, maxDelayMs: 2_000 },
      regions: ["us-east-1", "eu-west-1"],
    });
    expect(config.accounts).toHaveLength(2);
    expect(config.accounts[0]).toEqual({
      roleArn: ROLE,
      externalId: "secret-ext",
      name: "payments-prod",
      regions: ["eu-central-1"],
    });
  });

  it.each([
    ["unknown top-level key", "intervall: 60s\nregions: [us-east-1]", /intervall: unknown key/],
    [
      "unknown nested key",
      `regions: [us-east-1]\naccounts:\n  - roleArn: ${ROLE}\n    rolearn: x`,
      /accounts\[0\]\.rolearn: unknown key/,
    ],
    [
      "bad duration",
      "interval: 60\nregions: [us-east-1]",
      /interval: .*duration|interval: .*string/,
    ],
    [
      "bad duration text",
      "interval: 1.5m\nregions: [us-east-1]",
      /interval: not a duration: "1.5m"/,
    ],
    [
      "bad ARN",
      "regions: [us-east-1]\naccounts:\n  - roleArn: arn:aws:iam::12345:role/x",
      /accounts\[0\]\.roleArn: not an IAM role ARN/,
    ],
    [
      "user ARN instead of role",
      "regions: [us-east-1]\naccounts:\n  - roleArn: arn:aws:iam::111111111111:user/x",
      /accounts\[0\]\.roleArn: not an IAM role ARN/,
    ],
    ["empty region list", "regions: []", /regions: the region list is empty/],
    ["bad region", "regions: [us-east-one]", /regions\[0\]: not an AWS region/],
    ["duplicate region", "regions: [us-east-1, us-east-1]", /regions: a region is listed twice/],
    ["concurrency 0", "regions: [us-east-1]\nconcurrency: 0", /concurrency: must be at least 1/],
    [
      "concurrency negative",
      "regions: [us-east-1]\nconcurrency: -3",
      /concurrency: must be at least 1/,
    ],
    [
      "fractional concurrency",
      "regions: [us-east-1]\nconcurrency: 1.5",
      /concurrency: must be a whole number/,
    ],
    [
      "timeout longer than interval",
      "regions: [us-east-1]\ninterval: 10s\ntimeout: 20s",
      /timeout: must not be longer than interval/,
    ],
    ["zero interval", "regions: [us-east-1]\ninterval: 0s", /interval: must be longer than 0/],
    [
      "retry delays reversed",
      "regions: [us-east-1]\nretry: {minDelay: 5s, maxDelay: 1s}",
      /retry\.minDelay/,
    ],
    [
      "no regions anywhere",
      `accounts:\n  - roleArn: ${ROLE}`,
      /accounts\[0\]\.regions: no regions/,
    ],
    [
      "same account twice",
      `regions: [us-east-1]\naccounts:\n  - roleArn: ${ROLE}\n  - roleArn: arn:aws:iam::111111111111:role/other`,
      /account 111111111111 is listed twice/,
    ],
    [
      "externalId without role",
      "regions: [us-east-1]\naccounts:\n  - externalId: abc",
      /externalId: only meaningful together with roleArn/,
    ],
    ["invalid YAML", "regions: [us-east-1\n", /invalid YAML/],
    ["duplicate YAML key", "regions: [us-east-1]\nregions: [eu-west-1]", /invalid YAML/],
    [
      "empty account list",
      "regions: [us-east-1]\naccounts: []",
      /accounts: the account list is empty/,
    ],
  ])("rejects %s with a message naming the key", (_case, file, message) => {
    const problems = problemsOf(() => load(["--config.file=c.yml"], { "c.yml": file }));
    expect(problems.join("\n")).toMatch(message);
    for (const problem of problems)
      expect(problem.startsWith("c.yml: ") || !problem.includes("c.yml")).toBe(true);
  });

  it("reads discovery, sharding and the session duration", () => {
    const file = `
regions: [us-east-1]
sessionDuration: 30m
discovery:
  organizations:
    roleArn: arn:aws:iam::999999999999:role/org-reader
    memberRoleName: kms-keystore-exporter
    refresh: 30m
    excludeAccounts: ["123456789012"]
shard: {index: 1, count: 3}
`;
    const config = load(["--config.file=c.yml"], { "c.yml": file });
    expect(config.accounts).toEqual([]);
    expect(config.sessionDurationSeconds).toBe(1_800);
    expect(config.rateLimit).toEqual({ perSecond: 4, burst: 1 });
    expect(config.maxStalenessMs).toBeUndefined();
    expect(config.shard).toEqual({ index: 1, count: 3 });
    expect(config.discovery).toMatchObject({
      roleArn: "arn:aws:iam::999999999999:role/org-reader",
      memberRoleName: "kms-keystore-exporter",
      refreshMs: 1_800_000,
      excludeAccounts: ["123456789012"],
    });
    // Flags win over the file, so one ConfigMap serves every replica.
    expect(load(["--config.file=c.yml", "--shard.index=2"], { "c.yml": file }).shard).toEqual({
      index: 2,
      count: 3,
    });
  });

  it.each([
    [
      "shard index out of range",
      "regions: [us-east-1]\nshard: {index: 3, count: 3}",
      [],
      /shard\.index: index must be less than count/,
    ],
    [
      "shard flag out of range",
      "regions: [us-east-1]",
      ["--shard.index=4", "--shard.count=4"],
      /--shard.index: 4 must be less than the shard count 4/,
    ],
    [
      "shard flag not a number",
      "regions: [us-east-1]",
      ["--shard.count=many"],
      /--shard.count: "many" is not a whole number/,
    ],
    [
      "zero rate",
      "regions: [us-east-1]\nrateLimit: {perSecond: 0}",
      [],
      /rateLimit\.perSecond: must be more than 0/,
    ],
    [
      "fractional burst",
      "regions: [us-east-1]\nrateLimit: {burst: 1.5}",
      [],
      /rateLimit\.burst: must be a whole number/,
    ],
    [
      "maxStaleness under interval",
      "regions: [us-east-1]\ninterval: 1m\nmaxStaleness: 30s",
      [],
      /maxStaleness: must not be shorter than interval/,
    ],
    [
      "interval past setTimeout's range",
      "regions: [us-east-1]\ninterval: 4w",
      [],
      /interval: must be at most 24h/,
    ],
    [
      "refresh past setTimeout's range",
      "regions: [us-east-1]\ndiscovery: {organizations: {memberRoleName: r, refresh: 30d}}",
      [],
      /refresh: must be at most 24h/,
    ],
    [
      "session too short",
      "regions: [us-east-1]\nsessionDuration: 5m",
      [],
      /sessionDuration: must be between 15m and 12h/,
    ],
    [
      "bad member role",
      "regions: [us-east-1]\ndiscovery: {organizations: {memberRoleName: 'a b'}}",
      [],
      /discovery\.organizations\.memberRoleName: not an IAM role name/,
    ],
    [
      "bad excluded account",
      "regions: [us-east-1]\ndiscovery: {organizations: {memberRoleName: r, excludeAccounts: ['12']}}",
      [],
      /excludeAccounts\[0\]: not a 12-digit account id/,
    ],
    [
      "unknown discovery source",
      "regions: [us-east-1]\ndiscovery: {ldap: {}}",
      [],
      /discovery\.ldap: unknown key/,
    ],
  ])("rejects %s", (_case, file, flags, message) => {
    expect(
      problemsOf(() => load(["--config.file=c.yml", ...flags], { "c.yml": file })).join("\n"),
    ).toMatch(message);
  });

  it("reports every problem at once", () => {
    const problems = problemsOf(() =>
      load(["--config.file=c.yml", "--log.level=loud"], {
        "c.yml": "interval: soon\nconcurrency: 0\nregions: []",
      }),
    );
    expect(problems).toHaveLength(4);
  });

  it("rejects a missing file, bad flag values, and --demo with a file", () => {
    expect(problemsOf(() => load(["--config.file=nope.yml"]))[0]).toMatch(
      /--config.file: cannot read nope.yml/,
    );
    expect(
      problemsOf(() =>
        load(["--web.listen-address=localhost"], {}, { AWS_REGION: "us-east-1" }),
      )[0],
    ).toMatch(/--web.listen-address/);
    expect(
      problemsOf(() => load(["--web.telemetry-path=/healthz"], {}, { AWS_REGION: "us-east-1" }))[0],
    ).toMatch(/--web.telemetry-path/);
    expect(
      problemsOf(() => load(["--log.format=xml"], {}, { AWS_REGION: "us-east-1" }))[0],
    ).toMatch(/--log.format/);
    expect(
      problemsOf(() =>
        load(["--demo", "--config.file=c.yml"], { "c.yml": "regions: [us-east-1]" }),
      )[0],
    ).toMatch(/--demo/);
  });

  it("needs a region when nothing names one", () => {
    expect(problemsOf(() => load([]))[0]).toMatch(/regions: no regions/);
  });
});
