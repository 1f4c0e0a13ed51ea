import { join } from "node:path";
import { type AwsSettings, awsSettingsFor } from "./aws/clients.js";
import type { Config } from "./config/types.js";
import { PACKAGE_ROOT } from "./package/version.js";
import {
  loadScenarioFile,
  type Scenario,
  SIMULATOR_CREDENTIALS,
  type Simulator,
  startSimulator,
} from "./simulator/index.js";

export const DEMO_SCENARIO_PATH = join(PACKAGE_ROOT, "scenarios", "demo.yaml");
const DEMO_ROLE_NAME = "kms-keystore-exporter";

/**
 * The demo polls fast so that its scripted store changes show within a minute, and
 * reaches every account through an assumed role, exactly as a multi-account setup would.
 */
export function demoConfig(base: Config, scenario: Scenario): Config {
  return {
    ...base,
    intervalMs: 5_000,
    timeoutMs: 4_000,
    concurrency: 4,
    retry: { maxAttempts: 4, minDelayMs: 100, maxDelayMs: 1_000 },
    // The simulator answers DescribeClusters, ListMetrics, GetMetricData, ListKeys and
    // DescribeKey, so the demo shows them; every 20 s, so the key inventory sees
    // payments-hsm-secondary up between its connect (30 s) and its failure (90 s).
    enrich: { ...base.enrich, intervalMs: 20_000, cloudhsm: true, xks: true, keys: true },
    regions: [],
    accounts: scenario.accounts.map((account) => ({
      roleArn: `arn:aws:iam::${account.id}:role/${DEMO_ROLE_NAME}`,
      ...(account.name === undefined ? {} : { name: account.name }),
      regions: account.regions.map((region) => region.region),
    })),
  };
}

export interface Demo {
  config: Config;
  scenario: Scenario;
  aws: AwsSettings;
  simulator: Simulator;
}

/** Starts the in-process simulator on a free loopback port and points the exporter at it. */
export async function startDemo(base: Config): Promise<Demo> {
  const scenario = loadScenarioFile(DEMO_SCENARIO_PATH);
  const simulator = await startSimulator({ scenario });
  const config = demoConfig(base, scenario);
  return {
    config,
    scenario,
    simulator,
    aws: awsSettingsFor(config.timeoutMs, {
      endpoint: simulator.url,
      // The simulator verifies signatures: sign with the static keys its scenario accepts.
      baseCredentials: async () => ({ ...(scenario.credentials[0] ?? SIMULATOR_CREDENTIALS) }),
    }),
  };
}
