import { spawn } from "node:child_process";
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmdirSync,
  writeFileSync,
} from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PACKAGE_ROOT } from "../src/package/version.js";
import { accountId, REGIONS } from "./fleet.js";
import { scrapeText } from "./harness.js";
import type { ResponderProcess } from "./responder.js";

/**
 * The exporter as users run it (`node dist/cli.js --config.file=…`, the Docker image's
 * entrypoint), in a process of its own, polling the responder through AWS_ENDPOINT_URL.
 * Its resident memory is the pod's: no loader, no bench code, no scrape client, no forced
 * garbage collection.
 */
export interface ShippedExporter {
  url: string;
  pid: number;
  /** Its working directory (config, heap snapshots). */
  dir: string;
  /** VmRSS and VmHWM (peak) of the process, in bytes, from /proc. */
  rss(): { current: number; peak: number };
  stop(): Promise<void>;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer().listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
    server.on("error", reject);
  });
}

/**
 * A memory cgroup of its own with the given limit, as a pod's `resources.limits.memory`
 * makes one: Node sizes its heap from that limit (432 MiB of heap under 768 MiB with Node
 * 24, 4,288 MiB on this 24 GiB machine without one), so the RSS of a deployed pod is only
 * measured inside one. Needs root and a writable cgroup hierarchy (v2 or v1's memory).
 */
function memoryCgroup(limitMiB: number): string {
  const name = `kms-keystore-exporter-bench-${process.pid}`;
  const bytes = String(limitMiB * 2 ** 20);
  const v2 = "/sys/fs/cgroup";
  const candidates = [
    ...(existsSync(`${v2}/cgroup.controllers`) &&
    readFileSync(`${v2}/cgroup.controllers`, "utf8").split(/\s+/).includes("memory")
      ? [{ dir: `${v2}/${name}`, file: "memory.max" }]
      : []),
    { dir: `/sys/fs/cgroup/memory/${name}`, file: "memory.limit_in_bytes" },
  ];
  const failures: string[] = [];
  for (const { dir, file } of candidates) {
    try {
      mkdirSync(dir, { recursive: true });
      writeFileSync(`${dir}/${file}`, bytes);
      process.once("exit", () => rmdirSync(dir));
      return dir;
    } catch (error) {
      failures.push(`${dir}: ${(error as Error).message}`);
    }
  }
  throw new Error(
    `--memory-limit needs a memory cgroup this user may create (${failures.join("; ")})`,
  );
}

export async function startShippedExporter(
  accounts: number,
  responder: ResponderProcess,
  options: { intervalSeconds: number; nodeFlags?: string[]; memoryLimitMiB?: number },
): Promise<ShippedExporter> {
  const dir = mkdtempSync(join(tmpdir(), "kms-bench-shipped-"));
  const configPath = join(dir, "config.yml");
  // The in-process benchmarks' fleet (fleetConfig), written as a user would.
  writeFileSync(
    configPath,
    [
      `interval: ${options.intervalSeconds}s`,
      `timeout: ${Math.min(30, options.intervalSeconds)}s`,
      "concurrency: 64",
      "rateLimit: { perSecond: 50, burst: 50 }",
      `regions: [${REGIONS.join(", ")}]`,
      "accounts:",
      ...Array.from(
        { length: accounts },
        (_, index) => `  - roleArn: arn:aws:iam::${accountId(index)}:role/kms-keystore-exporter`,
      ),
    ].join("\n"),
  );
  const port = await freePort();
  const cgroup =
    options.memoryLimitMiB === undefined ? undefined : memoryCgroup(options.memoryLimitMiB);
  const command = [
    process.execPath,
    ...(options.nodeFlags ?? []),
    join(PACKAGE_ROOT, "dist", "cli.js"),
    `--config.file=${configPath}`,
    `--web.listen-address=127.0.0.1:${port}`,
    "--log.level=error",
  ];
  // The shell joins the cgroup and becomes the exporter (exec), so the pid is the exporter's.
  const child = spawn(
    cgroup === undefined ? (command[0] as string) : "/bin/sh",
    cgroup === undefined
      ? command.slice(1)
      : ["-c", 'echo $$ > "$0" && exec "$@"', `${cgroup}/cgroup.procs`, ...command],
    {
      cwd: dir,
      stdio: ["ignore", "inherit", "inherit"],
      env: {
        ...process.env,
        AWS_ENDPOINT_URL: responder.url,
        AWS_ACCESS_KEY_ID: "AKIDBENCHMARK",
        AWS_SECRET_ACCESS_KEY: "bench",
        AWS_REGION: REGIONS[0],
        AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true",
      },
    },
  );
  const killChild = () => child.kill("SIGTERM");
  process.once("exit", killChild);
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`exporter exited with ${child.exitCode}`);
    try {
      await scrapeText({ url });
      break;
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }
  const pid = child.pid ?? 0;
  return {
    url,
    pid,
    dir,
    rss() {
      const status = readFileSync(`/proc/${pid}/status`, "utf8");
      const kib = (field: string) => Number(new RegExp(`${field}:\\s+(\\d+)`).exec(status)?.[1]);
      return { current: kib("VmRSS") * 1024, peak: kib("VmHWM") * 1024 };
    },
    stop: () =>
      new Promise((resolve) => {
        process.off("exit", killChild);
        child.once("exit", () => resolve());
        child.kill("SIGTERM");
      }),
  };
}

/** Waits until the responder has answered every target's DescribeCustomKeyStores `rounds` times. */
export async function respondedRounds(
  responder: ResponderProcess,
  targets: number,
  rounds: number,
  timeoutMs: number,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const perTarget = Object.values((await responder.counts()).byTarget);
    if (perTarget.length >= targets && Math.min(...perTarget) >= rounds) return;
    if (Date.now() > deadline) throw new Error(`not every target polled ${rounds}× in time`);
    await new Promise((resolve) => setTimeout(resolve, 1_000));
  }
}

/** The exporter's own memory figures (prom-client's process metrics), from its /metrics. */
export async function memoryBreakdown(url: string): Promise<string> {
  const text = await scrapeText({ url });
  const value = (name: string) => {
    const line = text.split("\n").find((candidate) => candidate.startsWith(`${name} `));
    return line === undefined ? Number.NaN : Number(line.slice(name.length + 1)) / 2 ** 20;
  };
  return [
    `heap used ${value("nodejs_heap_size_used_bytes").toFixed(1)} MiB`,
    `heap total ${value("nodejs_heap_size_total_bytes").toFixed(1)} MiB`,
    `external ${value("nodejs_external_memory_bytes").toFixed(1)} MiB`,
  ].join(", ");
}
