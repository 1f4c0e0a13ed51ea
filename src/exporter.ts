import type { KMSClient } from "@aws-sdk/client-kms";
import type { AwsCredentialIdentityProvider } from "@aws-sdk/types";
import { type AwsSettings, callerAccountId, createKmsClient } from "./aws/clients.js";
import { assumedRoleCredentials } from "./aws/credentials.js";
import type { Config } from "./config/types.js";
import type { Logger } from "./log.js";
import type { ExporterMetrics } from "./metrics/exporter-metrics.js";
import { PollError, pollTarget } from "./poller/poll.js";
import { Scheduler } from "./poller/scheduler.js";
import type { StateStore } from "./state/state.js";
import type { StoreTransition } from "./state/transitions.js";
import {
  type Account,
  needsCallerIdentity,
  resolveAccounts,
  type Target,
  targetsOf,
} from "./targets/targets.js";

/** More pages than this is a broken paginator, not a real account (KMS allows few stores). */
export const MAX_PAGES = 1000;
const ASSUMED_ROLE_DURATION_SECONDS = 3600;

export interface ExporterOptions {
  config: Config;
  aws: AwsSettings;
  state: StateStore;
  metrics: ExporterMetrics;
  logger: Logger;
  now?: () => number;
}

/**
 * Wires config → accounts → targets → scheduled polls → state. Owns the AWS clients: one
 * KMS client per target, one credential session per assumed role shared by its regions.
 */
export class Exporter {
  private readonly scheduler: Scheduler;
  private readonly clients = new Map<string, KMSClient>();
  private readonly accounts = new Map<string, Account>();
  private readonly credentials = new Map<string, AwsCredentialIdentityProvider>();
  private readonly now: () => number;
  private readonly stopController = new AbortController();
  private identityPending = false;

  constructor(private readonly options: ExporterOptions) {
    this.now = options.now ?? Date.now;
    this.scheduler = new Scheduler({
      intervalMs: options.config.intervalMs,
      concurrency: options.config.concurrency,
      poll: (target, signal) => this.pollOne(target, signal),
      now: this.now,
    });
  }

  /** Ready once every target has finished a first poll, successful or not. */
  ready(): boolean {
    return !this.identityPending && this.options.state.allPolled();
  }

  start(): void {
    const { config } = this.options;
    const roleAccounts = config.accounts.filter((account) => account.roleArn !== undefined);
    this.setAccounts(resolveAccounts(roleAccounts, config.regions, undefined));
    if (needsCallerIdentity(config.accounts)) {
      this.identityPending = true;
      void this.resolveDefaultAccount();
    }
  }

  /**
   * The default credentials' account id labels its series, so it is looked up (once) before
   * that account's targets exist. Failures are retried every interval, never fatal.
   */
  private async resolveDefaultAccount(): Promise<void> {
    const { config, logger } = this.options;
    const entry = config.accounts.find((account) => account.roleArn === undefined);
    const region = entry?.regions?.[0] ?? config.regions[0] ?? "us-east-1";
    while (!this.stopController.signal.aborted) {
      try {
        const signal = AbortSignal.any([
          this.stopController.signal,
          AbortSignal.timeout(config.timeoutMs),
        ]);
        const accountId = await callerAccountId(region, this.options.aws, signal);
        logger.info({ account_id: accountId }, "default credentials resolved");
        const resolved = resolveAccounts(config.accounts, config.regions, accountId);
        this.identityPending = false;
        this.setAccounts(resolved);
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

  private setAccounts(accounts: Account[]): void {
    for (const account of accounts) this.accounts.set(account.accountId, account);
    const targets = targetsOf([...this.accounts.values()]);
    this.options.state.setTargets(targets);
    this.scheduler.setTargets(targets);
    this.options.logger.info(
      { accounts: this.accounts.size, targets: targets.length },
      "polling targets",
    );
  }

  private credentialsOf(account: Account): AwsCredentialIdentityProvider | undefined {
    if (account.roleArn === undefined) return this.options.aws.baseCredentials;
    let provider = this.credentials.get(account.accountId);
    if (!provider) {
      provider = assumedRoleCredentials({
        roleArn: account.roleArn,
        externalId: account.externalId,
        baseCredentials: this.options.aws.baseCredentials,
        region: account.regions[0] ?? "us-east-1",
        endpoint: this.options.aws.endpoint,
        durationSeconds: ASSUMED_ROLE_DURATION_SECONDS,
      });
      this.credentials.set(account.accountId, provider);
    }
    return provider;
  }

  private clientOf(target: Target): KMSClient {
    let client = this.clients.get(target.key);
    if (!client) {
      const account = this.accounts.get(target.accountId) as Account;
      client = createKmsClient(target.region, this.credentialsOf(account), this.options.aws);
      this.clients.set(target.key, client);
    }
    return client;
  }

  private async pollOne(target: Target, signal: AbortSignal): Promise<void> {
    const { config, state, metrics, logger } = this.options;
    const labels = { account_id: target.accountId, region: target.region };
    const startedAt = this.now();
    try {
      const stores = await pollTarget({
        client: this.clientOf(target),
        retry: config.retry,
        timeoutMs: config.timeoutMs,
        maxPages: MAX_PAGES,
        signal,
        now: this.now,
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
      const outcome = state.recordFailure(
        target.key,
        { name: pollError.errorName, message: pollError.message },
        this.now() - startedAt,
      );
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

  async stop(): Promise<void> {
    this.stopController.abort();
    await this.scheduler.stop();
    for (const client of this.clients.values()) client.destroy();
  }
}

function logTransition(logger: Logger, target: Target, transition: StoreTransition): void {
  logger.info(
    {
      account_id: target.accountId,
      account_name: target.accountName,
      region: target.region,
      custom_key_store_id: transition.store.id,
      custom_key_store_name: transition.store.name,
      custom_key_store_type: transition.store.type,
      from: transition.previousState ?? "(new)",
      to: transition.state ?? "(gone)",
      error_code: transition.errorCode ?? null,
      previous_error_code: transition.previousErrorCode ?? null,
    },
    `key store ${transition.store.name || transition.store.id}: ${transition.previousState ?? "(new)"} -> ${transition.state ?? "(gone)"}${transition.errorCode ? ` (${transition.errorCode})` : ""}`,
  );
}
