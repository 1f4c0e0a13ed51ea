import { createHash, timingSafeEqual } from "node:crypto";
import { Sha256 } from "@smithy/core/checksum";
import { HttpRequest } from "@smithy/core/protocols";
import { SignatureV4 } from "@smithy/signature-v4";

/** The parts of a SigV4 `Authorization` header a service reads before it checks the signature. */
export interface SigningScope {
  accessKeyId: string;
  /** The credential scope's date, YYYYMMDD. */
  date: string;
  region: string;
  service: string;
  signedHeaders: readonly string[];
  signature: string;
}

/** A request as it reached the simulator, with Node's lower-cased header names. */
export interface ReceivedRequest {
  method: string;
  /** Path and query string, as in the request line. */
  url: string;
  headers: Readonly<Record<string, string | string[] | undefined>>;
  body: string;
}

/** The secret half of a credential the simulator knows (static, or issued by AssumeRole). */
export interface SigningSecret {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

const AUTHORIZATION =
  /^AWS4-HMAC-SHA256 Credential=([^/,\s]+)\/(\d{8})\/([^/,\s]+)\/([^/,\s]+)\/aws4_request,\s*SignedHeaders=([a-z0-9;-]+),\s*Signature=([0-9a-f]+)$/;

export function parseAuthorization(header: string | undefined): SigningScope | undefined {
  if (header === undefined) return undefined;
  const match = AUTHORIZATION.exec(header.trim());
  if (!match) return undefined;
  const [, accessKeyId = "", date = "", region = "", service = "", signed = "", signature = ""] =
    match;
  return { accessKeyId, date, region, service, signedHeaders: signed.split(";"), signature };
}

function header(request: ReceivedRequest, name: string): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? value.join(",") : value;
}

/** `20261203T131800Z` as a Date; undefined when it is not one. */
function amzDate(text: string | undefined): Date | undefined {
  const match = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(text ?? "");
  if (!match) return undefined;
  const [, y, mo, d, h, mi, s] = match;
  const date = new Date(`${y}-${mo}-${d}T${h}:${mi}:${s}Z`);
  return Number.isNaN(date.getTime()) ? undefined : date;
}

/** One signer per credential keeps its cache of derived signing keys across requests. */
const signers = new WeakMap<SigningSecret, SignatureV4>();

function signerFor(secret: SigningSecret): SignatureV4 {
  let signer = signers.get(secret);
  if (signer === undefined) {
    signer = new SignatureV4({
      credentials: secret,
      region: "us-east-1",
      service: "sts",
      sha256: Sha256,
      applyChecksum: false,
    });
    signers.set(secret, signer);
  }
  return signer;
}

/**
 * Why a signature is refused, or undefined when it is the one AWS would compute: the
 * canonical request is rebuilt from the request as received (method, path, query, the
 * headers the client says it signed, the body's hash) and signed again with the secret the
 * simulator holds, by the same @smithy/signature-v4 the SDK signs with. See
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_sigv4-create-signed-request.html
 */
export async function signatureProblem(
  request: ReceivedRequest,
  scope: SigningScope,
  secret: SigningSecret,
): Promise<string | undefined> {
  const signingDate = amzDate(header(request, "x-amz-date"));
  if (signingDate === undefined) return "X-Amz-Date is missing or malformed";
  if (!scope.signedHeaders.includes("host") || !scope.signedHeaders.includes("x-amz-date")) {
    return "SignedHeaders must include host and x-amz-date";
  }
  if (header(request, "x-amz-date")?.slice(0, 8) !== scope.date) {
    return `Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '${scope.date}' != '${header(request, "x-amz-date")?.slice(0, 8)}'`;
  }
  const declaredHash = header(request, "x-amz-content-sha256");
  if (
    declaredHash !== undefined &&
    declaredHash !== createHash("sha256").update(request.body).digest("hex")
  ) {
    return "The provided 'x-amz-content-sha256' header does not match what was computed.";
  }
  const headers: Record<string, string> = {};
  for (const name of scope.signedHeaders) headers[name] = header(request, name) ?? "";
  const url = new URL(request.url, "http://simulator.invalid");
  const query: Record<string, string | string[]> = {};
  for (const [key, value] of url.searchParams) {
    const previous = query[key];
    query[key] =
      previous === undefined
        ? value
        : [...(Array.isArray(previous) ? previous : [previous]), value];
  }
  const recomputed = await signerFor(secret).sign(
    new HttpRequest({
      method: request.method,
      hostname: "",
      path: url.pathname,
      query,
      headers,
      body: request.body,
    }),
    { signingDate, signingRegion: scope.region, signingService: scope.service },
  );
  const expected = parseAuthorization(recomputed.headers.authorization)?.signature ?? "";
  const same =
    expected.length === scope.signature.length &&
    timingSafeEqual(Buffer.from(expected), Buffer.from(scope.signature));
  return same
    ? undefined
    : "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.";
}
