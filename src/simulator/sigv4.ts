/** What the simulator needs from a SigV4 `Authorization` header; signatures are not checked. */
export interface SigningScope {
  accessKeyId: string;
  region: string;
  service: string;
}

const CREDENTIAL = /Credential=([^/,\s]+)\/\d{8}\/([^/,\s]+)\/([^/,\s]+)\/aws4_request/;

export function parseAuthorization(header: string | undefined): SigningScope | undefined {
  if (header === undefined) return undefined;
  const match = CREDENTIAL.exec(header);
  if (!match) return undefined;
  const [, accessKeyId = "", region = "", service = ""] = match;
  return { accessKeyId, region, service };
}
