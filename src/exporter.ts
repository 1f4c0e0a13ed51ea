import type { KMSClient } from "@aws-sdk/client-kms";
import { OrganizationsClient } from "@aws-sdk/client-organizations";
import { fromNodeProviderChain } from "@aws-sdk/credential-providers";
import type { AwsCredentialIdentityProvider } from "@aws-sdk/types";
import type { NodeHttpHandler } from "@smithy/node-http-handler";
import {
  type AwsSettings,
  callerAccountId,
  clientOptions,
  createKmsClient,
  createRequestHandler,
} from "./aws/clients.js";
import { assumedRoleCredentials, sharedCredentials } from "./aws/credentials.js";
import { accountIdOfRoleArn } from "./config/load.js";
import type { Config, OrganizationsDiscovery } from "./config/types.js";
import type { Logger } from "./log.js";
import type { ExporterMetrics } from "./metrics/exporter-metrics.js";
import { classifyError } from "./poller/errors.js";
import { PollError, pollTarget } from "./poller/poll.js";
import { TargetRateLimiter } from "./poller/rate-limit.js";
import { Scheduler } from "./poller/scheduler.js";
import type { StateStore } from "./state/state.js";
import type { StoreTransition } from "./state/transitions.js";
import { listOrganizationMembers, memberAccounts } from "./targets/organizations.js";
import { inShard } from "./targets/shard.js";
import {
  type Account,
  mergeAccounts,
  needsCallerIdentity,
  resolveAccounts,
  type Target,
  targetsOf,
} from "./targets/targets.js";

/** More pages than this is a broken paginator, not a real account (KMS allows few stores). */
const MAX_PAGES = 1000;
const DEFAULT_STS_REGION = "us-east-1";

export interface ExporterOptions {
  config: Config;
  aws: AwsSettings;
  state: StateStore;
  metrics: ExporterMetrics;
  logger: Logger;
  now?: () => number;
}

interface AccountSession {
  /** What the session was made for; a reload that changes it gets a new session. */
  identity: string;
  credentials: AwsCredentialIdentityProvider | undefined;
}

function sessionIdentity(account: Account): string {
  return `${account.roleArn ?? "default"}\u0000${account.externalId ?? ""}`;
}

function sameDiscovery(
  a: OrganizationsDiscovery | undefined,
  b: OrganizationsDiscovery | undefined,
): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/**
 * Wires config → accounts (configured, discovered, this shard's) → targets → scheduled polls
 * → state. Owns the AWS clients: one KMS client per target, one credential session per
 * account shared by its regions. A reload swaps the config and keeps whatever still applies.
 */
export class Exporter {
  private config: Config;
  private readonly scheduler: Scheduler;
  private readonly requestHandler: NodeHttpHandler;
  private readonly aws: AwsSettings;
  private readonly clients = new Map<string, { client: KMSClient; identity: string }>();
  private readonly sessions = new Map<string, AccountSession>();
  private readonly limiters = new Map<string, TargetRateLimiter>();
  private accounts = new Map<string, Account>();
  private readonly now: () => number;
  private readonly stopController = new AbortController();
  private defaultAccountId: string | undefined;
  private identityPending = false;
  private wasReady = false;
  /** Last good Organizations member list; undefined until the first refresh ends. */
  private discovered: Account[] | undefined;
  private discoveryTimer: ReturnType<typeof setTimeout> | undefined;
  private discoveryGeneration = 0;
  private discoveryCredentials: AwsCredentialIdentityProvider | undefined;

  constructor(private readonly options: ExporterOptions) {
    this.config = options.config;
    this.now = options.now ?? Date.now;
    // One default credential chain for the process: per client, every KMS client and every
    // role's STS client would resolve it (IMDS, web identity, ...) on its own.
    this.aws = {
      ...options.aws,
      baseCredentials: options.aws.baseCredentials ?? sharedCredentials(fromNodeProviderChain()),
    };
    this.requestHandler = createRequestHandler(this.aws, options.config.concurrency);
    this.scheduler = new Scheduler({
      intervalMs: this.config.intervalMs,
      concurrency: this.config.concurrency,
      poll: (target, signal) => this.pollOne(target, signal),
      now: this.now,
    });
  }

