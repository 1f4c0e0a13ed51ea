import { expandKeys, type SimKey } from "./keys.js";
import { type MarkerCodec, markerCodec } from "./markers.js";
import { type TokenBucket, tokenBucket } from "./ratelimit.js";
import type {
  AccountSpec,
  AccountStatus,
  ClusterSpec,
  FaultSpec,
  GenerateSpec,
  KeySpec,
  RateLimitSpec,
  RegionSpec,
  Scenario,
  StoreSpec,
} from "./scenario.js";
import type { SigningSecret } from "./sigv4.js";
import { generateStores } from "./stores.js";

/** One account × region as KMS sees it, plus the per-target call counter faults key on. */
export interface Target {
  readonly accountId: string;
  readonly region: string;
  /** Generated stores are built on first read and cached; assigning replaces them all. */
  stores: StoreSpec[];
  readonly pageSize: number;
  readonly faults: readonly FaultSpec[];
  readonly markers: MarkerCodec;
  /** DescribeCustomKeyStores quota for this account × region, when one is configured. */
  readonly rateLimit: TokenBucket | undefined;
  describeCalls: number;
  /** CloudHSM clusters listed in the scenario (defaults for the others: see cloudhsm.ts). */
  readonly clusters: readonly ClusterSpec[];
  /** Calls to DescribeClusters, ListMetrics and GetMetricData, which their faults key on. */
  clusterCalls: number;
  listMetricsCalls: number;
  metricCalls: number;
  /** KMS keys, built from the scenario on first read; assigning replaces them all. */
  keys: SimKey[];
  /** ListKeys markers, bound to this target apart from DescribeCustomKeyStores' own. */
  readonly keyMarkers: MarkerCodec;
  listKeysCalls: number;
  describeKeyCalls: number;
}

/** Who a set of credentials belongs to, as GetCallerIdentity reports it. */
export interface Identity {
  accountId: string;
  arn: string;
  userId: string;
}

export interface Credential {
  secret: SigningSecret;
  identity: Identity;
}

const DEFAULT_PAGE_SIZE = 1000;
const ACCOUNT_ID = /^\d{12}$/;

interface TargetSetup {
  stores: readonly StoreSpec[];
  clusters: readonly ClusterSpec[];
  generate: GenerateSpec | undefined;
  pageSize: number | undefined;
  rateLimit: RateLimitSpec | undefined;
  keys: readonly KeySpec[];
  faults: readonly FaultSpec[];
}

class LazyTarget implements Target {
  describeCalls = 0;
  clusterCalls = 0;
  listMetricsCalls = 0;
  metricCalls = 0;
  listKeysCalls = 0;
  describeKeyCalls = 0;
  readonly clusters: readonly ClusterSpec[];
  readonly pageSize: number;
  readonly faults: readonly FaultSpec[];
  readonly rateLimit: TokenBucket | undefined;
  private cached: StoreSpec[] | undefined;
  private cachedKeys: SimKey[] | undefined;
  private readonly keySpecs: readonly KeySpec[];
  private readonly explicit: readonly StoreSpec[];
  private readonly generate: GenerateSpec | undefined;

  constructor(
    readonly accountId: string,
    readonly region: string,
    readonly markers: MarkerCodec,
    readonly keyMarkers: MarkerCodec,
    setup: TargetSetup,
    defaults: { pageSize: number | undefined; rateLimit: RateLimitSpec | undefined },
  ) {
    this.explicit = setup.stores;
    this.clusters = setup.clusters;
    this.generate = setup.generate;
    this.keySpecs = setup.keys;
    this.pageSize = setup.pageSize ?? defaults.pageSize ?? DEFAULT_PAGE_SIZE;
    this.faults = setup.faults;
    const limit = setup.rateLimit ?? defaults.rateLimit;
    this.rateLimit = limit === undefined ? undefined : tokenBucket(limit);
  }

  get stores(): StoreSpec[] {
    if (this.cached === undefined) {
      const generated = this.generate
        ? generateStores(this.accountId, this.region, this.generate)
        : [];
      this.cached = [...this.explicit, ...generated];
    }
    return this.cached;
  }

  set stores(stores: StoreSpec[]) {
    this.cached = stores;
  }

  get keys(): SimKey[] {
    this.cachedKeys ??= expandKeys(this.accountId, this.region, this.keySpecs);
    return this.cachedKeys;
  }

  set keys(keys: SimKey[]) {
    this.cachedKeys = keys;
  }
}

const EMPTY_SETUP: TargetSetup = {
  stores: [],
  clusters: [],
  generate: undefined,
  pageSize: undefined,
  rateLimit: undefined,
  keys: [],
  faults: [],
};

function setupOf(spec: RegionSpec): TargetSetup {
  return {
    stores: spec.stores ?? [],
    clusters: spec.clusters ?? [],
    generate: spec.generate,
    pageSize: spec.pageSize,
    rateLimit: spec.rateLimit,
    keys: spec.keys ?? [],
    faults: spec.faults ?? [],
  };
}

/**
 * Mutable simulator state: member accounts, targets (created lazily for unknown ones) and
 * issued credentials.
 */
