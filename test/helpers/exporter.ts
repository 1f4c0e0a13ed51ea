import { afterEach } from "vitest";
import { type App, type AppOptions, startApp } from "../../src/app.js";
import type { Config } from "../../src/config/types.js";
import { createLogger, type Logger } from "../../src/log/logger.js";
import type { Simulator } from "../../src/simulator/index.js";
import { defaultConfig } from "./config.js";
import { parseExposition, type Sample } from "./exposition.js";
import { FAKE_CREDENTIALS, simulate } from "./simulator.js";
import { until } from "./wait.js";

const running: App[] = [];

afterEach(async () => {
  await Promise.all(running.splice(0).map((app) => app.stop(1_000)));
});

export function role(accountId: string): string {
  return `arn:aws:iam::${accountId}:role/kms-keystore-exporter`;
}

/** The smallest fleet, for tests about the server: one account, one region, one CONNECTED store. */
export const ONE_STORE = {
  account: "111111111111",
  scenario: `
accounts:
  - id: "111111111111"
    regions:
      - region: us-east-1
        stores: [{id: cks-aaaaaaaaaaaaaaaaa, name: a, state: CONNECTED}]
`,
  config: { accounts: [{ roleArn: role("111111111111") }] },
};

/** Fast, quiet settings for tests; the rate limit is opened up (tests count calls, not pace). */
export function testConfig(overrides: Partial<Config> = {}): Config {
  return defaultConfig({
    timeoutMs: 5_000,
    concurrency: 4,
    retry: { maxAttempts: 4, minDelayMs: 10, maxDelayMs: 50 },
    rateLimit: { perSecond: 50, burst: 50 },
    regions: ["us-east-1"],
    logLevel: "silent",
    ...overrides,
  });
}

export interface Running {
  app: App;
  simulator: Simulator;
  scrape(): Promise<Sample[]>;
}

/** The whole exporter (real SDK, real HTTP) against a simulator running the scenario. */
export async function runExporter(
  scenarioYaml: string,
  overrides: Partial<Config> = {},
  logger?: Logger,
  options: AppOptions & { requestTimeoutMs?: number } = {},
): Promise<Running> {
  const simulator = await simulate(scenarioYaml, options.now ? { wallClock: options.now } : {});
  const config = testConfig(overrides);
  const app = await startApp(
    config,
    {
      endpoint: simulator.url,
      baseCredentials: async () => FAKE_CREDENTIALS,
      connectTimeoutMs: 1_000,
      requestTimeoutMs: options.requestTimeoutMs ?? config.timeoutMs,
    },
    logger ?? createLogger(config.logLevel, "json"),
    options,
  );
  running.push(app);
  return {
    app,
    simulator,
    scrape: async () => parseExposition(await (await fetch(`${app.url}/metrics`)).text()),
  };
}

/** Waits until every target finished its first poll (what /readyz reports). */
export async function waitUntilReady(app: App, timeoutMs = 20_000): Promise<void> {
  await until(async () => (await fetch(`${app.url}/readyz`)).status === 200, timeoutMs, "ready");
}
