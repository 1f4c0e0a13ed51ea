import { AssumeRoleCommand, type STSClient } from "@aws-sdk/client-sts";
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from "@aws-sdk/types";
import { useCredentials } from "./command-credentials.js";

const ROLE_SESSION_NAME = "kms-keystore-exporter";
/** Refresh this long before expiry, so no poll starts with credentials about to lapse. */
const REFRESH_BEFORE_EXPIRY_MS = 5 * 60_000;

export interface SharedCredentialsOptions {
  now?: () => number;
  /**
   * After a failure, answer with that failure for this long instead of asking again, so the
   * regions of a denied account polled in one round cost one call, not one each.
   */
  failureHoldMs?: number;
}

/** A shared provider that can say whether a fetch is under way (see Scheduler's `waitFor`). */
export interface SharedCredentialProvider extends AwsCredentialIdentityProvider {
  /** The fetch in flight, if any; settles (never rejects) when it ends. */
  pending(): Promise<void> | undefined;
}

/**
 * Shares one set of credentials between every caller (all regions of an account) and only
 * asks the source again when they are near expiry or a held failure has aged out. The
 * SDK's fromTemporaryCredentials calls STS on every invocation, and each KMS client would
 * otherwise hold a session of its own.
 */
export function sharedCredentials(
  source: AwsCredentialIdentityProvider,
  options: SharedCredentialsOptions = {},
): SharedCredentialProvider {
  const now = options.now ?? Date.now;
  let pending: Promise<AwsCredentialIdentity> | undefined;
  let current: AwsCredentialIdentity | undefined;
  let failure: { error: unknown; until: number } | undefined;
  const fresh = (credentials: AwsCredentialIdentity) =>
    credentials.expiration === undefined ||
    credentials.expiration.getTime() - now() > REFRESH_BEFORE_EXPIRY_MS;
  const provide = () => {
    if (current && fresh(current)) return Promise.resolve(current);
    if (failure && now() < failure.until) return Promise.reject(failure.error);
    pending ??= source()
      .then(
        (credentials) => {
          current = credentials;
          failure = undefined;
          return credentials;
        },
        (error: unknown) => {
          failure = { error, until: now() + (options.failureHoldMs ?? 0) };
          throw error;
        },
      )
      .finally(() => {
        pending = undefined;
      });
    return pending;
  };
  return Object.assign(provide, {
    pending: () =>
      pending?.then(
        () => undefined,
        () => undefined,
      ),
  });
}

export interface AssumeRoleSettings {
  roleArn: string;
  externalId: string | undefined;
  /** The credentials that assume the role. */
  baseCredentials: AwsCredentialIdentityProvider;
  /** The pool's STS client for the role's region, shared by every account. */
  sts: Pick<STSClient, "send">;
  durationSeconds: number;
  /** Called after every AssumeRole call, with its error if it failed (counters, logs). */
  onCall: (error?: unknown) => void;
}

/** One AssumeRole call, as fromTemporaryCredentials makes it but on a shared client. */
async function assumeRole(settings: AssumeRoleSettings): Promise<AwsCredentialIdentity> {
  const answer = await settings.sts.send(
    useCredentials(
      new AssumeRoleCommand({
        RoleArn: settings.roleArn,
        RoleSessionName: ROLE_SESSION_NAME,
        DurationSeconds: settings.durationSeconds,
        ...(settings.externalId === undefined ? {} : { ExternalId: settings.externalId }),
      }),
      settings.baseCredentials,
    ),
  );
  const credentials = answer.Credentials;
  if (!credentials?.AccessKeyId || !credentials.SecretAccessKey) {
    throw new Error(`AssumeRole ${settings.roleArn} answered without credentials`);
  }
  return {
    accessKeyId: credentials.AccessKeyId,
    secretAccessKey: credentials.SecretAccessKey,
    ...(credentials.SessionToken ? { sessionToken: credentials.SessionToken } : {}),
    ...(credentials.Expiration ? { expiration: credentials.Expiration } : {}),
  };
}

export function assumedRoleCredentials(
  settings: AssumeRoleSettings,
  options: SharedCredentialsOptions = {},
): SharedCredentialProvider {
  const counted: AwsCredentialIdentityProvider = async () => {
    try {
      const credentials = await assumeRole(settings);
      settings.onCall();
      return credentials;
    } catch (error) {
      settings.onCall(error);
      throw error;
    }
  };
  return sharedCredentials(counted, options);
}
