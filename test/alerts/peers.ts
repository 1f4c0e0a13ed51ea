import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach } from "vitest";
import { stringify as stringifyYaml } from "yaml";
import { until } from "../helpers/wait.js";

/**
 * Real Prometheus and Alertmanager (Debian's binaries) as child processes on free loopback
 * ports, each in its own temporary directory; all are killed and removed after each test.
 */
const cleanups: (() => void)[] = [];

afterEach(() => {
  for (const cleanup of cleanups.splice(0).reverse()) cleanup();
});

export function tempDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), `kms-${prefix}-`));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** A port free right now on 127.0.0.1; another process may take it before it is used. */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  await new Promise((resolve) => server.close(resolve));
  if (address === null || typeof address === "string") throw new Error("no port");
  return address.port;
}

/**
 * Starts something that takes a fixed port (the tools' --web.listen-address) on a free one,
 * and on another when some other process took that port in between (EADDRINUSE).
 */
export async function onFreePort<T>(start: (port: number) => Promise<T>, attempts = 5): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    const port = await freePort();
    try {
      return await start(port);
    } catch (error) {
      const taken = /EADDRINUSE|address already in use/i.test(String(error));
      if (!taken || attempt >= attempts) throw error;
    }
  }
}

export interface Peer {
  url: string;
}

async function startPeer(binary: string, args: string[], port: number): Promise<Peer> {
  const child: ChildProcess = spawn(binary, args, { stdio: ["ignore", "pipe", "pipe"] });
  cleanups.push(() => {
    if (child.exitCode === null) child.kill("SIGKILL");
  });
  let output = "";
  const collect = (chunk: Buffer) => {
    output += chunk.toString();
  };
  child.stdout?.on("data", collect);
  child.stderr?.on("data", collect);
  const url = `http://127.0.0.1:${port}`;
  const ready = () =>
    fetch(`${url}/-/ready`).then(
      (response) => response.ok,
      () => false,
    );
  let up = false;
  await until(
    async () => {
      up = await ready();
      return up || child.exitCode !== null;
    },
    30_000,
    `${binary} ready`,
  ).catch(() => undefined);
  if (up) return { url };
  throw new Error(`${binary} did not become ready (exit ${child.exitCode}):\n${output}`);
}

export async function startAlertmanager(binary: string): Promise<Peer> {
  // Alerts are listed by the API whatever the route does, so one receiver that sends nothing.
  return startAlertmanagerWith(binary, {
    route: { receiver: "nowhere", group_wait: "1s", group_interval: "1s" },
    receivers: [{ name: "nowhere" }],
  });
}

/** Alertmanager with the given configuration (as an object, written as its YAML file). */
export async function startAlertmanagerWith(binary: string, config: object): Promise<Peer> {
  const dir = tempDir("alertmanager");
  writeFileSync(join(dir, "alertmanager.yml"), stringifyYaml(config));
  return onFreePort((port) =>
    startPeer(
      binary,
      [
        `--config.file=${join(dir, "alertmanager.yml")}`,
        `--storage.path=${join(dir, "data")}`,
        `--web.listen-address=127.0.0.1:${port}`,
        "--cluster.listen-address=", // no gossip: a single instance, no extra port
        "--log.level=warn",
      ],
      port,
    ),
  );
}

export interface PrometheusOptions {
  /** host:port of the exporter to scrape. */
  exporter: string;
  /** host:port of the Alertmanager to send alerts to. */
  alertmanager: string;
  /** Path of the rules file to load. */
  rulesFile: string;
}

export async function startPrometheus(binary: string, options: PrometheusOptions): Promise<Peer> {
  return startPrometheusWith(binary, {
    global: { scrape_interval: "1s", evaluation_interval: "1s" },
    rule_files: [options.rulesFile],
    scrape_configs: [
      {
        job_name: "kms-keystore-exporter",
        static_configs: [{ targets: [options.exporter] }],
      },
    ],
    alerting: { alertmanagers: [{ static_configs: [{ targets: [options.alertmanager] }] }] },
  });
}

/** Prometheus with the given configuration (as an object, written as its YAML file). */
export async function startPrometheusWith(binary: string, config: object): Promise<Peer> {
  const dir = tempDir("prometheus");
  writeFileSync(join(dir, "prometheus.yml"), stringifyYaml(config));
  return onFreePort((port) =>
    startPeer(
      binary,
      [
        `--config.file=${join(dir, "prometheus.yml")}`,
        `--storage.tsdb.path=${join(dir, "data")}`,
        `--web.listen-address=127.0.0.1:${port}`,
        "--log.level=warn",
      ],
      port,
    ),
  );
}

/** GET a Prometheus or Alertmanager API path and return its JSON. */
export async function getJson<T>(url: string): Promise<T> {
  const response = await fetch(url);
  if (!response.ok) throw new Error(`${url}: HTTP ${response.status} ${await response.text()}`);
  return (await response.json()) as T;
}
