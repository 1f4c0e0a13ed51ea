import { readFileSync } from "node:fs";
import { accountIdOfRoleArn } from "../aws/arn.js";
import { ConfigError } from "./errors.js";
import { type FileConfig, parseConfigFile, REGION } from "./file.js";
import type { Flags } from "./flags.js";
import type {
  AccountConfig,
  Config,
  ListenAddress,
  LogFormat,
  LogLevel,
  OrganizationsDiscovery,
  Shard,
} from "./types.js";

export const DEFAULTS = {
  intervalMs: 60_000,
  timeoutMs: 30_000,
  concurrency: 16,
  retry: { maxAttempts: 5, minDelayMs: 200, maxDelayMs: 5_000 },
  // KMS allows 5 DescribeCustomKeyStores calls/s per account and region. Pacing exactly at
  // 5/s still gets throttled now and then (requests arrive with jitter), so the default
  // stays a little below it, without a burst.
  rateLimit: { perSecond: 4, burst: 1 },
  sessionDurationSeconds: 3_600,
  discoveryRefreshMs: 3_600_000,
  listenAddress: ":10127",
  telemetryPath: "/metrics",
  logLevel: "info",
  logFormat: "json",
} as const;

/** Every setting at its default: for code that builds configs (tests, benchmarks). */
export function defaultConfig(overrides: Partial<Config> = {}): Config {
  return {
    configFile: undefined,
    intervalMs: DEFAULTS.intervalMs,
    timeoutMs: DEFAULTS.timeoutMs,
    concurrency: DEFAULTS.concurrency,
    retry: { ...DEFAULTS.retry },
    rateLimit: { ...DEFAULTS.rateLimit },
    maxStalenessMs: undefined,
    regions: [],
    accounts: [{}],
    sessionDurationSeconds: DEFAULTS.sessionDurationSeconds,
    discovery: undefined,
    shard: { index: 0, count: 1 },
    listenAddress: { host: "127.0.0.1", port: 0 },
    telemetryPath: DEFAULTS.telemetryPath,
    logLevel: DEFAULTS.logLevel,
    logFormat: DEFAULTS.logFormat,
    demo: false,
    ...overrides,
  };
}

const LOG_LEVELS: readonly LogLevel[] = [
  "fatal",
  "error",
  "warn",
  "info",
  "debug",
  "trace",
  "silent",
];
const LOG_FORMATS: readonly LogFormat[] = ["json", "pretty"];
const RESERVED_PATHS = new Set(["/", "/healthz", "/readyz"]);

export function parseListenAddress(text: string): ListenAddress | undefined {
  const match = /^(?:\[([0-9a-fA-F:.]+)\]|([^:[\]]*)):(\d{1,5})$/.exec(text);
  if (!match) return undefined;
  const port = Number(match[3]);
  if (port > 65_535) return undefined;
  const host = match[1] ?? match[2];
  return { host: host === "" ? undefined : host, port };
}

/** Region list for accounts that do not name their own: the file's, else the SDK's variables. */
function defaultRegions(file: FileConfig, env: NodeJS.ProcessEnv): string[] {
  if (file.regions) return file.regions;
  const fromEnv = env.AWS_REGION || env.AWS_DEFAULT_REGION;
  return fromEnv ? [fromEnv] : [];
}

function checkAccounts(accounts: AccountConfig[], regions: string[], problems: string[]): void {
  const seenAccounts = new Set<string>();
  let defaultCredentialEntries = 0;
  accounts.forEach((account, index) => {
    if (account.roleArn === undefined) {
      defaultCredentialEntries++;
      if (account.externalId !== undefined) {
        problems.push(`accounts[${index}].externalId: only meaningful together with roleArn`);
      }
    } else {
      const accountId = accountIdOfRoleArn(account.roleArn);
      if (accountId !== undefined && seenAccounts.has(accountId)) {
        problems.push(`accounts[${index}].roleArn: account ${accountId} is listed twice`);
      }
      if (accountId !== undefined) seenAccounts.add(accountId);
    }
    const effective = account.regions ?? regions;
    if (effective.length === 0) {
      problems.push(
        `accounts[${index}].regions: no regions (set regions in the file or AWS_REGION)`,
      );
    }
    for (const region of effective) {
      if (!REGION.test(region))
        problems.push(`region ${JSON.stringify(region)}: not an AWS region`);
    }
  });
  if (defaultCredentialEntries > 1) {
    problems.push(
      "accounts: more than one entry without roleArn (the default credentials' account)",
    );
  }
}

function discoveryOf(file: FileConfig): OrganizationsDiscovery | undefined {
  const organizations = file.discovery?.organizations;
  if (!organizations) return undefined;
  return {
    roleArn: organizations.roleArn,
    externalId: organizations.externalId,
    memberRoleName: organizations.memberRoleName,
    memberExternalId: organizations.memberExternalId,
    refreshMs: organizations.refresh ?? DEFAULTS.discoveryRefreshMs,
    excludeAccounts: organizations.excludeAccounts ?? [],
    regions: organizations.regions,
  };
}

