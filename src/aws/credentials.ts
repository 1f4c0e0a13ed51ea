import { AssumeRoleCommand, type STSClient } from "@aws-sdk/client-sts";
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from "@aws-sdk/types";
import { useCredentials } from "./command-credentials.js";

const ROLE_SESSION_NAME = "kms-keystore-exporter";
/** Refresh this long before expiry, so no poll starts with credentials about to lapse. */
export const REFRESH_BEFORE_EXPIRY_MS = 5 * 60_000;
/** STS documents AccessKeyId as 16–128 word characters (API_Credentials). */
const ACCESS_KEY_ID = /^\w{16,128}$/;

/** Credentials that expired before they could be used; named like AWS's own refusal. */
export class ExpiredCredentialsError extends Error {
  override readonly name = "ExpiredToken";
}

/** An STS answer outside its documented shape or bounds. */
export class InvalidStsResponseError extends Error {
  override readonly name = "InvalidResponse";
}

export interface SharedCredentialsOptions {
  now?: () => number;
  /**
   * After a failure, answer with that failure for this long instead of asking again, so the
   * regions of a denied account polled in one round cost one call, not one each.
   */
  failureHoldMs?: number;
  /**
   * Credentials that expire inside the refresh window are fetched again only this long after
   * the last fetch (about one poll), and used meanwhile: a source that only hands out
   * short-lived credentials costs one fetch per poll, not one per request. Default: failureHoldMs.
   */
  refetchAfterMs?: number;
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
  const refetchAfterMs = options.refetchAfterMs ?? options.failureHoldMs ?? 0;
  let pending: Promise<AwsCredentialIdentity> | undefined;
  let current: AwsCredentialIdentity | undefined;
  let fetchedAt = Number.NEGATIVE_INFINITY;
  let failure: { error: unknown; until: number } | undefined;
  const remainingMs = (credentials: AwsCredentialIdentity) =>
    credentials.expiration === undefined
      ? Number.POSITIVE_INFINITY
      : credentials.expiration.getTime() - now();
  const expired = (credentials: AwsCredentialIdentity) =>
    new ExpiredCredentialsError(
      `the credentials expired at ${credentials.expiration?.toISOString()}; fetching again at the next poll`,
    );
  const provide = () => {
    if (current && remainingMs(current) > REFRESH_BEFORE_EXPIRY_MS) return Promise.resolve(current);
    if (current && now() - fetchedAt < refetchAfterMs) {
      return remainingMs(current) > 0 ? Promise.resolve(current) : Promise.reject(expired(current));
    }
    if (failure && now() < failure.until) return Promise.reject(failure.error);
    pending ??= source()
      .then(
        (credentials) => {
          current = credentials;
          fetchedAt = now();
          failure = undefined;
          if (remainingMs(credentials) <= 0) throw expired(credentials);
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
  /**
   * Called after every AssumeRole call: with its error if it failed, else with how long the
   * credentials it got are valid (counters, logs).
   */
  onCall: (error?: unknown, validForMs?: number) => void;
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
    throw new InvalidStsResponseError(
      `AssumeRole ${settings.roleArn} answered without credentials`,
    );
  }
  // It goes into the Authorization header of every request signed with it.
  if (!ACCESS_KEY_ID.test(credentials.AccessKeyId)) {
    throw new InvalidStsResponseError(
      `AssumeRole ${settings.roleArn}: AccessKeyId length limit: ${credentials.AccessKeyId.length} characters, not 16–128 word characters`,
    );
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
      const now = options.now ?? Date.now;
      settings.onCall(
        undefined,
        (credentials.expiration?.getTime() ?? Number.POSITIVE_INFINITY) - now(),
      );
      return credentials;
    } catch (error) {
      settings.onCall(error);
      throw error;
    }
  };
  return sharedCredentials(counted, options);
}
