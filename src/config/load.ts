import { formatDuration } from "./duration.js";
import { ConfigError } from "./errors.js";
import { checkConfigFile, FILE_KEYS, type FileConfig, REGION } from "./file.js";
import type { Flags } from "./flags.js";
import { type ReadFile, readConfigSource, readUtf8 } from "./source.js";
import type {
  AccountConfig,
  Config,
  ListenAddress,
  LogFormat,
  LogLevel,
  OrganizationsDiscovery,
  RetryPolicy,
  Shard,
} from "./types.js";

export const DEFAULTS = {
  intervalMs: 60_000,
  /** Shortened to the interval when that is shorter, as Prometheus does for scrape_timeout. */
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
    listenAddresses: [{ host: "127.0.0.1", port: 0 }],
    webConfigFile: undefined,
    enableLifecycle: false,
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
const LOG_FORMATS: readonly LogFormat[] = ["json", "logfmt", "pretty"];
const RESERVED_PATHS = new Set(["/", "/healthz", "/readyz"]);

export function parseListenAddress(text: string): ListenAddress | undefined {
  const match = /^(?:\[([0-9a-fA-F:.]+)\]|([^:[\]]*)):(\d{1,5})$/.exec(text);
  if (!match) return undefined;
  const port = Number(match[3]);
  if (port > 65_535) return undefined;
  const host = match[1] ?? match[2];
  return { host: host === "" ? undefined : host, port };
}

/** Every --web.listen-address (default :10127), each valid and none twice. */
function listenAddressesOf(flags: Flags, problems: string[]): ListenAddress[] {
  const texts = flags.listenAddresses.length > 0 ? flags.listenAddresses : [DEFAULTS.listenAddress];
  const addresses: ListenAddress[] = [];
  for (const text of new Set(texts)) {
    const address = parseListenAddress(text);
    if (address) addresses.push(address);
    else problems.push(`--web.listen-address: ${JSON.stringify(text)} is not [host]:port`);
  }
  if (texts.length !== new Set(texts).size) {
    problems.push("--web.listen-address: an address is given twice");
  }
  return addresses;
}

/** Where the default regions came from, for messages that say what to set. */
interface DefaultRegions {
  regions: string[];
  /** The environment variable they came from; undefined when from the file or nowhere. */
  variable: "AWS_REGION" | "AWS_DEFAULT_REGION" | undefined;
}

/** Region list for accounts that do not name their own: the file's, else the SDK's variables. */
function defaultRegions(file: FileConfig, env: NodeJS.ProcessEnv): DefaultRegions {
  if (file.regions) return { regions: file.regions, variable: undefined };
  if (env.AWS_REGION) return { regions: [env.AWS_REGION], variable: "AWS_REGION" };
  if (env.AWS_DEFAULT_REGION)
    return { regions: [env.AWS_DEFAULT_REGION], variable: "AWS_DEFAULT_REGION" };
  return { regions: [], variable: undefined };
}

/**
 * Every account must end up with regions, from its entry, the file or the environment.
 * Messages say which of those to set; `fileName` is undefined when there is no file.
 */
function checkRegions(
  fileName: string | undefined,
  file: FileConfig,
  defaults: DefaultRegions,
  problems: string[],
): void {
  if (defaults.variable !== undefined && !REGION.test(defaults.regions[0] ?? "")) {
    problems.push(
      `${defaults.variable}: ${JSON.stringify(defaults.regions[0])} is not an AWS region name (like us-east-1)`,
    );
  }
  if (defaults.regions.length > 0) return;
  if (fileName === undefined) {
    problems.push(
      "no region to poll: set AWS_REGION (or AWS_DEFAULT_REGION), or give a config file with regions (--config.file)",
    );
    return;
  }
  const fix = "set regions at the top of the file (like regions: [us-east-1]) or AWS_REGION";
  const discovery = file.discovery?.organizations;
  if (discovery && !discovery.regions) {
    problems.push(
      `${fileName}: discovery.organizations.regions: no regions: set them here, or ${fix}`,
    );
  }
  if (file.accounts === undefined && !discovery) {
    problems.push(`${fileName}: regions: no regions to poll: ${fix}`);
  }
  file.accounts?.forEach((account, index) => {
    if (!account.regions)
      problems.push(
        `${fileName}: accounts[${index}].regions: no regions: set them in this entry, or ${fix}`,
      );
  });
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
 * Checks between keys of the file, made on the keys that are valid on their own so they are
 * reported together with every other problem, and against the defaults of keys not set.
 */
function betweenKeys(file: FileConfig, retry: RetryPolicy, invalid: Set<string>): string[] {
  const problems: string[] = [];
  // A default standing in for a key the user got wrong would only confuse.
  if (["interval", "timeout", "maxStaleness", "retry"].some((key) => invalid.has(key))) {
    return problems;
  }
  const interval = file.interval ?? DEFAULTS.intervalMs;
  const intervalText = `interval (${formatDuration(interval)}${file.interval === undefined ? ", the default" : ""})`;
  if (file.timeout !== undefined && file.timeout > interval) {
    problems.push(
      `timeout: ${formatDuration(file.timeout)} is longer than ${intervalText}; a poll would still run when the next is due`,
    );
  }
  if (file.maxStaleness !== undefined && file.maxStaleness < interval) {
    problems.push(
      `maxStaleness: ${formatDuration(file.maxStaleness)} is shorter than ${intervalText}; every series would flap`,
    );
  }
  if (retry.minDelayMs > retry.maxDelayMs) {
    problems.push(
      `retry.minDelay: ${formatDuration(retry.minDelayMs)} is longer than retry.maxDelay (${formatDuration(retry.maxDelayMs)}${file.retry?.maxDelay === undefined ? ", the default" : ""})`,
    );
  }
  return problems;
}

/**
 * Flags + config file + AWS environment variables → validated Config. Every problem found
 * is collected so the user fixes them in one go; any problem throws ConfigError.
 */
export function loadConfig(
  flags: Flags,
  env: NodeJS.ProcessEnv,
  readFile: ReadFile = readUtf8,
): Config {
  const problems: string[] = [];
  let file: FileConfig = {};
  // Keys that the file has but got wrong; checks that would only repeat them are skipped.
  let invalidKeys = new Set<string>();
  if (flags.configFile !== undefined) {
    if (flags.demo) {
      problems.push("--demo: builds its own targets; do not combine it with --config.file");
    }
    const source = readConfigSource(flags.configFile, readFile);
    problems.push(...source.problems);
    if ("value" in source) {
      const checked = checkConfigFile(source.value, flags.configFile);
      problems.push(...checked.problems);
      ({ file, invalidKeys } = checked);
    } else invalidKeys = new Set(FILE_KEYS);
  }

  const listenAddresses = listenAddressesOf(flags, problems);
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
    problems.push(`--log.format: ${JSON.stringify(logFormat)} is not json, logfmt or pretty`);
  }

  const intervalMs = file.interval ?? DEFAULTS.intervalMs;
  const timeoutMs = file.timeout ?? Math.min(DEFAULTS.timeoutMs, intervalMs);
  const retry = {
    maxAttempts: file.retry?.maxAttempts ?? DEFAULTS.retry.maxAttempts,
    minDelayMs: file.retry?.minDelay ?? DEFAULTS.retry.minDelayMs,
    maxDelayMs: file.retry?.maxDelay ?? DEFAULTS.retry.maxDelayMs,
  };
  if (flags.configFile !== undefined) {
    problems.push(
      ...betweenKeys(file, retry, invalidKeys).map((problem) => `${flags.configFile}: ${problem}`),
    );
  }

  const defaults = defaultRegions(file, env);
  const discovery = discoveryOf(file);
  // With discovery, no `accounts` means only the discovered ones, not the caller's own.
  const accounts: AccountConfig[] = file.accounts ?? (discovery ? [] : [{}]);
  const shard = shardOf(file, flags, problems);
  const regionKeysValid = !["regions", "accounts", "discovery"].some((k) => invalidKeys.has(k));
  if (!flags.demo && regionKeysValid) checkRegions(flags.configFile, file, defaults, problems);
  const regions = defaults.regions;

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
    listenAddresses,
    webConfigFile: flags.webConfigFile,
    enableLifecycle: flags.enableLifecycle,
    telemetryPath,
    logLevel: logLevel as LogLevel,
    logFormat: logFormat as LogFormat,
    demo: flags.demo,
  };
}
