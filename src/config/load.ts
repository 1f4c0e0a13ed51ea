import { partitionOfArn } from "../aws/arn.js";
import { organizationsRegionOf, partitionOfRegion } from "../aws/partition.js";
import { betweenKeys, defaultRegions, partitionProblems, regionProblems } from "./consistency.js";
import { ConfigError } from "./errors.js";
import { checkConfigFile, FILE_KEYS, type FileConfig } from "./file.js";
import type { Flags } from "./flags.js";
import { type ReadFile, readConfigSource, readUtf8 } from "./source.js";
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
  /** Shortened to the interval when that is shorter, as Prometheus does for scrape_timeout. */
  timeoutMs: 30_000,
  concurrency: 16,
  retry: { maxAttempts: 5, minDelayMs: 200, maxDelayMs: 5_000 },
  // KMS allows 5 DescribeCustomKeyStores calls/s per account and region. Pacing exactly at
  // 5/s still gets throttled now and then (requests arrive with jitter), so the default
  // stays a little below it, without a burst.
  rateLimit: { perSecond: 4, burst: 1 },
  sessionDurationSeconds: 3_600,
  /** Raised to the poll interval when that is longer. */
  enrichIntervalMs: 300_000,
  /** Far below KMS's quotas (ListKeys 500/s, DescribeKey 2,000/s), which other callers share. */
  keysRateLimit: { listKeys: 5, describeKey: 20 },
  /** KMS's default quota is 10 stores per account and Region: a thousand times that is junk. */
  maxStoresPerTarget: 10_000,
  discoveryRefreshMs: 3_600_000,
  listenAddress: ":10127",
  telemetryPath: "/metrics",
  logLevel: "info",
  logFormat: "json",
} as const;

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

/**
 * Organizations is called in its partition's region: the partition of the discovery role,
 * else of the regions its members are polled in.
 */
function organizationsRegion(
  organizations: NonNullable<NonNullable<FileConfig["discovery"]>["organizations"]>,
  defaultRegions: string[],
): string {
  if (organizations.region) return organizations.region;
  const firstRegion = (organizations.regions ?? defaultRegions)[0];
  const partition =
    (organizations.roleArn && partitionOfArn(organizations.roleArn)) ??
    (firstRegion ? partitionOfRegion(firstRegion) : "aws");
  return organizationsRegionOf(partition) ?? firstRegion ?? "us-east-1";
}

function discoveryOf(
  file: FileConfig,
  defaultRegions: string[],
): OrganizationsDiscovery | undefined {
  const organizations = file.discovery?.organizations;
  if (!organizations) return undefined;
  return {
    region: organizationsRegion(organizations, defaultRegions),
    roleArn: organizations.roleArn,
    externalId: organizations.externalId,
    memberRoleName: organizations.memberRoleName,
    memberExternalId: organizations.memberExternalId,
    refreshMs: organizations.refresh ?? DEFAULTS.discoveryRefreshMs,
    excludeAccounts: organizations.excludeAccounts ?? [],
    includeOrganizationalUnits: organizations.includeOrganizationalUnits ?? [],
    excludeOrganizationalUnits: organizations.excludeOrganizationalUnits ?? [],
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
    const between = betweenKeys(file, retry, invalidKeys, DEFAULTS.intervalMs);
    problems.push(...between.map((problem) => `${flags.configFile}: ${problem}`));
  }

  const defaults = defaultRegions(file, env);
  const discovery = discoveryOf(file, defaults.regions);
  // With discovery, no `accounts` means only the discovered ones, not the caller's own.
  const accounts: AccountConfig[] = file.accounts ?? (discovery ? [] : [{}]);
  const shard = shardOf(file, flags, problems);
  const regionKeysValid = !["regions", "accounts", "discovery"].some((k) => invalidKeys.has(k));
  if (!flags.demo && regionKeysValid) {
    problems.push(...regionProblems(flags.configFile, file, defaults));
    const inPartitions = partitionProblems(file, defaults.regions);
    problems.push(...inPartitions.map((problem) => `${flags.configFile}: ${problem}`));
  }
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
    maxStoresPerTarget: file.maxStoresPerTarget ?? DEFAULTS.maxStoresPerTarget,
    stores: file.stores,
    discovery,
    stsRegion: file.sts?.region,
    shard,
    enrich: {
      intervalMs: file.enrich?.interval ?? Math.max(DEFAULTS.enrichIntervalMs, intervalMs),
      cloudhsm: file.enrich?.cloudhsm ?? false,
      xks: file.enrich?.xks ?? false,
      keys: file.enrich?.keys ?? false,
      keysRateLimit: { ...DEFAULTS.keysRateLimit, ...file.enrich?.keysRateLimit },
    },
    listenAddresses,
    webConfigFile: flags.webConfigFile,
    enableLifecycle: flags.enableLifecycle,
    telemetryPath,
    logLevel: logLevel as LogLevel,
    logFormat: logFormat as LogFormat,
    demo: flags.demo,
  };
}