  /**
   * Ready once every target has finished a first poll, successful or not. It then stays
   * ready: targets added later by a reload or discovery must not take the exporter out of
   * its Service, which would stop the scrapes of everything else.
   */
  ready(): boolean {
    if (this.wasReady) return true;
    const discoveryDone = !this.config.discovery || this.discovered !== undefined;
    this.wasReady = !this.identityPending && discoveryDone && this.options.state.allPolled();
    return this.wasReady;
  }

  start(): void {
    this.options.metrics.pollInterval.set(this.config.intervalMs / 1000);
    this.applyAccounts();
    this.resolveDefaultAccountIfNeeded();
    this.restartDiscovery();
  }

  /** Applies a new, already validated config. Unchanged targets keep their state. */
  reload(config: Config): void {
    const previous = this.config;
    this.config = config;
    this.options.metrics.pollInterval.set(config.intervalMs / 1000);
    this.scheduler.configure({ intervalMs: config.intervalMs, concurrency: config.concurrency });
    for (const limiter of this.limiters.values()) limiter.configure(config.rateLimit);
    if (!sameDiscovery(previous.discovery, config.discovery)) {
      // Keep the discovered accounts (and their series) until the new refresh replaces them;
      // only a config without discovery drops them at once.
      if (!config.discovery) this.discovered = undefined;
      this.restartDiscovery();
    }
    this.applyAccounts();
    this.resolveDefaultAccountIfNeeded();
  }

  private resolveDefaultAccountIfNeeded(): void {
    if (
      this.defaultAccountId === undefined &&
      !this.identityPending &&
      needsCallerIdentity(this.config.accounts)
    ) {
      this.identityPending = true;
      void this.resolveDefaultAccount();
    }
  }

  /**
   * The default credentials' account id labels its series, so it is looked up (once) before
   * that account's targets exist. Failures are retried every interval, never fatal.
   */
  private async resolveDefaultAccount(): Promise<void> {
    const { logger } = this.options;
    while (!this.stopController.signal.aborted) {
      const config = this.config;
      if (!needsCallerIdentity(config.accounts)) {
        this.identityPending = false;
        return;
      }
      const entry = config.accounts.find((account) => account.roleArn === undefined);
      const region = entry?.regions?.[0] ?? config.regions[0] ?? DEFAULT_STS_REGION;
      try {
        const signal = AbortSignal.any([
          this.stopController.signal,
          AbortSignal.timeout(config.timeoutMs),
        ]);
        this.defaultAccountId = await callerAccountId(
          region,
          this.aws,
          this.requestHandler,
          signal,
        );
        logger.info({ account_id: this.defaultAccountId }, "default credentials resolved");
        this.identityPending = false;
        this.applyAccounts();
        return;
      } catch (error) {
        if (this.stopController.signal.aborted) return;
        logger.error(
          { err: { name: (error as Error).name, message: (error as Error).message } },
          "cannot find the account of the default credentials (sts:GetCallerIdentity); retrying",
        );
        await new Promise((resolve) => setTimeout(resolve, config.intervalMs).unref());
      }
    }
  }

  private restartDiscovery(): void {
    clearTimeout(this.discoveryTimer);
    this.discoveryCredentials = undefined;
    this.discoveryGeneration++;
    if (this.config.discovery) void this.refreshDiscovery(this.discoveryGeneration);
  }

