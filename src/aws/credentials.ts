import { fromTemporaryCredentials } from "@aws-sdk/credential-providers";
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from "@aws-sdk/types";

export const ROLE_SESSION_NAME = "kms-keystore-exporter";
/** Refresh this long before expiry, so no poll starts with credentials about to lapse. */
export const REFRESH_BEFORE_EXPIRY_MS = 5 * 60_000;

/**
 * Shares one set of credentials between every caller (all regions of an account) and only
 * asks the source again when they are near expiry or the last attempt failed. The SDK's
 * fromTemporaryCredentials calls STS on every invocation, and each KMS client would
 * otherwise hold a session of its own.
 */
export function sharedCredentials(
  source: AwsCredentialIdentityProvider,
  now: () => number = Date.now,
): AwsCredentialIdentityProvider {
  let pending: Promise<AwsCredentialIdentity> | undefined;
  let current: AwsCredentialIdentity | undefined;
  const fresh = (credentials: AwsCredentialIdentity) =>
    credentials.expiration === undefined ||
    credentials.expiration.getTime() - now() > REFRESH_BEFORE_EXPIRY_MS;
  return () => {
    if (current && fresh(current)) return Promise.resolve(current);
    pending ??= source()
      .then((credentials) => {
        current = credentials;
        return credentials;
      })
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
}

export function assumedRoleCredentials(
  settings: AssumeRoleSettings,
): AwsCredentialIdentityProvider {
  return sharedCredentials(
    fromTemporaryCredentials({
      params: {
        RoleArn: settings.roleArn,
        RoleSessionName: ROLE_SESSION_NAME,
        DurationSeconds: settings.durationSeconds,
        ...(settings.externalId === undefined ? {} : { ExternalId: settings.externalId }),
      },
      ...(settings.baseCredentials ? { masterCredentials: settings.baseCredentials } : {}),
      clientConfig: {
        region: settings.region,
        maxAttempts: 3,
        ...(settings.endpoint === undefined ? {} : { endpoint: settings.endpoint }),
      },
    }),
  );
}
