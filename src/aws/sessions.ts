import type { CloudWatchClient } from "@aws-sdk/client-cloudwatch";
import type { KMSClient } from "@aws-sdk/client-kms";
import type { OrganizationsClient } from "@aws-sdk/client-organizations";
import { STSClient } from "@aws-sdk/client-sts";
import { fromNodeProviderChain } from "@aws-sdk/credential-providers";
import type { AwsCredentialIdentityProvider } from "@aws-sdk/types";
import type { NodeHttpHandler } from "@smithy/node-http-handler";
import { type Account, type Target, targetKey } from "../model.js";
import { AccountSession, type SessionCredentials } from "./account-session.js";
import {
  type AwsSettings,
  clientOptions,
  createCloudWatchClient,
  createKmsClient,
  createRequestHandler,
} from "./clients.js";
import { CloudHsmClient } from "./cloudhsm-client.js";
import { signedWith, UNSET_CREDENTIALS } from "./command-credentials.js";
import {
  assumedRoleCredentials,
  type SharedCredentialProvider,
  sharedCredentials,
} from "./credentials.js";
import {
  AccountlessClients,
  type OrganizationsAccess,
  RegionalClients,
  stsRegionFor,
} from "./pool-clients.js";
import { type RateLimit, TargetRateLimiter } from "./rate-limit.js";

export {
  type AccountCloudWatchClient,
  type AccountKmsClient,
  AccountSession,
  type ClientFactories,
  type SessionCredentials,
} from "./account-session.js";
export { DEFAULT_STS_REGION, type OrganizationsAccess, stsRegionFor } from "./pool-clients.js";

export interface SessionSettings {
  rateLimit: RateLimit;
  /** Lifetime asked for assumed-role sessions. */
  sessionDurationSeconds: number;
  /** A failed AssumeRole is answered from memory this long (see sharedCredentials). */
  failureHoldMs: number;
  /** Short-lived credentials are fetched again at most this often (see sharedCredentials). */
  refetchAfterMs?: number;
  /** STS region for AssumeRole; undefined: the account's first region (its partition's). */
  stsRegion?: string;
}

/** A role to assume, and for which account (the labels of its STS calls). */
export interface RoleToAssume {
  accountId: string;
  accountName: string | undefined;
  roleArn: string;
  externalId: string | undefined;
  region: string;
}

export interface SessionPoolOptions {
  /** With `baseCredentials` set: one default chain for the whole process. */
  aws: AwsSettings;
  concurrency: number;
  settings: SessionSettings;
  now: () => number;
  /** Made once per role session; called after each of its AssumeRole calls (counters, logs). */
  reportAssumeRole: (role: RoleToAssume) => (error?: unknown, validForMs?: number) => void;
}

/** What a session is made for: a reload that changes it needs a new session. */
function identityOf(account: Account): string {
  return `${account.roleArn ?? "default"}\u0000${account.externalId ?? ""}`;
}

/**
 * The one owner of AWS sessions: a credential session per account (shared by its regions),
 * one KMS, CloudWatch and STS client per region (shared by every account: each command is
 * signed with its account's credentials, see command-credentials.ts), a rate limiter per
 * target, and the HTTP handler every client shares. `retain` is the only place that
 * decides a session no longer fits.
 */
export class SessionPool {
  readonly requestHandler: NodeHttpHandler;
  private readonly baseCredentials: SessionCredentials;
  private readonly sessions = new Map<string, AccountSession>();
  private readonly kmsByRegion: RegionalClients<KMSClient>;
  private readonly cloudWatchByRegion: RegionalClients<CloudWatchClient>;
  private readonly stsByRegion: RegionalClients<STSClient>;
  private readonly accountless: AccountlessClients;
  private readonly limiters = new Map<string, TargetRateLimiter>();
  private accounts = new Map<string, Account>();
  private settings: SessionSettings;

  constructor(private readonly options: SessionPoolOptions) {
    this.settings = options.settings;
    const { aws } = options;
    const handler = createRequestHandler(aws, options.concurrency);
    this.requestHandler = handler;
    // One default chain for the process: per client, every KMS client and every role's STS
    // calls would resolve it (IMDS, web identity, ...) on their own.
    this.baseCredentials = aws.baseCredentials ?? sharedCredentials(fromNodeProviderChain());
    this.kmsByRegion = new RegionalClients((region) =>
      createKmsClient(region, UNSET_CREDENTIALS, aws, handler),
    );
    this.cloudWatchByRegion = new RegionalClients((region) =>
      createCloudWatchClient(region, UNSET_CREDENTIALS, aws, handler),
    );
    this.stsByRegion = new RegionalClients(
      (region) =>
        new STSClient({
          ...clientOptions(region, UNSET_CREDENTIALS, aws, handler),
          // One attempt per call, so that every STS request is counted; a failure is held
          // and the next round tries again.
          maxAttempts: 1,
        }),
    );
    this.accountless = new AccountlessClients(
      (region, credentials) => this.clientOptions(region, credentials),
      (access) =>
        this.roleCredentials({
          accountId: access.roleAccountId ?? "",
          accountName: undefined,
          roleArn: access.roleArn ?? "",
          externalId: access.externalId,
          region: this.stsRegion(access.region),
        }),
    );
  }