  /** One Organizations refresh, then the next one after `refresh`. */
  private async refreshDiscovery(generation: number): Promise<void> {
    const discovery = this.config.discovery;
    if (!discovery || generation !== this.discoveryGeneration || this.stopController.signal.aborted)
      return;
    const { metrics, logger } = this.options;
    const managementAccountId = discovery.roleArn
      ? accountIdOfRoleArn(discovery.roleArn)
      : this.defaultAccountId;
    const labels = {
      account_id: managementAccountId ?? "",
      region: DEFAULT_STS_REGION,
      operation: "ListAccounts",
    };
    if (discovery.roleArn && !this.discoveryCredentials) {
      this.discoveryCredentials = this.roleCredentials(
        {
          accountId: labels.account_id,
          name: undefined,
          roleArn: discovery.roleArn,
          externalId: discovery.externalId,
          regions: [],
        },
        discovery.roleArn,
      );
    }
    const credentials = discovery.roleArn ? this.discoveryCredentials : this.aws.baseCredentials;
    const client = new OrganizationsClient({
      ...clientOptions(DEFAULT_STS_REGION, credentials, this.aws, this.requestHandler),
      maxAttempts: 3,
    });
    try {
      const signal = AbortSignal.any([
        this.stopController.signal,
        AbortSignal.timeout(this.config.timeoutMs * 4),
      ]);
      const members = await listOrganizationMembers(client, signal, () =>
        metrics.apiRequests.inc(labels),
      );
      if (generation !== this.discoveryGeneration) return;
      this.discovered = memberAccounts(members, discovery, this.config.regions);
      metrics.discoveryAccounts.set(this.discovered.length);
      metrics.discoveryLastSuccessTimestamp.set(this.now() / 1000);
      logger.info(
        { members: members.length, accounts: this.discovered.length },
        "organizations accounts refreshed",
      );
      this.applyAccounts();
    } catch (error) {
      if (generation !== this.discoveryGeneration || this.stopController.signal.aborted) return;
      const classified = classifyError(error);
      // The failed call was not counted by the per-page hook.
      metrics.apiRequests.inc(labels);
      metrics.apiRequestErrors.inc({ ...labels, error: classified.name });
      metrics.discoveryRefreshFailures.inc();
      logger.warn(
        {
          error: classified.name,
          message: (error as Error).message,
          kept: this.discovered?.length ?? 0,
        },
        "organizations refresh failed; keeping the last good account list",
      );
      // The first refresh counts as done even when it fails, so /readyz does not hang on it.
      if (this.discovered === undefined) {
        this.discovered = [];
        this.applyAccounts();
      }
    }
    this.discoveryTimer = setTimeout(
      () => void this.refreshDiscovery(generation),
      discovery.refreshMs,
    );
    this.discoveryTimer.unref();
  }

  private applyAccounts(): void {
    const { config } = this;
    const configured = resolveAccounts(config.accounts, config.regions, this.defaultAccountId);
    const all = mergeAccounts(configured, this.discovered ?? []);
    const mine = all.filter((account) => inShard(account.accountId, config.shard));
    this.accounts = new Map(mine.map((account) => [account.accountId, account]));
    for (const [accountId, session] of this.sessions) {
      const account = this.accounts.get(accountId);
      if (!account || sessionIdentity(account) !== session.identity)
        this.sessions.delete(accountId);
    }
    const targets = targetsOf(mine);
    const targetKeys = new Set(targets.map((target) => target.key));
    for (const [key, entry] of this.clients) {
      const account = this.accounts.get(key.split("/")[0] as string);
      if (!targetKeys.has(key) || !account || sessionIdentity(account) !== entry.identity) {
        this.clients.delete(key);
      }
    }
    for (const key of this.limiters.keys()) if (!targetKeys.has(key)) this.limiters.delete(key);
    const removed = [...this.options.state.states()]
      .map((state) => state.target)
      .filter((target) => !targetKeys.has(target.key));
    if (removed.length > 0) void this.forgetCounters(removed);
    this.options.state.setTargets(targets);
    this.scheduler.setTargets(targets);
    this.options.metrics.shardTargets.reset();
    this.options.metrics.shardTargets.set({ shard: String(config.shard.index) }, targets.length);
    this.options.logger.info(
      {
        accounts: this.accounts.size,
        targets: targets.length,
        shard: `${config.shard.index}/${config.shard.count}`,
      },
      "polling targets",
    );
  }

