import { parseArgs } from "node:util";
import { ConfigError } from "./errors.js";

/** Flags as the user typed them; validation and defaults happen in load.ts. */
export interface Flags {
  configFile?: string;
  /** Repeatable: one listener per address. */
  listenAddresses: string[];
  webConfigFile?: string;
  enableLifecycle: boolean;
  telemetryPath?: string;
  logLevel?: string;
  logFormat?: string;
  shardIndex?: string;
  shardCount?: string;
  demo: boolean;
  once: boolean;
  output?: string;
  allowDisconnected: boolean;
  configCheck: boolean;
  version: boolean;
  help: boolean;
}

const OPTIONS = {
  "config.file": { type: "string" },
  "web.listen-address": { type: "string", multiple: true },
  "web.config.file": { type: "string" },
  "web.enable-lifecycle": { type: "boolean" },
  "web.telemetry-path": { type: "string" },
  "log.level": { type: "string" },
  "log.format": { type: "string" },
  "shard.index": { type: "string" },
  "shard.count": { type: "string" },
  "config.check": { type: "boolean" },
  demo: { type: "boolean" },
  once: { type: "boolean" },
  output: { type: "string" },
  "allow-disconnected": { type: "boolean" },
  version: { type: "boolean" },
  help: { type: "boolean", short: "h" },
} as const;

export const USAGE = `Usage: kms-keystore-exporter [flags]

Exports the connection state of AWS KMS custom key stores to Prometheus.

Flags:
  --config.file=FILE            YAML config file (targets, interval, timeout, concurrency)
  --config.check                validate the config, print what would be polled, exit 0 or 2
  --web.listen-address=:10127   address to listen on ([host]:port); repeat to listen on several
  --web.config.file=FILE        exporter-toolkit web config: TLS, client certificates, basic auth
  --web.enable-lifecycle        answer POST /-/reload (SIGHUP always reloads)
  --web.telemetry-path=/metrics path under which to expose metrics
  --log.level=info              fatal, error, warn, info, debug, trace or silent
  --log.format=json             json, logfmt, or pretty for people
  --shard.index=I               this replica's shard, 0 to count-1 (overrides the file)
  --shard.count=N               number of shards; each account is polled by exactly one
  --demo                        poll a built-in simulator with a canned scenario (no AWS needed)
  --once                        poll every target once, print the result and exit: 0 every
                                store CONNECTED, 1 a store FAILED or not connected, 3 a target
                                could not be polled, 2 bad config
  --output=table                with --once: table (for people) or json (as /status.json)
  --allow-disconnected          with --once: exit 0 unless a store is FAILED
  --version                     print the version and exit
  -h, --help                    print this help and exit
`;

export function parseFlags(argv: string[]): Flags {
  let parsed: ReturnType<typeof parseArgs<{ options: typeof OPTIONS; strict: true }>>;
  try {
    parsed = parseArgs({ args: argv, options: OPTIONS, strict: true, allowPositionals: false });
  } catch (error) {
    throw new ConfigError([`flags: ${(error as Error).message.split("\n")[0]} (see --help)`]);
  }
  const values = parsed.values;
  return {
    configFile: values["config.file"],
    listenAddresses: values["web.listen-address"] ?? [],
    webConfigFile: values["web.config.file"],
    enableLifecycle: values["web.enable-lifecycle"] ?? false,
    telemetryPath: values["web.telemetry-path"],
    logLevel: values["log.level"],
    logFormat: values["log.format"],
    shardIndex: values["shard.index"],
    shardCount: values["shard.count"],
    demo: values.demo ?? false,
    once: values.once ?? false,
    output: values.output,
    allowDisconnected: values["allow-disconnected"] ?? false,
    configCheck: values["config.check"] ?? false,
    version: values.version ?? false,
    help: values.help ?? false,
  };
}