  configure(settings: SessionSettings): void {
    const previous = this.settings;
    this.settings = settings;
    for (const limiter of this.limiters.values()) limiter.configure(settings.rateLimit);
    // A role session keeps the STS region and lifetime it was made with: when those change,
    // the sessions go, and the next poll of each account assumes its role with the new ones.
    if (
      settings.stsRegion !== previous.stsRegion ||
      settings.sessionDurationSeconds !== previous.sessionDurationSeconds
    ) {
      this.sessions.clear();
      this.accountless.clear();
    }
  }

  /** The STS region for a caller whose own regions are `candidates` (see stsRegionFor). */
  stsRegion(...candidates: Array<string | undefined>): string {
    return stsRegionFor(this.settings.stsRegion, ...candidates);
  }

  /** STS with the default credentials, for GetCallerIdentity; one per region, kept. */
  callerIdentityClient(region: string): STSClient {
    return this.accountless.callerIdentityClient(region);
  }

  /**
   * Organizations for target discovery, signed with the discovery role's session (assumed in
   * the STS region for the organisation's region) or the default credentials; kept until
   * the STS settings change.
   */
  organizationsClient(access: OrganizationsAccess): OrganizationsClient {
    return this.accountless.organizationsClient(access);
  }

  /**
   * The accounts to poll from now on. A session whose role or external id changed is
   * dropped with its clients (the next poll assumes the new role); one whose account went
   * is dropped too, and so are the limiters and clients of targets that went.
   */
  retain(accounts: Account[]): void {
    this.accounts = new Map(accounts.map((account) => [account.accountId, account]));
    for (const [accountId, session] of this.sessions) {
      const account = this.accounts.get(accountId);
      if (!account || identityOf(account) !== session.identity) {
        this.sessions.delete(accountId);
        continue;
      }
      session.account = account;
      session.forgetRegionsBut(account.regions);
    }
    for (const key of this.limiters.keys()) {
      const [accountId, region] = key.split("/") as [string, string];
      if (!this.accounts.get(accountId)?.regions.includes(region)) this.limiters.delete(key);
    }
  }

  /** The session of a retained target's account; undefined once the target is gone. */
  session(target: Target): AccountSession | undefined {
    const account = this.accounts.get(target.accountId);
    if (!account?.regions.includes(target.region)) return undefined;
    let session = this.sessions.get(account.accountId);
    if (!session) {
      const credentials: SessionCredentials =
        account.roleArn === undefined
          ? this.baseCredentials
          : this.roleCredentials({
              accountId: account.accountId,
              accountName: account.name,
              roleArn: account.roleArn,
              externalId: account.externalId,
              region: this.stsRegion(account.regions[0]),
            });
      const { aws } = this.options;
      const handler = this.requestHandler;
      session = new AccountSession(account, identityOf(account), credentials, {
        kms: (region) => signedWith(this.kmsByRegion.get(region), credentials),
        cloudHsm: (region) =>
          new CloudHsmClient({
            region,
            credentials,
            endpoint: aws.endpoint,
            requestHandler: handler,
          }),
        cloudWatch: (region) => signedWith(this.cloudWatchByRegion.get(region), credentials),
      });
      this.sessions.set(account.accountId, session);
    }
    return session;
  }

  /**
   * The credential fetch (AssumeRole) that a target's poll would only wait for, if one is
   * under way: the scheduler keeps such a target out of a poll slot meanwhile.
   */
  pendingCredentials(target: Target): Promise<void> | undefined {
    return this.session(target)?.credentials.pending?.();
  }

  /** False once `retain` replaced or dropped the session (a reload during AssumeRole). */
  isCurrent(session: AccountSession): boolean {
    return this.sessions.get(session.account.accountId) === session;
  }

  limiter(target: Target): TargetRateLimiter {
    const key = targetKey(target.accountId, target.region);
    let limiter = this.limiters.get(key);
    if (!limiter) {
      limiter = new TargetRateLimiter(this.settings.rateLimit, this.options.now);
      this.limiters.set(key, limiter);
    }
    return limiter;
  }

  /** An assumed-role session whose every STS call is reported (`reportAssumeRole`). */
  roleCredentials(role: RoleToAssume): SharedCredentialProvider {
    return assumedRoleCredentials(
      {
        roleArn: role.roleArn,
        externalId: role.externalId,
        baseCredentials: this.baseCredentials,
        sts: this.stsByRegion.get(role.region),
        durationSeconds: this.settings.sessionDurationSeconds,
        onCall: this.options.reportAssumeRole(role),
      },
      { ...this.settings, now: this.options.now },
    );
  }

  /** Options for any other client (STS, Organizations): same endpoint and HTTP handler. */
  clientOptions(region: string, credentials: AwsCredentialIdentityProvider = this.baseCredentials) {
    return clientOptions(region, credentials, this.options.aws, this.requestHandler);
  }

  destroy(): void {
    this.sessions.clear();
    this.accountless.clear();
    this.requestHandler.destroy();
  }
}
