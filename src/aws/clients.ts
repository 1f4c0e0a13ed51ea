import { CloudWatchClient } from "@aws-sdk/client-cloudwatch";
import { KMSClient } from "@aws-sdk/client-kms";
import type { AwsCredentialIdentityProvider } from "@aws-sdk/types";
import type { NodeHttpHandler } from "@smithy/node-http-handler";
import { BoundedBodyHandler } from "./bounded-body.js";

export interface AwsSettings {
  /** Undefined lets the SDK pick the endpoint (AWS_ENDPOINT_URL[_KMS|_STS] included). */
  endpoint: string | undefined;
  /** Undefined uses the SDK's default credential chain. */
  baseCredentials: AwsCredentialIdentityProvider | undefined;
  connectTimeoutMs: number;
  /** Bound on one HTTP attempt; the poll deadline bounds all of them together. */
  requestTimeoutMs: number;
}

const CONNECT_TIMEOUT_MS = 3_000;
/** One HTTP attempt; the poll's `timeout` bounds all attempts and backoff together. */
const MAX_REQUEST_TIMEOUT_MS = 10_000;

/** Settings for a poll `timeout`: the SDK's endpoints and default credentials unless overridden. */
export function awsSettingsFor(
  timeoutMs: number,
  overrides: Partial<AwsSettings> = {},
): AwsSettings {
  return {
    endpoint: undefined,
    baseCredentials: undefined,
    connectTimeoutMs: CONNECT_TIMEOUT_MS,
    requestTimeoutMs: Math.min(timeoutMs, MAX_REQUEST_TIMEOUT_MS),
    ...overrides,
  };
}

/**
 * One HTTP handler (and so one keep-alive connection pool) for every client of the
 * process. A handler per client costs a pool and sockets per account × region, which at
 * thousands of targets is most of the exporter's memory. Its owner destroys it at stop;
 * clients are dropped, never destroyed, since destroying one destroys its handler.
 */
export function createRequestHandler(settings: AwsSettings, concurrency: number): NodeHttpHandler {
  const maxSockets = Math.max(50, concurrency);
  return new BoundedBodyHandler({
    connectionTimeout: settings.connectTimeoutMs,
    requestTimeout: settings.requestTimeoutMs,
    // Without this the SDK only logs a warning when requestTimeout passes.
    throwOnRequestTimeout: true,
    httpAgent: { keepAlive: true, maxSockets },
    httpsAgent: { keepAlive: true, maxSockets },
  });
}

/** What every client of ours shares: region, credentials, endpoint and the HTTP handler. */
export function clientOptions(
  region: string,
  credentials: AwsCredentialIdentityProvider | undefined,
  settings: AwsSettings,
  requestHandler: NodeHttpHandler,
) {
  return {
    region,
    ...(credentials ? { credentials } : {}),
    ...(settings.endpoint === undefined ? {} : { endpoint: settings.endpoint }),
    requestHandler,
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
  requestHandler: NodeHttpHandler,
): KMSClient {
  return new KMSClient({
    ...clientOptions(region, credentials, settings, requestHandler),
    maxAttempts: 1,
  });
}

/** CloudWatch for the XKS enrichment: one attempt, the next round is its retry. */
export function createCloudWatchClient(
  region: string,
  credentials: AwsCredentialIdentityProvider | undefined,
  settings: AwsSettings,
  requestHandler: NodeHttpHandler,
): CloudWatchClient {
  return new CloudWatchClient({
    ...clientOptions(region, credentials, settings, requestHandler),
    maxAttempts: 1,
  });
}
