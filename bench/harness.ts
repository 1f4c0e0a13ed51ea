import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { get } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { type App, startApp } from "../src/app.js";
import { awsSettingsFor } from "../src/aws/clients.js";
import type { Config } from "../src/config/types.js";
import { createLogger } from "../src/log/logger.js";
import { PACKAGE_ROOT } from "../src/package/version.js";
import { SIMULATOR_CREDENTIALS } from "../src/simulator/scenario.js";
import { defaultConfig } from "../test/helpers/config.js";

/**
 * Benchmarks run the simulator in a child process (so the exporter's CPU and memory are
 * its own) and the exporter in this one, both on 127.0.0.1.
 */
export interface SimulatorProcess {
  url: string;
  child: ChildProcess;
  stop(): Promise<void>;
}

export async function startSimulatorProcess(scenarioYaml: string): Promise<SimulatorProcess> {
  const dir = mkdtempSync(join(tmpdir(), "kms-bench-"));
  const scenarioPath = join(dir, "scenario.yaml");
  writeFileSync(scenarioPath, scenarioYaml);
  const child = spawn(
    process.execPath,
    [join(PACKAGE_ROOT, "dist", "simulator", "main.js"), "--scenario", scenarioPath, "--port", "0"],
    { stdio: ["ignore", "pipe", "inherit"] },
  );
  const lines = createInterface({ input: child.stdout as NodeJS.ReadableStream });
  const url = await new Promise<string>((resolve, reject) => {
    lines.on("line", (line) => {
      const match = /listening on (http:\/\/\S+)/.exec(line);
      if (match?.[1]) resolve(match[1]);
    });
    child.once("exit", (code) => reject(new Error(`simulator exited with ${code}`)));
  });
  return {
    url,
    child,
    stop: () =>
      new Promise((resolve) => {
        child.once("exit", () => resolve());
        child.kill("SIGTERM");
      }),
  };
}

export function benchConfig(overrides: Partial<Config>): Config {
  return defaultConfig({
    rateLimit: { perSecond: 50, burst: 50 },
    logLevel: "error",
    ...overrides,
  });
}

export function startExporter(config: Config, simulatorUrl: string): Promise<App> {
  return startApp(
    config,
    awsSettingsFor(config.timeoutMs, {
      endpoint: simulatorUrl,
      // The simulator verifies signatures: sign with the credentials it knows (the bench
      // responder takes any).
      baseCredentials: async () => SIMULATOR_CREDENTIALS,
    }),
    createLogger(config.logLevel, "json"),
  );
}

/** One plain /metrics body, on a fresh connection (an idle keep-alive one may be closing). */
export function scrapeText(app: Pick<App, "url">): Promise<string> {
  return new Promise((resolve, reject) => {
    get(`${app.url}/metrics`, { agent: false }, (response) => {
      let text = "";
      response.setEncoding("utf8");
      response.on("data", (chunk: string) => {
        text += chunk;
      });
      response.on("end", () => resolve(text));
      response.on("error", reject);
    }).on("error", reject);
  });
}

/** Sum of a counter's samples by one label, from exposition text. */
export function sumBy(text: string, metric: string, label: string): Map<string, number> {
  const sums = new Map<string, number>();
  for (const line of text.split("\n")) {
    if (!line.startsWith(`${metric}{`)) continue;
    const value = Number(line.slice(line.lastIndexOf(" ") + 1));
    const key = new RegExp(`${label}="([^"]*)"`).exec(line)?.[1] ?? "";
    sums.set(key, (sums.get(key) ?? 0) + value);
  }
  return sums;
}

export function mib(bytes: number): string {
  return `${(bytes / 1_048_576).toFixed(1)} MiB`;
}

export async function waitFor(
  condition: () => boolean,
  timeoutMs: number,
  pollMs = 50,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error("timed out");
    await new Promise((resolve) => setTimeout(resolve, pollMs));
  }
}
