import { KMSClient, type KMSClientConfig } from "@aws-sdk/client-kms";
import { OrganizationsClient, type OrganizationsClientConfig } from "@aws-sdk/client-organizations";
import { Sha256 } from "@smithy/core/checksum";
import { HttpRequest } from "@smithy/core/protocols";
import { SignatureV4 } from "@smithy/signature-v4";
import { afterEach } from "vitest";
import {
  parseScenario,
  SIMULATOR_CREDENTIALS,
  type Simulator,
  type SimulatorOptions,
  startSimulator,
} from "../../src/simulator/index.js";
import type { ReceivedRequest } from "../../src/simulator/sigv4.js";

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = "true";

/** The static credentials every scenario accepts unless it lists its own. */
export const FAKE_CREDENTIALS: { accessKeyId: string; secretAccessKey: string } = {
  ...SIMULATOR_CREDENTIALS,
};

const running: Simulator[] = [];

afterEach(async () => {
  await Promise.all(running.splice(0).map((simulator) => simulator.close()));
});

/** A simulator on 127.0.0.1:0 that is closed after the current test. */
export async function simulate(
  yamlText: string,
  options: Omit<SimulatorOptions, "scenario"> = {},
): Promise<Simulator> {
  const simulator = await startSimulator({ scenario: parseScenario(yamlText), ...options });
  running.push(simulator);
  return simulator;
}

export function kmsClient(
  simulator: Simulator,
  region = "us-east-1",
  credentials: KMSClientConfig["credentials"] = FAKE_CREDENTIALS,
): KMSClient {
  return new KMSClient({ region, endpoint: simulator.url, credentials, maxAttempts: 1 });
}

/** Organizations is global: its SDK signs for us-east-1 unless told otherwise. */
export function organizationsClient(
  simulator: Simulator,
  credentials: OrganizationsClientConfig["credentials"] = FAKE_CREDENTIALS,
  options: Partial<OrganizationsClientConfig> = {},
): OrganizationsClient {
  return new OrganizationsClient({
    region: "us-east-1",
    endpoint: simulator.url,
    credentials,
    maxAttempts: 1,
    ...options,
  });
}

export interface SignedCall {
  service: string;
  region?: string;
  /** X-Amz-Target for the JSON protocols; none for STS's query protocol. */
  target?: string;
  body?: string;
  credentials?: { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
}

/**
 * A request signed the way the SDK signs it, for tests that speak raw HTTP to the
 * simulator (which verifies signatures).
 */
export async function signedRequest(url: string, call: SignedCall): Promise<ReceivedRequest> {
  const { host } = new URL(url);
  const body = call.body ?? "{}";
  const headers: Record<string, string> = {
    host,
    "content-type":
      call.target === undefined
        ? "application/x-www-form-urlencoded"
        : "application/x-amz-json-1.1",
  };
  if (call.target !== undefined) headers["x-amz-target"] = call.target;
  const signed = await new SignatureV4({
    credentials: call.credentials ?? FAKE_CREDENTIALS,
    region: call.region ?? "us-east-1",
    service: call.service,
    sha256: Sha256,
  }).sign(new HttpRequest({ method: "POST", hostname: "", path: "/", headers, body }));
  return { method: "POST", url: "/", headers: signed.headers, body };
}

/** fetch() options for a signed request; `host` is the one header fetch sets itself. */
export function asFetch({ headers, body }: ReceivedRequest): RequestInit {
  const { host: _host, ...rest } = headers as Record<string, string>;
  return { method: "POST", headers: rest, body };
}
