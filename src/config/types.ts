import type { LogFormat, LogLevel } from "../log/logger.js";
import type { StoreFilter } from "../model.js";

export type { LogFormat, LogLevel, StoreFilter };

export interface RetryPolicy {
  /** Attempts per API call, the first one included. */
  maxAttempts: number;
  /** Upper bound of the first backoff; each later one doubles, capped at maxDelayMs. */
  minDelayMs: number;
  maxDelayMs: number;
}

export interface AccountConfig {
  /** Absent: the account of the default credentials. */
  roleArn?: string;
  externalId?: string;
  name?: string;
  regions?: string[];
  /** Replaces the global `stores` filter for this account. */
  stores?: StoreFilter;
}

export interface OrganizationsDiscovery {
  /** Role in the management or delegated-admin account; undefined: the default credentials. */
  roleArn: string | undefined;
  externalId: string | undefined;
  /** Role assumed in every discovered account (arn:<partition>:iam::<id>:role/<name>). */
  memberRoleName: string;
  /** External id for the member roles. */
  memberExternalId: string | undefined;
  refreshMs: number;
  /** Where Organizations is called: the file's, or the one of the partition. */
  region: string;
  excludeAccounts: string[];
  /** Only accounts under these OUs or roots, recursively; empty: every account. */
  includeOrganizationalUnits: string[];
  /** Accounts under these OUs, recursively, are left out (after include). */
  excludeOrganizationalUnits: string[];
  /** Regions of discovered accounts; undefined: the default regions. */
  regions: string[] | undefined;
}

export interface Shard {
  index: number;
  count: number;
}

export interface ListenAddress {
  /** Undefined listens on every interface, as Prometheus exporters do for ":port". */
  host: string | undefined;
  port: number;
}

/** Opt-in lookups beyond DescribeCustomKeyStores; each needs its own IAM permission. */
export interface Enrichment {
  /**
   * How often a target's enrichments run, after a successful poll: CloudWatch publishes
   * the XKS metrics per 5 minutes, so asking every poll would only cost calls.
   */
  intervalMs: number;
  /** cloudhsm:DescribeClusters for the clusters behind AWS_CLOUDHSM stores. */
  cloudhsm: boolean;
  /** cloudwatch:ListMetrics and GetMetricData for the AWS/KMS metrics of XKS proxies. */
  xks: boolean;
  /** kms:ListKeys and kms:DescribeKey: the keys in each store, by state. */
  keys: boolean;
  /**
   * Requests per second per target for the key inventory, each operation its own bucket,
   * apart from DescribeCustomKeyStores': a first inventory of 10,000 keys must not starve
   * the store polls, nor eat the account's quota that other callers share.
   */
  keysRateLimit: { listKeys: number; describeKey: number };
}

export interface Config {
  configFile: string | undefined;
  intervalMs: number;
  timeoutMs: number;
  concurrency: number;
  retry: RetryPolicy;
  /** Token bucket per target, shared by all its calls (retries included). */
  rateLimit: { perSecond: number; burst: number };
  /** After this long without a successful poll a target's store series go; undefined: never. */
  maxStalenessMs: number | undefined;
  regions: string[];
  accounts: AccountConfig[];
  /** The global store filter; undefined: every store. */
  stores: StoreFilter | undefined;
  /** Lifetime asked for assumed-role sessions. */
  sessionDurationSeconds: number;
  /** A poll that finds more stores than this fails as InvalidResponse. */
  maxStoresPerTarget: number;
  discovery: OrganizationsDiscovery | undefined;
  /** STS region for AssumeRole and GetCallerIdentity; undefined: each account's first region. */
  stsRegion: string | undefined;
  shard: Shard;
  enrich: Enrichment;
  /** At least one; each gets its own listener. */
  listenAddresses: ListenAddress[];
  /** exporter-toolkit web config (TLS, basic auth); undefined: plain HTTP, no auth. */
  webConfigFile: string | undefined;
  /** POST /-/reload is answered only when set. */
  enableLifecycle: boolean;
  telemetryPath: string;
  logLevel: LogLevel;
  logFormat: LogFormat;
  demo: boolean;
}
