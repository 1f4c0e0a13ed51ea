import { fromNodeProviderChain } from "@aws-sdk/credential-providers";
import type { AwsCredentialIdentityProvider } from "@aws-sdk/types";
import { Sha256 } from "@smithy/core/checksum";
import { HttpRequest } from "@smithy/core/protocols";
import type { NodeHttpHandler } from "@smithy/node-http-handler";
import { SignatureV4 } from "@smithy/signature-v4";

/*
 * Why DescribeClusters is signed by hand, not sent with @aws-sdk/client-cloudhsm-v2:
 *
 * The product reason: that client's newest version in the registry we install from is
 * 3.332.0 (2023), and it pins the 2023 SDK core (about 35 packages: its own client-sts,
 * credential chain, middleware stack, retry strategy and a node-http-handler that cannot
 * share our connection pool). Shipping it means a second, older SDK in every install, with
 * its own security fixes to track, beside the @smithy/core that the KMS, STS,
 * Organizations and CloudWatch clients share; and the simulator would have to prove two
 * signers. For one read-only call per target and round that is not worth it. So this
 * signs the one awsJson1_1 call with the @smithy/signature-v4 those clients already use,
 * over the shared HTTP handler, with the account session's credentials and the same
 * endpoint override; the simulator verifies that signature like every other.
 *
 * When to switch to the client: once the registry serves a @aws-sdk/client-cloudhsm-v2
 * whose @smithy/core and @smithy/node-http-handler are the versions our other clients pin
 * (one SDK core in `npm ls @smithy/core`), or when the exporter needs a second CloudHSM
 * operation. Then the pool builds it like the CloudWatch client (one per region, the
 * shared handler, maxAttempts 1) and this file goes.
 */

export const CLOUDHSM_SIGNING_NAME = "cloudhsm";
const TARGET = "BaldrApiService.DescribeClusters";

/** The members of DescribeClusters that the exporter reads. */
export interface DescribeClustersOutput {
  Clusters?: {
    ClusterId?: string;
    State?: string;
    Hsms?: { AvailabilityZone?: string; HsmId?: string; State?: string }[];
  }[];
  NextToken?: string;
}

export interface DescribeClustersInput {
  Filters?: Record<string, string[]>;
  NextToken?: string;
  MaxResults?: number;
}

/** An AWS error as the SDK's own clients throw it, so that classifyError reads it alike. */
export class CloudHsmServiceError extends Error {
  readonly $metadata: { httpStatusCode: number };

  constructor(name: string, message: string, status: number) {
    super(message);
    this.name = name;
    this.$metadata = { httpStatusCode: status };
  }
}

export interface CloudHsmClientOptions {
  region: string;
  /** Undefined: the SDK's default chain. */
  credentials: AwsCredentialIdentityProvider | undefined;
  /** The exporter's endpoint override (the simulator, a proxy); undefined: AWS's endpoint. */
  endpoint: string | undefined;
  requestHandler: NodeHttpHandler;
  env?: NodeJS.ProcessEnv;
}

/** AWS's CloudHSM v2 endpoint, or an override the way the SDK reads one from the environment. */
export function cloudHsmEndpoint(
  region: string,
  endpoint: string | undefined,
  env: NodeJS.ProcessEnv,
): URL {
  const override = endpoint ?? env.AWS_ENDPOINT_URL_CLOUDHSM_V2 ?? env.AWS_ENDPOINT_URL;
  if (override) return new URL(override);
  const suffix = region.startsWith("cn-") ? "amazonaws.com.cn" : "amazonaws.com";
  return new URL(`https://cloudhsmv2.${region}.${suffix}`);
}

/** `__type` may carry a namespace (`aws.cloudhsm#X`), the header a suffix (`X:http://…`). */
function errorName(typeField: unknown, header: string | undefined): string | undefined {
  const raw = typeof typeField === "string" ? typeField : header;
  return raw?.split("#").at(-1)?.split(":")[0] || undefined;
}

async function readBody(body: unknown): Promise<string> {
  if (body === undefined || body === null) return "";
  const chunks: Buffer[] = [];
  for await (const chunk of body as AsyncIterable<Buffer | string>) {
    chunks.push(typeof chunk === "string" ? Buffer.from(chunk) : chunk);
  }
  return Buffer.concat(chunks).toString("utf8");
}

/** CloudHSM v2 DescribeClusters, signed by hand (see the note at the top of this file). */
export class CloudHsmClient {
  private readonly signer: SignatureV4;
  private readonly url: URL;

  constructor(private readonly options: CloudHsmClientOptions) {
    this.signer = new SignatureV4({
      service: CLOUDHSM_SIGNING_NAME,
      region: options.region,
      credentials: options.credentials ?? fromNodeProviderChain(),
      sha256: Sha256,
    });
    this.url = cloudHsmEndpoint(options.region, options.endpoint, options.env ?? process.env);
  }

  async describeClusters(
    input: DescribeClustersInput,
    { abortSignal }: { abortSignal: AbortSignal },
  ): Promise<DescribeClustersOutput> {
    const body = JSON.stringify(input);
    const request = new HttpRequest({
      protocol: this.url.protocol,
      hostname: this.url.hostname,
      ...(this.url.port ? { port: Number(this.url.port) } : {}),
      path: this.url.pathname,
      method: "POST",
      headers: {
        host: this.url.host,
        "content-type": "application/x-amz-json-1.1",
        "x-amz-target": TARGET,
        "content-length": String(Buffer.byteLength(body)),
        "user-agent": "kms-keystore-exporter",
      },
      body,
    });
    const signed = await this.signer.sign(request);
    const { response } = await this.options.requestHandler.handle(signed as HttpRequest, {
      abortSignal,
    });
    const text = await readBody(response.body);
    const status = response.statusCode;
    if (status < 200 || status >= 300) {
      let parsed: { __type?: unknown; message?: unknown; Message?: unknown } = {};
      try {
        parsed = JSON.parse(text);
      } catch {
        // An HTML error page: the status says it all.
      }
      const name =
        errorName(parsed.__type, response.headers["x-amzn-errortype"]) ?? `HTTP${status}`;
      const message = parsed.message ?? parsed.Message;
      throw new CloudHsmServiceError(
        name,
        typeof message === "string" ? message : `HTTP ${status}`,
        status,
      );
    }
    try {
      return JSON.parse(text) as DescribeClustersOutput;
    } catch {
      throw new CloudHsmServiceError(
        "InvalidResponse",
        "DescribeClusters answer is not JSON",
        status,
      );
    }
  }
}
