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
