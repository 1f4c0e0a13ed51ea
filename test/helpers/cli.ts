import { type ChildProcess, execFile, spawn } from "node:child_process";
import { once } from "node:events";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterEach } from "vitest";
import { PACKAGE_ROOT } from "../../src/package/version.js";
import { until } from "./wait.js";

export const CLI = join(PACKAGE_ROOT, "dist", "cli.js");

const children: ChildProcess[] = [];

afterEach(() => {
  for (const child of children.splice(0)) if (child.exitCode === null) child.kill("SIGKILL");
});

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * Runs the built CLI to its end. `env` is applied over this process's environment; a
 * variable set to undefined is removed.
 */
export async function runCli(args: string[], env: NodeJS.ProcessEnv = {}): Promise<CliResult> {
  const merged = Object.fromEntries(
    Object.entries({ ...process.env, ...env }).filter(([, value]) => value !== undefined),
  );
  try {
    const { stdout, stderr } = await promisify(execFile)(process.execPath, [CLI, ...args], {
      env: merged,
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as CliResult;
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}

export interface RunningCli {
  child: ChildProcess;
  url: string;
  stdout: () => string;
  stderr: () => string;
  exit: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** Starts the built CLI on a free port and waits for its "listening" log line. */
export async function startCli(args: string[], env: NodeJS.ProcessEnv = {}): Promise<RunningCli> {
  if (!existsSync(CLI))
    throw new Error(`${CLI} is missing: run npm run build first (npm test does)`);
  const child = spawn(
    process.execPath,
    [CLI, "--web.listen-address=127.0.0.1:0", "--log.format=json", ...args],
    {
      stdio: ["ignore", "pipe", "pipe"],
      env: { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true", ...env },
    },
  );
  children.push(child);
  let stdout = "";
  let stderr = "";
  child.stdout?.on("data", (chunk: Buffer) => {
    stdout += chunk.toString();
  });
  child.stderr?.on("data", (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const exit = once(child, "exit").then(([code, signal]) => ({
    code: code as number | null,
    signal: signal as NodeJS.Signals | null,
  }));
  const listeningUrl = () =>
    stdout
      .split("\n")
      .filter((line) => line.startsWith("{"))
      .map((line) => JSON.parse(line) as { msg?: string; url?: string })
      .find((entry) => entry.msg === "listening")?.url;
  await until(() => listeningUrl() !== undefined || child.exitCode !== null, 20_000).catch(
    () => undefined,
  );
  const url = listeningUrl();
  if (url) return { child, url, stdout: () => stdout, stderr: () => stderr, exit };
  throw new Error(`CLI did not start listening.\nstdout: ${stdout}\nstderr: ${stderr}`);
}

export async function waitForReady(url: string, timeoutMs = 20_000): Promise<void> {
  await until(async () => (await fetch(`${url}/readyz`)).status === 200, timeoutMs, `${url} ready`);
}
