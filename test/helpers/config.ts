import { DEFAULTS } from "../../src/config/load.js";
import type { Config } from "../../src/config/types.js";

/** Every setting at its default: for code that builds configs (tests, benchmarks). */
export function defaultConfig(overrides: Partial<Config> = {}): Config {
  return {
    configFile: undefined,
    intervalMs: DEFAULTS.intervalMs,
    timeoutMs: DEFAULTS.timeoutMs,
    concurrency: DEFAULTS.concurrency,
    retry: { ...DEFAULTS.retry },
    rateLimit: { ...DEFAULTS.rateLimit },
    maxStalenessMs: undefined,
    regions: [],
    accounts: [{}],
    sessionDurationSeconds: DEFAULTS.sessionDurationSeconds,
    maxStoresPerTarget: DEFAULTS.maxStoresPerTarget,
    stores: undefined,
    discovery: undefined,
    stsRegion: undefined,
    shard: { index: 0, count: 1 },
    enrich: {
      intervalMs: DEFAULTS.enrichIntervalMs,
      cloudhsm: false,
      xks: false,
      keys: false,
      keysRateLimit: { ...DEFAULTS.keysRateLimit },
    },
    listenAddresses: [{ host: "127.0.0.1", port: 0 }],
    webConfigFile: undefined,
    enableLifecycle: false,
    telemetryPath: DEFAULTS.telemetryPath,
    logLevel: DEFAULTS.logLevel,
    logFormat: DEFAULTS.logFormat,
    demo: false,
    ...overrides,
  };
}
