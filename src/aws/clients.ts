import { KMSClient } from "@aws-sdk/client-kms";
import { GetCallerIdentityCommand, STSClient } from "@aws-sdk/client-sts";
import type { AwsCredentialIdentityProvider } from "@aws-sdk/types";

export interface AwsSettings {
  /** Undefined lets the SDK pick the endpoint (AWS_ENDPOINT_URL[_KMS|_STS] included). */
  endpoint: string | undefined;
  /** Undefined uses the SDK's default credential chain. */
  baseCredentials: AwsCredentialIdentityProvider | undefined;
  connectTimeoutMs: number;
  /** Bound on one HTTP attempt; the poll deadline bounds all of them together. */
  requestTimeoutMs: number;
}

/** What every client of ours shares: region, credentials, endpoint and timeouts. */
export function clientOptions(
  region: string,
  credentials: AwsCredentialIdentityProvider | undefined,
  settings: AwsSettings,
) {
  return {
    region,
    ...(credentials ? { credentials } : {}),
    ...(settings.endpoint === undefined ? {} : { endpoint: settings.endpoint }),
    requestHandler: {
      connectionTimeout: settings.connectTimeoutMs,
      requestTimeout: settings.requestTimeoutMs,
      // Without this the SDK only logs a warning when requestTimeout passes.
      throwOnRequestTimeout: true,
    },
  };
}

/**
 * A KMS client whose only retry policy is ours (p-retry in the poller): with the SDK's
 * standard 3 attempts underneath, every one of our attempts could silently be three.
 */
export function createKmsClient(
  region: string,
  credentials: AwsCredentialIdentityProvider | undefined,
  settings: AwsSettings,
): KMSClient {
  return new KMSClient({ ...clientOptions(region, credentials, settings), maxAttempts: 1 });
}

/** The account id of the default credentials: one STS call, made once at start. */
export async function callerAccountId(
  region: string,
  settings: AwsSettings,
  signal: AbortSignal,
): Promise<string> {
  // A one-off call at start: the SDK's own retries are enough here.
  const client = new STSClient({
    ...clientOptions(region, settings.baseCredentials, settings),
    maxAttempts: 3,
  });
  try {
    const identity = await client.send(new GetCallerIdentityCommand({}), { abortSignal: signal });
    if (!identity.Account || !/^\d{12}$/.test(identity.Account)) {
      throw new Error(`GetCallerIdentity returned no valid account id (${identity.Account})`);
    }
    return identity.Account;
  } finally {
    client.destroy();
  }
}
