import { KMSClient, type KMSClientConfig } from "@aws-sdk/client-kms";
import { OrganizationsClient, type OrganizationsClientConfig } from "@aws-sdk/client-organizations";
import { afterEach } from "vitest";
import {
  parseScenario,
  type Simulator,
  type SimulatorOptions,
  startSimulator,
} from "../../src/simulator/index.js";

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = "true";

export const FAKE_CREDENTIALS = {
  accessKeyId: "AKIAFAKEFAKEFAKEFAKE",
  secretAccessKey: "fake/secret/fake/secret/fake/secret/0000",
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