  private sessionOf(account: Account): AwsCredentialIdentityProvider | undefined {
    const identity = sessionIdentity(account);
    const existing = this.sessions.get(account.accountId);
    if (existing?.identity === identity) return existing.credentials;
    const credentials =
      account.roleArn === undefined
        ? this.aws.baseCredentials
        : this.roleCredentials(account, account.roleArn);
    this.sessions.set(account.accountId, { identity, credentials });
    return credentials;
  }

  /** An assumed-role session whose every STS call is counted, and whose failures are logged. */
  private roleCredentials(account: Account, roleArn: string): AwsCredentialIdentityProvider {
    const stsRegion = account.regions[0] ?? DEFAULT_STS_REGION;
    const { metrics, logger } = this.options;
    const labels = { account_id: account.accountId, region: stsRegion, operation: "AssumeRole" };
    let lastErrorName: string | undefined;
    return assumedRoleCredentials(
      {
        roleArn,
        externalId: account.externalId,
        baseCredentials: this.aws.baseCredentials,
        region: stsRegion,
        endpoint: this.aws.endpoint,
        durationSeconds: this.config.sessionDurationSeconds,
        requestHandler: this.requestHandler,
        onCall: (error) => {
          metrics.apiRequests.inc(labels);
          if (error === undefined) {
            lastErrorName = undefined;
            return;
          }
          const name = classifyError(error).name;
          metrics.apiRequestErrors.inc({ ...labels, error: name });
          // One warn when the role starts failing (or fails differently), not one per round.
          const log = name === lastErrorName ? logger.debug : logger.warn;
          lastErrorName = name;
          log.call(
            logger,
            {
              account_id: account.accountId,
              account_name: account.name,
              role_arn: roleArn,
              error: name,
              message: (error as Error).message,
            },
            "cannot assume the account's role",
          );
        },
      },
      { now: this.now, failureHoldMs: this.config.intervalMs / 2 },
    );
  }

  private limiterOf(target: Target): TargetRateLimiter {
    let limiter = this.limiters.get(target.key);
    if (!limiter) {
      limiter = new TargetRateLimiter(this.config.rateLimit, this.now);
      this.limiters.set(target.key, limiter);
    }
    return limiter;
  }

  private clientOf(target: Target, account: Account): KMSClient {
    const identity = sessionIdentity(account);
    let entry = this.clients.get(target.key);
    if (entry?.identity !== identity) {
      entry = {
        client: createKmsClient(
          target.region,
          this.sessionOf(account),
          this.aws,
          this.requestHandler,
        ),
        identity,
      };
      this.clients.set(target.key, entry);
    }
    return entry.client;
  }