/** Flags win over the file, so one config serves every replica of a sharded set. */
function shardOf(file: FileConfig, flags: Flags, problems: string[]): Shard {
  const parse = (text: string | undefined, flag: string, minimum: number) => {
    if (text === undefined) return undefined;
    const value = Number(text);
    if (!/^\d+$/.test(text) || value < minimum) {
      problems.push(
        `--${flag}: ${JSON.stringify(text)} is not a whole number of at least ${minimum}`,
      );
      return undefined;
    }
    return value;
  };
  const index = parse(flags.shardIndex, "shard.index", 0) ?? file.shard?.index ?? 0;
  const count = parse(flags.shardCount, "shard.count", 1) ?? file.shard?.count ?? 1;
  if (index >= count)
    problems.push(`--shard.index: ${index} must be less than the shard count ${count}`);
  return { index, count };
}

/**
 * Flags + config file + AWS environment variables → validated Config. Every problem found
 * is collected so the user fixes them in one go; any problem throws ConfigError.
 */
export function loadConfig(
  flags: Flags,
  env: NodeJS.ProcessEnv,
  readFile: (path: string) => string = (path) => readFileSync(path, "utf8"),
): Config {
  const problems: string[] = [];
  let file: FileConfig = {};
  let fileValid = true;
  if (flags.configFile !== undefined) {
    if (flags.demo) {
      problems.push("--demo: builds its own targets; do not combine it with --config.file");
    }
    let text: string | undefined;
    try {
      text = readFile(flags.configFile);
    } catch (error) {
      problems.push(`--config.file: cannot read ${flags.configFile}: ${(error as Error).message}`);
      fileValid = false;
    }
    if (text !== undefined) {
      try {
        file = parseConfigFile(text, flags.configFile);
      } catch (error) {
        if (!(error instanceof ConfigError)) throw error;
        problems.push(...error.problems);
        fileValid = false;
      }
    }
  }

  const listenText = flags.listenAddress ?? DEFAULTS.listenAddress;
  const listenAddress = parseListenAddress(listenText);
  if (!listenAddress) {
    problems.push(`--web.listen-address: ${JSON.stringify(listenText)} is not [host]:port`);
  }
  const telemetryPath = flags.telemetryPath ?? DEFAULTS.telemetryPath;
  if (!telemetryPath.startsWith("/") || RESERVED_PATHS.has(telemetryPath)) {
    problems.push(
      `--web.telemetry-path: ${JSON.stringify(telemetryPath)} must start with / and not be /, /healthz or /readyz`,
    );
  }
  const logLevel = flags.logLevel ?? DEFAULTS.logLevel;
  if (!LOG_LEVELS.includes(logLevel as LogLevel)) {
    problems.push(
      `--log.level: ${JSON.stringify(logLevel)} is not one of ${LOG_LEVELS.join(", ")}`,
    );
  }
  const logFormat = flags.logFormat ?? DEFAULTS.logFormat;
  if (!LOG_FORMATS.includes(logFormat as LogFormat)) {
    problems.push(`--log.format: ${JSON.stringify(logFormat)} is not json or pretty`);
  }

  const intervalMs = file.interval ?? DEFAULTS.intervalMs;
  const timeoutMs = file.timeout ?? DEFAULTS.timeoutMs;
  if (timeoutMs > intervalMs) {
    problems.push(
      "timeout: must not be longer than interval (a poll would still run when the next is due)",
    );
  }
  const retry = {
    maxAttempts: file.retry?.maxAttempts ?? DEFAULTS.retry.maxAttempts,
    minDelayMs: file.retry?.minDelay ?? DEFAULTS.retry.minDelayMs,
    maxDelayMs: file.retry?.maxDelay ?? DEFAULTS.retry.maxDelayMs,
  };
  if (file.maxStaleness !== undefined && file.maxStaleness < intervalMs) {
    problems.push("maxStaleness: must not be shorter than interval (every series would flap)");
  }
  if (retry.minDelayMs > retry.maxDelayMs) {
    problems.push("retry.minDelay: must not be longer than retry.maxDelay");
  }

  const regions = defaultRegions(file, env);
  const discovery = discoveryOf(file);
  // With discovery, no `accounts` means only the discovered ones, not the caller's own.
  const accounts: AccountConfig[] = file.accounts ?? (discovery ? [] : [{}]);
  const shard = shardOf(file, flags, problems);
  if (discovery && !discovery.regions && regions.length === 0) {
    problems.push(
      "discovery.organizations.regions: no regions (set regions in the file or AWS_REGION)",
    );
  }
  // Account checks on a file that did not load would only repeat its problems.
  if (!flags.demo && fileValid) checkAccounts(accounts, regions, problems);

  if (problems.length > 0) throw new ConfigError(problems);
  return {
    configFile: flags.configFile,
    intervalMs,
    timeoutMs,
    concurrency: file.concurrency ?? DEFAULTS.concurrency,
    retry,
    rateLimit: {
      perSecond: file.rateLimit?.perSecond ?? DEFAULTS.rateLimit.perSecond,
      burst: file.rateLimit?.burst ?? DEFAULTS.rateLimit.burst,
    },
    maxStalenessMs: file.maxStaleness,
    regions,
    accounts,
    sessionDurationSeconds:
      file.sessionDuration === undefined
        ? DEFAULTS.sessionDurationSeconds
        : file.sessionDuration / 1000,
    discovery,
    shard,
    listenAddress: listenAddress as ListenAddress,
    telemetryPath,
    logLevel: logLevel as LogLevel,
    logFormat: logFormat as LogFormat,
    demo: flags.demo,
  };
}
