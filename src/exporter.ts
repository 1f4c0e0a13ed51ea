import { accountIdOfRoleArn } from "./aws/arn.js";
import { assumeRoleReporter } from "./aws/assume-role-report.js";
import { callerAccountId, lookUpDefaultAccount } from "./aws/caller-identity.js";
import type { AwsSettings } from "./aws/clients.js";
import { SessionPool, type SessionSettings } from "./aws/sessions.js";
import type { Config, OrganizationsDiscovery } from "./config/types.js";
import type { EnrichmentStore } from "./enrichment/state.js";
import type { Logger } from "./log/logger.js";
import { type ExporterMetrics, forgetTargetCounters } from "./metrics/exporter-metrics.js";
import { createPollJob } from "./poller/job.js";
import { Scheduler } from "./poller/scheduler.js";
import type { StateStore } from "./state/state.js";
import { Discovery } from "./targets/discovery.js";
import { listOrganizationMembers } from "./targets/organizations.js";
import { needsCallerIdentity, planTargets } from "./targets/plan.js";

export interface ExporterOptions {
  config: Config;
  aws: AwsSettings;
  state: StateStore;
  enrichment: EnrichmentStore;
  metrics: ExporterMetrics;
  logger: Logger;
  now?: () => number;
}

function sessionSettings(config: Config): SessionSettings {
  return {
    rateLimit: config.rateLimit,
    sessionDurationSeconds: config.sessionDurationSeconds,
    failureHoldMs: config.intervalMs / 2,
    // Once per interval is once per poll of each of the account's targets.
    refetchAfterMs: config.intervalMs,
    stsRegion: config.stsRegion,
  };
}

/**
 * The coordinator: holds the current config and readiness, and turns a change of its
 * inputs (config, default account, discovered accounts) into a plan, which the session
 * pool retains and the state and scheduler poll.
 */
export class Exporter {
  private config: Config;
  private readonly pool: SessionPool;
  private readonly scheduler: Scheduler;
  private readonly discovery: Discovery;
  private readonly stopController = new AbortController();
  private defaultAccountId: string | undefined;
  private identityPending = false;
  private wasReady = false;

  constructor(private readonly options: ExporterOptions) {
    const { config, metrics, logger } = options;
    const now = options.now ?? Date.now;
    this.config = config;
    this.pool = new SessionPool({
      aws: options.aws,
      concurrency: config.concurrency,
      settings: sessionSettings(config),
      now,
      reportAssumeRole: assumeRoleReporter(metrics, logger),
    });
    this.discovery = new Discovery({
      createLister: (discovery) => this.organizationsLister(discovery),
      defaultAccountId: () => this.defaultAccountId,
      onChange: () => this.applyAccounts(),
      metrics,
      logger,
      now,
    });
    this.scheduler = new Scheduler({
      intervalMs: config.intervalMs,
      concurrency: config.concurrency,
      poll: createPollJob({
        pool: this.pool,
        settings: () => this.config,
        state: options.state,
        enrichment: options.enrichment,
        metrics,
        logger,
        now,
        stopSignal: this.stopController.signal,
      }),
      waitFor: (target) => this.pool.pendingCredentials(target),
      now,
    });
  }

  /**
   * Ready once every target has finished a first poll, successful or not. It then stays
   * ready: targets added later by a reload or discovery must not take the exporter out of
   * its Service, which would stop the scrapes of everything else.
   */
  ready(): boolean {
    this.wasReady ||=
      !this.identityPending && this.discovery.settled() && this.options.state.allPolled();
    return this.wasReady;
  }

  start(): void {
    this.apply(this.config);
  }

  /** Applies a new, already validated config. Unchanged targets keep their state. */
  reload(config: Config): void {
    this.scheduler.configure({ intervalMs: config.intervalMs, concurrency: config.concurrency });
    this.pool.configure(sessionSettings(config));
    this.apply(config);
  }

  async stop(): Promise<void> {
    this.stopController.abort();
    this.discovery.stop();
    await this.scheduler.stop();
    this.pool.destroy();
  }

  private apply(config: Config): void {
    this.config = config;
    this.options.metrics.pollInterval.set(config.intervalMs / 1000);
    this.discovery.configure({
      discovery: config.discovery,
      defaultRegions: config.regions,
      timeoutMs: config.timeoutMs,
    });
    this.applyAccounts();
    this.resolveDefaultAccountIfNeeded();
  }

  private applyAccounts(): void {
    const { config } = this;
    const { state, metrics, logger } = this.options;
    const plan = planTargets(config, this.defaultAccountId, this.discovery.accounts());
    this.pool.retain(plan.accounts);
    const keys = new Set(plan.targets.map((target) => target.key));
    const removed = [...state.states()]
      .map((targetState) => targetState.target)
      .filter((target) => !keys.has(target.key));
    if (removed.length > 0) forgetTargetCounters(metrics, removed);
    state.setTargets(plan.targets);
    this.options.enrichment.retain(keys);
    this.scheduler.setTargets(plan.targets);
    metrics.shardTargets.reset();
    metrics.shardTargets.set({ shard: String(config.shard.index) }, plan.targets.length);
    logger.info(
      {
        accounts: plan.accounts.length,
        targets: plan.targets.length,
        shard: `${config.shard.index}/${config.shard.count}`,
      },
      "polling targets",
    );
  }

  private resolveDefaultAccountIfNeeded(): void {
    if (
      this.defaultAccountId !== undefined ||
      this.identityPending ||
      !needsCallerIdentity(this.config.accounts)
    )
      return;
    this.identityPending = true;
    const { logger } = this.options;
    void lookUpDefaultAccount({
      lookUp: (signal) => {
        const entry = this.config.accounts.find((account) => account.roleArn === undefined);
        const region = this.pool.stsRegion(entry?.regions?.[0], this.config.regions[0]);
        return callerAccountId(this.pool.callerIdentityClient(region), signal);
      },
      timeoutMs: () => this.config.timeoutMs,
      retryDelayMs: () => this.config.intervalMs,
      stillNeeded: () => needsCallerIdentity(this.config.accounts),
      onFailure: (error) =>
        logger.error(
          { err: { name: (error as Error).name, message: (error as Error).message } },
          "cannot find the account of the default credentials (sts:GetCallerIdentity); retrying",
        ),
      signal: this.stopController.signal,
    }).then((accountId) => {
      this.identityPending = false;
      if (accountId === undefined) return;
      this.defaultAccountId = accountId;
      logger.info({ account_id: accountId }, "default credentials resolved");
      this.applyAccounts();
    });
  }

  /** Organizations through the pool's client for the discovery (its role's, if any). */
  private organizationsLister(discovery: OrganizationsDiscovery) {
    return (signal: AbortSignal, onRequest: (operation: string) => void) => {
      const client = this.pool.organizationsClient({
        region: discovery.region,
        roleArn: discovery.roleArn,
        externalId: discovery.externalId,
        roleAccountId: discovery.roleArn ? accountIdOfRoleArn(discovery.roleArn) : undefined,
      });
      return listOrganizationMembers(client, discovery, signal, onRequest);
    };
  }
}