export class World {
  private readonly targets = new Map<string, Target>();
  /** Every credential the simulator verifies signatures for: the scenario's and AssumeRole's. */
  private readonly credentialTable = new Map<string, Credential>();
  private accountList: AccountSpec[] = [];
  private readonly accountsById = new Map<string, AccountSpec>();
  /** Calls to Organizations (any operation), which `organizations.faults` key on. */
  organizationsCalls = 0;
  readonly organizationMarkers: MarkerCodec;

  constructor(
    private readonly scenario: Scenario,
    private readonly markerNonce: string,
  ) {
    this.organizationMarkers = markerCodec(markerNonce, "organizations/ListAccounts");
    this.replaceAccounts(scenario.accounts);
    const caller = this.defaultIdentity();
    for (const secret of scenario.credentials) {
      this.credentialTable.set(secret.accessKeyId, { secret, identity: caller });
    }
  }

  get organizations(): Scenario["organizations"] {
    return this.scenario.organizations;
  }

  /** Members in scenario order, as ListAccounts lists them. */
  get accounts(): readonly AccountSpec[] {
    return this.accountList;
  }

  account(accountId: string): AccountSpec | undefined {
    return this.accountsById.get(accountId);
  }

  /**
   * Replaces membership and every target's stores. Call counters and rate-limit buckets of
   * targets that exist before and after carry over; targets of removed accounts are dropped
   * (KMS there then answers an empty list, and AssumeRole into them is denied).
   */
  setAccounts(accounts: readonly AccountSpec[]): void {
    const seen = new Set<string>();
    for (const account of accounts) {
      if (!ACCOUNT_ID.test(account.id)) {
        throw new Error(`account id must be 12 digits, not "${account.id}"`);
      }
      if (seen.has(account.id)) throw new Error(`duplicate account id "${account.id}"`);
      seen.add(account.id);
    }
    const previous = new Map(this.targets);
    this.replaceAccounts(accounts);
    for (const [key, target] of this.targets) {
      const before = previous.get(key);
      if (before !== undefined) carryOver(before, target);
    }
  }

  setAccountStatus(accountId: string, status: AccountStatus): void {
    const index = this.accountList.findIndex((account) => account.id === accountId);
    const account = this.accountList[index];
    if (account === undefined) throw new Error(`no account ${accountId} in the simulator`);
    const updated = { ...account, status };
    this.accountList[index] = updated;
    this.accountsById.set(accountId, updated);
  }

  target(accountId: string, region: string): Target {
    const key = targetKey(accountId, region);
    let target = this.targets.get(key);
    if (target === undefined) {
      target = this.newTarget(accountId, region, EMPTY_SETUP);
      this.targets.set(key, target);
    }
    return target;
  }

  setStores(accountId: string, region: string, stores: readonly StoreSpec[]): void {
    this.target(accountId, region).stores = [...stores];
  }

  /** Replaces one account × region's keys, given as the scenario gives them. */
  setKeys(accountId: string, region: string, keys: readonly KeySpec[]): void {
    this.target(accountId, region).keys = expandKeys(accountId, region, keys);
  }

  /**
   * A credential the simulator knows: the scenario's static ones belong to the default
   * account, AssumeRole's to the role. Undefined for any other access key id, which AWS
   * does not recognise either.
   */
  credential(accessKeyId: string): Credential | undefined {
    return this.credentialTable.get(accessKeyId);
  }

  bindCredentials(secret: SigningSecret, identity: Identity): void {
    this.credentialTable.set(secret.accessKeyId, { secret, identity });
  }

  private defaultIdentity(): Identity {
    const accountId = this.scenario.defaultAccountId;
    return {
      accountId,
      arn: `arn:aws:iam::${accountId}:user/simulator`,
      userId: "AIDASIMULATORUSER0000",
    };
  }

  private replaceAccounts(accounts: readonly AccountSpec[]): void {
    this.accountList = [...accounts];
    this.accountsById.clear();
    this.targets.clear();
    for (const account of this.accountList) {
      this.accountsById.set(account.id, account);
      for (const spec of account.regions ?? []) {
        this.targets.set(
          targetKey(account.id, spec.region),
          this.newTarget(account.id, spec.region, setupOf(spec)),
        );
      }
    }
  }

  private newTarget(accountId: string, region: string, setup: TargetSetup): Target {
    return new LazyTarget(
      accountId,
      region,
      markerCodec(this.markerNonce, targetKey(accountId, region)),
      markerCodec(this.markerNonce, `${targetKey(accountId, region)}/ListKeys`),
      setup,
      { pageSize: this.scenario.pageSize, rateLimit: this.scenario.rateLimit },
    );
  }
}

function carryOver(before: Target, after: Target): void {
  after.describeCalls = before.describeCalls;
  after.clusterCalls = before.clusterCalls;
  after.listMetricsCalls = before.listMetricsCalls;
  after.metricCalls = before.metricCalls;
  after.listKeysCalls = before.listKeysCalls;
  after.describeKeyCalls = before.describeKeyCalls;
  if (before.rateLimit !== undefined && after.rateLimit !== undefined) {
    after.rateLimit.restore(before.rateLimit);
  }
}

function targetKey(accountId: string, region: string): string {
  return `${accountId}/${region}`;
}
