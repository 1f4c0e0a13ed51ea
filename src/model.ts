/**
 * One custom key store as the exporter keeps it: only what it exports. Secrets in the API
 * answer (TrustAnchorCertificate, the XKS proxy's AccessKeyId) are never copied in here.
 */
export interface KeyStore {
  id: string;
  name: string;
  type: string;
  state: string;
  errorCode: string | undefined;
  creationTimeSeconds: number | undefined;
  cloudHsmClusterId: string;
  xksProxyConnectivity: string;
  xksProxyUriEndpoint: string;
  xksProxyUriPath: string;
  xksProxyVpcEndpointServiceName: string;
}

/** The connection states AWS documents; any other value is exported as it comes. */
export const KNOWN_CONNECTION_STATES = [
  "CONNECTED",
  "CONNECTING",
  "FAILED",
  "DISCONNECTED",
  "DISCONNECTING",
] as const;

/** One account whose id is known, with the regions to poll in it. */
export interface Account {
  accountId: string;
  name: string | undefined;
  /** Undefined: the default credentials are this account's. */
  roleArn: string | undefined;
  externalId: string | undefined;
  regions: string[];
}

/** One account × one region: the unit that is polled, timed out and reported on. */
export interface Target {
  key: string;
  accountId: string;
  accountName: string | undefined;
  region: string;
}

export function targetKey(accountId: string, region: string): string {
  return `${accountId}/${region}`;
}
