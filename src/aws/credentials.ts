import { fromTemporaryCredentials } from "@aws-sdk/credential-providers";
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from "@aws-sdk/types";
import type { NodeHttpHandler } from "@smithy/node-http-handler";

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

/**
 * Shares one set of credentials between every caller (all regions of an account) and only
 * asks the source again when they are near expiry or a held failure has aged out. The
 * SDK's fromTemporaryCredentials calls STS on every invocation, and each KMS client would
 * otherwise hold a session of its own.
 */
export function sharedCredentials(
  source: AwsCredentialIdentityProvider,
  options: SharedCredentialsOptions = {},
): AwsCredentialIdentityProvider {
  const now = options.now ?? Date.now;
  let pending: Promise<AwsCredentialIdentity> | undefined;
  let current: AwsCredentialIdentity | undefined;
  let failure: { error: unknown; until: number } | undefined;
  const fresh = (credentials: AwsCredentialIdentity) =>
    credentials.expiration === undefined ||
    credentials.expiration.getTime() - now() > REFRESH_BEFORE_EXPIRY_MS;
  return () => {
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
}

export interface AssumeRoleSettings {
  roleArn: string;
  externalId: string | undefined;
  /** Base credentials; undefined uses the SDK's default chain. */
  baseCredentials: AwsCredentialIdentityProvider | undefined;
  region: string;
  /** Undefined leaves STS to the SDK (including AWS_ENDPOINT_URL_STS). */
  endpoint: string | undefined;
  durationSeconds: number;
  /** The process's shared HTTP handler (see createRequestHandler). */
  requestHandler: NodeHttpHandler;
  /** Called after every AssumeRole call, with its error if it failed (counters, logs). */
  onCall: (error?: unknown) => void;
}

export function assumedRoleCredentials(
  settings: AssumeRoleSettings,
  options: SharedCredentialsOptions = {},
): AwsCredentialIdentityProvider {
  const assume = fromTemporaryCredentials({
    params: {
      RoleArn: settings.roleArn,
      RoleSessionName: ROLE_SESSION_NAME,
      DurationSeconds: settings.durationSeconds,
      ...(settings.externalId === undefined ? {} : { ExternalId: settings.externalId }),
    },
    ...(settings.baseCredentials ? { masterCredentials: settings.baseCredentials } : {}),
    clientConfig: {
      region: settings.region,
      // One attempt per call, so that every STS request is counted; a failure is held and
      // the next round tries again.
      maxAttempts: 1,
      requestHandler: settings.requestHandler,
      ...(settings.endpoint === undefined ? {} : { endpoint: settings.endpoint }),
    },
  });
  const counted: AwsCredentialIdentityProvider = async () => {
    try {
      const credentials = await assume();
      settings.onCall();
      return credentials;
    } catch (error) {
      settings.onCall(error);
      throw error;
    }
  };
  return sharedCredentials(counted, options);
}
