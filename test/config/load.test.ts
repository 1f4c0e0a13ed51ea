import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { formatDuration, parseDuration } from "../../src/config/duration.js";
import { ConfigError } from "../../src/config/errors.js";
import { parseFlags } from "../../src/config/flags.js";
import { loadConfig, parseListenAddress } from "../../src/config/load.js";

function load(argv: string[], files: Record<string, string> = {}, env: NodeJS.ProcessEnv = {}) {
  return loadConfig(parseFlags(argv), env, (path) => {
    const text = files[path];
    if (text === undefined) throw Object.assign(new Error(`ENOENT: ${path}`), { code: "ENOENT" });
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
      listenAddresses: [":9999"],
      logFormat: "pretty",
      demo: false,
    });
  });

  it("takes --web.listen-address more than once, as exporter-toolkit does", () => {
    const config = load(
      ["--web.listen-address=127.0.0.1:9100", "--web.listen-address", "[::1]:9101"],
      {},
      { AWS_REGION: "eu-central-1" },
    );
    expect(config.listenAddresses).toEqual([
      { host: "127.0.0.1", port: 9100 },
      { host: "::1", port: 9101 },
    ]);
    expect(
      problemsOf(() =>
        load(
          ["--web.listen-address=:1", "--web.listen-address=:1", "--web.listen-address=x"],
          {},
          {
            AWS_REGION: "eu-central-1",
          },
        ),
      ),
    ).toEqual([
      '--web.listen-address: "x" is not [host]:port',
      "--web.listen-address: an address is given twice",
    ]);
  });

  it("takes --web.config.file and --web.enable-lifecycle", () => {
    const config = load(
      ["--web.config.file=/etc/web.yml", "--web.enable-lifecycle"],
      {},
      {
        AWS_REGION: "eu-central-1",
      },
    );
    expect(config).toMatchObject({ webConfigFile: "/etc/web.yml", enableLifecycle: true });
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
      listenAddresses: [{ host: undefined, port: 10127 }],
      webConfigFile: undefined,
      enableLifecycle: false,
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
  - roleArn: arn:aws:iam::222222222222:role/path/exporter
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
    [
      "unknown top-level key",
      "intervall: 60s\nregions: [us-east-1]",
      "intervall: unknown key; did you mean interval?",
    ],
    [
      "unknown nested key",
      `regions: [us-east-1]\naccounts:\n  - roleArn: ${ROLE}\n    rolearn: x`,
      "accounts[0].rolearn: unknown key; did you mean roleArn?",
    ],
    [
      "unknown key far from every known one",
      "regions: [us-east-1]\nbogus: 1",
      "bogus: unknown key",
    ],
    [
      "bare number as a duration",
      "interval: 60\nregions: [us-east-1]",
      "interval: 60 has no unit: write a duration like 60s or 1m",
    ],
    [
      "bare number in quotes",
      "timeout: '5'\nregions: [us-east-1]",
      "timeout: 5 has no unit: write a duration like 5s or 5ms",
    ],
    [
      "bad duration text",
      "interval: 1.5m\nregions: [us-east-1]",
      'interval: "1.5m" is not a duration (write it like 500ms, 30s, 5m or 1h30m)',
    ],
    [
      "duration of the wrong type",
      "interval: [1m]\nregions: [us-east-1]",
      "interval: expected a duration like 30s or 5m, got a list",
    ],
    [
      "bad ARN",
      "regions: [us-east-1]\naccounts:\n  - roleArn: arn:aws:iam::12345:role/x",
      'accounts[0].roleArn: "arn:aws:iam::12345:role/x" is not an IAM role ARN (arn:aws:iam::<12-digit account>:role/<name>)',
    ],
    [
      "user ARN instead of role",
      "regions: [us-east-1]\naccounts:\n  - roleArn: arn:aws:iam::111111111111:user/x",
      'accounts[0].roleArn: "arn:aws:iam::111111111111:user/x" is not an IAM role ARN (arn:aws:iam::<12-digit account>:role/<name>)',
    ],
    ["empty region list", "regions: []", "regions: the region list is empty"],
    [
      "bad region",
      "regions: [us-east-one]",
      'regions[0]: "us-east-one" is not an AWS region name (like us-east-1)',
    ],
    ["region not text", "regions: [3]", "regions[0]: expected text, got 3"],
    ["regions not a list", "regions: us-east-1", 'regions: expected a list, got "us-east-1"'],
    ["duplicate region", "regions: [us-east-1, us-east-1]", "regions: us-east-1 is listed twice"],
    [
      "concurrency 0",
      "regions: [us-east-1]\nconcurrency: 0",
      "concurrency: 0 is too small: must be at least 1",
    ],
    [
      "concurrency negative",
      "regions: [us-east-1]\nconcurrency: -3",
      "concurrency: -3 is too small: must be at least 1",
    ],
    [
      "fractional concurrency",
      "regions: [us-east-1]\nconcurrency: 1.5",
      "concurrency: expected a whole number, got 1.5",
    ],
    [
      "concurrency as text",
      "regions: [us-east-1]\nconcurrency: many",
      'concurrency: expected a number, got "many"',
    ],
    [
      "timeout longer than interval",
      "regions: [us-east-1]\ninterval: 10s\ntimeout: 20s",
      "timeout: 20s is longer than interval (10s); a poll would still run when the next is due",
    ],
    [
      "timeout longer than the default interval",
      "regions: [us-east-1]\ntimeout: 2m",
      "timeout: 2m is longer than interval (1m, the default); a poll would still run when the next is due",
    ],
    [
      "zero interval",
      "regions: [us-east-1]\ninterval: 0s",
      "interval: 0s is too short: at least 1s (KMS allows 5 calls/s per account and region)",
    ],
    [
      "retry delays reversed",
      "regions: [us-east-1]\nretry: {minDelay: 5s, maxDelay: 1s}",
      "retry.minDelay: 5s is longer than retry.maxDelay (1s)",
    ],
    [
      "retry minimum over the default maximum",
      "regions: [us-east-1]\nretry: {minDelay: 10s}",
      "retry.minDelay: 10s is longer than retry.maxDelay (5s, the default)",
    ],
    [
      "no regions anywhere",
      `accounts:\n  - roleArn: ${ROLE}`,
      "accounts[0].regions: no regions: set them in this entry, or set regions at the top of the file (like regions: [us-east-1]) or AWS_REGION",
    ],
    [
      "no regions and no accounts",
      "interval: 5s",
      "regions: no regions to poll: set regions at the top of the file (like regions: [us-east-1]) or AWS_REGION",
    ],
    [
      "same account twice",
      `regions: [us-east-1]\naccounts:\n  - roleArn: ${ROLE}\n  - roleArn: arn:aws:iam::111111111111:role/other`,
      "accounts[1].roleArn: account 111111111111 is listed twice (also accounts[0])",
    ],
    [
      "externalId without role",
      "regions: [us-east-1]\naccounts:\n  - externalId: abc",
      "accounts[0].externalId: only meaningful together with roleArn",
    ],
    [
      "two entries without role",
      "regions: [us-east-1]\naccounts:\n  - name: a\n  - name: b",
      "accounts: accounts[0], accounts[1] have no roleArn; only one entry may be the default credentials' account",
    ],
    [
      "short external id",
      `regions: [us-east-1]\naccounts:\n  - roleArn: ${ROLE}\n    externalId: a`,
      'accounts[0].externalId: "a" is too short: at least 2 characters',
    ],
    [
      "empty name",
      `regions: [us-east-1]\naccounts:\n  - roleArn: ${ROLE}\n    name: ''`,
      "accounts[0].name: must not be empty",
    ],
    [
      "empty account list",
      "regions: [us-east-1]\naccounts: []",
      "accounts: the account list is empty",
    ],
    [
      "a list instead of a mapping",
      "- interval: 1m",
      "expected a mapping of keys (like interval: 60s), got a list",
    ],
  ])("rejects %s with a message naming the key and the value", (_case, file, message) => {
    const problems = problemsOf(() => load(["--config.file=c.yml"], { "c.yml": file }));
    expect(problems).toEqual([`c.yml: ${message}`]);
  });

  it.each([
    ["unclosed bracket", "regions: [us-east-1\n", 1, 20, "regions: [us-east-1"],
    ["duplicate key", "regions: [us-east-1]\nregions: [eu-west-1]", 2, 1, "regions: [eu-west-1]"],
    ["tab indentation", "accounts:\n\t- name: x", 2, 1, " - name: x"],
  ])(
    "reports a YAML %s with its line, column and the line itself",
    (_case, file, line, column, text) => {
      const [problem, ...rest] = problemsOf(() => load(["--config.file=c.yml"], { "c.yml": file }));
      expect(rest).toEqual([]);
      const [first, source, caret] = (problem ?? "").split("\n");
      expect(first).toMatch(
        new RegExp(`^c\\.yml: line ${line}, column ${column}: invalid YAML: [a-z].*[^:]$`),
      );
      expect(source).toBe(`  ${line} | ${text}`);
      expect(caret).toBe(`    | ${" ".repeat(column - 1)}^`);
    },
  );

  it("turns enrichments on only when asked, each on its own", () => {
    expect(load([], {}, { AWS_REGION: "us-east-1" }).enrich).toMatchObject({
      intervalMs: 300_000,
      cloudhsm: false,
      xks: false,
      keys: false,
    });
    const both = "regions: [us-east-1]\nenrich: {cloudhsm: true, xks: true, keys: true}";
    expect(load(["--config.file=c.yml"], { "c.yml": both }).enrich).toMatchObject({
      intervalMs: 300_000,
      cloudhsm: true,
      xks: true,
      keys: true,
    });
    const one = "regions: [us-east-1]\nenrich: {xks: true}";
    expect(load(["--config.file=c.yml"], { "c.yml": one }).enrich).toMatchObject({
      cloudhsm: false,
      xks: true,
      keys: false,
    });
    // A typo must not silently leave an enrichment off.
    const typo = "regions: [us-east-1]\nenrich: {cloudHsm: true}";
    expect(problemsOf(() => load(["--config.file=c.yml"], { "c.yml": typo })).join("\n")).toMatch(
      /enrich\.cloudHsm/,
    );
    const notBoolean = "regions: [us-east-1]\nenrich: {xks: yes please}";
    expect(
      problemsOf(() => load(["--config.file=c.yml"], { "c.yml": notBoolean })).join("\n"),
    ).toMatch(/enrich\.xks/);
  });

  it("runs enrichments every enrich.interval: 5m by default, never more often than the polls", () => {
    const enrich = (yaml: string) =>
      load(["--config.file=c.yml"], { "c.yml": `regions: [us-east-1]\n${yaml}` }).enrich.intervalMs;
    expect(enrich("enrich: {xks: true}")).toBe(300_000);
    expect(enrich("enrich: {xks: true, interval: 10m}")).toBe(600_000);
    // The default follows a poll interval longer than 5 minutes.
    expect(enrich("interval: 15m\nenrich: {xks: true}")).toBe(900_000);
    expect(enrich("interval: 1m\nenrich: {xks: true, interval: 1m}")).toBe(60_000);
    expect(
      problemsOf(() =>
        load(["--config.file=c.yml"], {
          "c.yml": "regions: [us-east-1]\ninterval: 2m\nenrich: {xks: true, interval: 1m}",
        }),
      ).join("\n"),
    ).toMatch(/enrich\.interval: 1m is shorter than interval \(2m\)/);
    expect(
      problemsOf(() =>
        load(["--config.file=c.yml"], {
          "c.yml": "regions: [us-east-1]\nenrich: {xks: true, interval: 5}",
        }),
      ).join("\n"),
    ).toMatch(/enrich\.interval/);
  });

  it("paces the key inventory at 5 ListKeys and 20 DescribeKey a second unless told", () => {
    expect(load([], {}, { AWS_REGION: "us-east-1" }).enrich.keysRateLimit).toEqual({
      listKeys: 5,
      describeKey: 20,
    });
    const set = "regions: [us-east-1]\nenrich: {keys: true, keysRateLimit: {describeKey: 50}}";
    expect(load(["--config.file=c.yml"], { "c.yml": set }).enrich.keysRateLimit).toEqual({
      listKeys: 5,
      describeKey: 50,
    });
    const over = "regions: [us-east-1]\nenrich: {keysRateLimit: {describeKey: 5000}}";
    expect(problemsOf(() => load(["--config.file=c.yml"], { "c.yml": over })).join("\n")).toMatch(
      /enrich\.keysRateLimit\.describeKey/,
    );
  });

  it("reads the stores-per-target cap, and refuses one below 1", () => {
    const file = "regions: [us-east-1]\nmaxStoresPerTarget: 50000";
    expect(load(["--config.file=c.yml"], { "c.yml": file }).maxStoresPerTarget).toBe(50_000);
    const zero = "regions: [us-east-1]\nmaxStoresPerTarget: 0";
    expect(problemsOf(() => load(["--config.file=c.yml"], { "c.yml": zero })).join("\n")).toMatch(
      /maxStoresPerTarget/,
    );
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
    includeOrganizationalUnits: [ou-a1b2-prod0001]
    excludeOrganizationalUnits: [ou-a1b2-sandbox1]
shard: {index: 1, count: 3}
`;
    const config = load(["--config.file=c.yml"], { "c.yml": file });
    expect(config.accounts).toEqual([]);
    expect(config.sessionDurationSeconds).toBe(1_800);
    expect(config.maxStoresPerTarget).toBe(10_000);
    expect(config.rateLimit).toEqual({ perSecond: 4, burst: 1 });
    expect(config.maxStalenessMs).toBeUndefined();
    expect(config.shard).toEqual({ index: 1, count: 3 });
    expect(config.discovery).toMatchObject({
      roleArn: "arn:aws:iam::999999999999:role/org-reader",
      memberRoleName: "kms-keystore-exporter",
      refreshMs: 1_800_000,
      excludeAccounts: ["123456789012"],
      includeOrganizationalUnits: ["ou-a1b2-prod0001"],
      excludeOrganizationalUnits: ["ou-a1b2-sandbox1"],
      region: "us-east-1",
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
      /^c\.yml: shard\.index: 3 must be less than count \(3\)$/,
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
      /^c\.yml: rateLimit\.perSecond: 0 is too small: must be at least 0\.01$/,
    ],
    [
      "rate too small to ever end a poll",
      "regions: [us-east-1]\nrateLimit: {perSecond: 1e-300}",
      [],
      /^c\.yml: rateLimit\.perSecond: 1e-300 is too small: must be at least 0\.01$/,
    ],
    [
      "concurrency past its limit",
      "regions: [us-east-1]\nconcurrency: 100000",
      [],
      /^c\.yml: concurrency: 100000 is too large: must be at most 1000$/,
    ],
    [
      "interval of a millisecond",
      "regions: [us-east-1]\ninterval: 1ms",
      [],
      /^c\.yml: interval: 1ms is too short: at least 1s/,
    ],
    [
      "more regions than any partition has",
      `regions: [${Array(65).fill("us-east-1").join(", ")}]`,
      [],
      /^c\.yml: regions: too many regions in one list: at most 64 \(a limit of the exporter\)$/,
    ],
    [
      "more accounts than the limit",
      `regions: [us-east-1]\naccounts: [${Array(10_001).fill("{}").join(", ")}]`,
      [],
      /^c\.yml: accounts: too many accounts: at most 10000 \(a limit of the exporter\)$/,
    ],
    [
      "more patterns than the limit",
      `regions: [us-east-1]\nstores: {include: [${Array(101).fill("a").join(", ")}]}`,
      [],
      /^c\.yml: stores\.include: too many patterns in one filter: at most 100/,
    ],
    [
      "a pattern longer than the limit",
      `regions: [us-east-1]\nstores: {exclude: ["${"a".repeat(1_001)}"]}`,
      [],
      /^c\.yml: stores\.exclude\[0\]: too long: at most 1000 characters/,
    ],
    [
      "fractional burst",
      "regions: [us-east-1]\nrateLimit: {burst: 1.5}",
      [],
      /^c\.yml: rateLimit\.burst: expected a whole number, got 1\.5$/,
    ],
    [
      "maxStaleness under interval",
      "regions: [us-east-1]\ninterval: 1m\nmaxStaleness: 30s",
      [],
      /^c\.yml: maxStaleness: 30s is shorter than interval \(1m\); every series would flap$/,
    ],
    [
      "interval past setTimeout's range",
      "regions: [us-east-1]\ninterval: 4w",
      [],
      /^c\.yml: interval: 4w is too long: at most 24h \(timers cannot wait longer\)$/,
    ],
    [
      "refresh past setTimeout's range",
      "regions: [us-east-1]\ndiscovery: {organizations: {memberRoleName: r, refresh: 30d}}",
      [],
      /^c\.yml: discovery\.organizations\.refresh: 30d is too long: at most 24h/,
    ],
    [
      "session too short",
      "regions: [us-east-1]\nsessionDuration: 5m",
      [],
      /^c\.yml: sessionDuration: 5m is too short: at least 15m \(an STS limit\)$/,
    ],
    [
      "bad member role",
      "regions: [us-east-1]\ndiscovery: {organizations: {memberRoleName: 'a b'}}",
      [],
      /^c\.yml: discovery\.organizations\.memberRoleName: "a b" is not an IAM role name/,
    ],
    [
      "bad excluded account",
      "regions: [us-east-1]\ndiscovery: {organizations: {memberRoleName: r, excludeAccounts: ['12']}}",
      [],
      /^c\.yml: discovery\.organizations\.excludeAccounts\[0\]: "12" is not a 12-digit account id$/,
    ],
    [
      "bad organizational unit",
      "regions: [us-east-1]\ndiscovery: {organizations: {memberRoleName: r, includeOrganizationalUnits: [prod], excludeOrganizationalUnits: []}}",
      [],
      /^c\.yml: discovery\.organizations\.includeOrganizationalUnits\[0\]: "prod" is not an organizational unit id \(like ou-a1b2-c3d4e5f6\) or root id \(like r-a1b2\)\nc\.yml: discovery\.organizations\.excludeOrganizationalUnits: the list is empty$/,
    ],
    [
      "unknown discovery source",
      "regions: [us-east-1]\ndiscovery: {ldap: {}}",
      [],
      /^c\.yml: discovery\.ldap: unknown key$/m,
    ],
  ])("rejects %s", (_case, file, flags, message) => {
    const problems = problemsOf(() => load(["--config.file=c.yml", ...flags], { "c.yml": file }));
    expect(problems.join("\n")).toMatch(message);
  });

  it("defaults timeout to the smaller of 30s and the interval, as Prometheus does", () => {
    const timeoutOf = (file: string) =>
      load(["--config.file=c.yml"], { "c.yml": `regions: [us-east-1]\n${file}` }).timeoutMs;
    expect(timeoutOf("interval: 10s")).toBe(10_000);
    expect(timeoutOf("interval: 2m")).toBe(30_000);
    expect(timeoutOf("")).toBe(30_000);
    expect(timeoutOf("interval: 10s\ntimeout: 4s")).toBe(4_000);
  });

  it("reports every problem at once, checks between keys included, each with the file name", () => {
    const problems = problemsOf(() =>
      load(["--config.file=c.yml", "--log.level=loud"], {
        "c.yml": [
          "interval: 10s",
          "timeout: 20s",
          "concurrency: 0",
          "regions: [us-east-one]",
          "intervall: 1m",
          "accounts:",
          `  - roleArn: ${ROLE}`,
          `  - roleArn: ${ROLE}`,
        ].join("\n"),
      }),
    );
    expect(problems.sort()).toEqual(
      [
        '--log.level: "loud" is not one of fatal, error, warn, info, debug, trace, silent',
        "c.yml: concurrency: 0 is too small: must be at least 1",
        'c.yml: regions[0]: "us-east-one" is not an AWS region name (like us-east-1)',
        "c.yml: intervall: unknown key; did you mean interval?",
        "c.yml: accounts[1].roleArn: account 111111111111 is listed twice (also accounts[0])",
        "c.yml: timeout: 20s is longer than interval (10s); a poll would still run when the next is due",
      ].sort(),
    );
  });

  it("leaves out checks that a wrong key would only repeat", () => {
    // interval is wrong: its default must not make timeout look too long.
    expect(
      problemsOf(() =>
        load(["--config.file=c.yml"], {
          "c.yml": "regions: [us-east-1]\ninterval: soon\ntimeout: 2m",
        }),
      ),
    ).toEqual([
      'c.yml: interval: "soon" is not a duration (write it like 500ms, 30s, 5m or 1h30m)',
    ]);
    // regions is wrong: no "no regions" on top of it.
    expect(problemsOf(() => load(["--config.file=c.yml"], { "c.yml": "regions: [x]" }))).toEqual([
      'c.yml: regions[0]: "x" is not an AWS region name (like us-east-1)',
    ]);
  });

  it("says in words that the file is missing or is a directory", () => {
    const dir = mkdtempSync(join(tmpdir(), "kms-config-"));
    try {
      const missing = join(dir, "nope.yml");
      expect(problemsOf(() => loadConfig(parseFlags([`--config.file=${missing}`]), {}))).toEqual([
        `--config.file: cannot read ${missing}: no such file`,
      ]);
      expect(problemsOf(() => loadConfig(parseFlags([`--config.file=${dir}`]), {}))).toEqual([
        `--config.file: cannot read ${dir}: is a directory, not a file`,
      ]);
    } finally {
      rmSync(dir, { recursive: true });
    }
  });

  it("rejects bad flag values, and --demo with a file", () => {
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

  it("without a file or AWS_REGION, says what to set", () => {
    expect(problemsOf(() => load([]))).toEqual([
      "no region to poll: set AWS_REGION (or AWS_DEFAULT_REGION), or give a config file with regions (--config.file)",
    ]);
  });

  it("names the variable a bad default region came from", () => {
    expect(problemsOf(() => load([], {}, { AWS_DEFAULT_REGION: "mars" }))).toEqual([
      'AWS_DEFAULT_REGION: "mars" is not an AWS region name (like us-east-1)',
    ]);
  });
});