  private async pollOne(target: Target, signal: AbortSignal): Promise<void> {
    const { config } = this;
    const { state, metrics, logger } = this.options;
    const account = this.accounts.get(target.accountId);
    if (!account) return;
    const labels = { account_id: target.accountId, region: target.region };
    const startedAt = this.now();
    try {
      const credentials = this.sessionOf(account);
      if (account.roleArn !== undefined && credentials) {
        // Fetch the session first, so a role that cannot be assumed is reported as such,
        // not as a failed DescribeCustomKeyStores call.
        await credentials().catch((error: unknown) => {
          throw new PollError(
            classifyError(error).name,
            `AssumeRole ${account.roleArn}: ${(error as Error).message}`,
            {
              cause: error,
            },
          );
        });
        // A reload may have removed the target or changed its role meanwhile.
        const current = this.accounts.get(target.accountId);
        if (signal.aborted || !current || sessionIdentity(current) !== sessionIdentity(account))
          return;
      }
      const stores = await pollTarget({
        client: this.clientOf(target, account),
        retry: config.retry,
        timeoutMs: config.timeoutMs,
        maxPages: MAX_PAGES,
        signal,
        now: this.now,
        rateLimiter: this.limiterOf(target),
        onRateLimitWait: (waitedMs) => {
          if (waitedMs > 0) metrics.rateLimitWait.inc(labels, waitedMs / 1000);
        },
        onAttempt: ({ operation, attempt, error }) => {
          metrics.apiRequests.inc({ ...labels, operation });
          if (!error) return;
          metrics.apiRequestErrors.inc({ ...labels, operation, error: error.name });
          logger.debug(
            { ...labels, operation, attempt, error: error.name, retryable: error.retryable },
            "API attempt failed",
          );
        },
      });
      if (signal.aborted) return;
      const before = state.get(target.key);
      const recovering = before?.polled === true && !before.up;
      const finishedAt = this.now();
      const transitions = state.recordSuccess(
        target.key,
        stores,
        finishedAt,
        finishedAt - startedAt,
      );
      for (const transition of transitions) logTransition(logger, target, transition);
      if (recovering)
        logger.info({ ...labels, stores: stores.length }, "target poll succeeded again");
    } catch (error) {
      if (signal.aborted) return;
      const pollError =
        error instanceof PollError
          ? error
          : new PollError("UnknownError", String(error), { cause: error });
      const failedAt = this.now();
      metrics.pollErrors.inc({ ...labels, error: pollError.errorName });
      const outcome = state.recordFailure(
        target.key,
        { name: pollError.errorName, message: pollError.message },
        failedAt - startedAt,
      );
      this.dropIfStale(target, failedAt);
      // One warn when a target goes down or fails differently, not one per poll or retry.
      const log = outcome.newlyDown || outcome.errorChanged ? logger.warn : logger.debug;
      log.call(
        logger,
        {
          ...labels,
          account_name: target.accountName,
          error: pollError.errorName,
          message: pollError.message,
        },
        "target poll failed; keeping its last known stores",
      );
    }
  }

  /** Removed targets' counters go too, or discovery churn would make them pile up. */
  private async forgetCounters(removed: Target[]): Promise<void> {
    const keys = new Set(removed.map((target) => `${target.accountId}/${target.region}`));
    const { apiRequests, apiRequestErrors, pollErrors, rateLimitWait } = this.options.metrics;
    for (const counter of [apiRequests, apiRequestErrors, pollErrors, rateLimitWait]) {
      const { values } = await counter.get();
      for (const { labels } of values) {
        if (keys.has(`${labels.account_id}/${labels.region}`)) counter.remove(labels);
      }
    }
  }

  /** maxStaleness: last known stores older than this are no longer worth exporting. */
  private dropIfStale(target: Target, at: number): void {
    const maxStalenessMs = this.config.maxStalenessMs;
    const lastSuccessMs = this.options.state.get(target.key)?.lastSuccessMs;
    if (maxStalenessMs === undefined || lastSuccessMs === undefined) return;
    if (at - lastSuccessMs > maxStalenessMs && this.options.state.dropStores(target.key)) {
      this.options.logger.warn(
        {
          account_id: target.accountId,
          region: target.region,
          last_success: new Date(lastSuccessMs).toISOString(),
        },
        "no successful poll within maxStaleness; dropping the target's store series",
      );
    }
  }

  async stop(): Promise<void> {
    this.stopController.abort();
    clearTimeout(this.discoveryTimer);
    await this.scheduler.stop();
    this.requestHandler.destroy();
  }
}

function logTransition(logger: Logger, target: Target, transition: StoreTransition): void {
  const from = transition.previousState ?? "(new)";
  const to = transition.state ?? "(gone)";
  logger.info(
    {
      account_id: target.accountId,
      account_name: target.accountName,
      region: target.region,
      custom_key_store_id: transition.store.id,
      custom_key_store_name: transition.store.name,
      custom_key_store_type: transition.store.type,
      from,
      to,
      error_code: transition.errorCode ?? null,
      previous_error_code: transition.previousErrorCode ?? null,
    },
    `key store ${transition.store.name || transition.store.id}: ${from} -> ${to}${transition.errorCode ? ` (${transition.errorCode})` : ""}`,
  );
}
