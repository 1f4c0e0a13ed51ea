import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { DescribeCustomKeyStoresCommand, KMSClient } from "@aws-sdk/client-kms";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { FAKE_CREDENTIALS } from "../helpers/simulator.js";

const root = fileURLToPath(new URL("../..", import.meta.url));
const MAIN = "dist/simulator/main.js";

const children: ChildProcess[] = [];

afterEach(() => {
  for (const child of children.splice(0)) if (child.exitCode === null) child.kill("SIGKILL");
});

function run(...args: string[]): ChildProcess {
  const child = spawn(process.execPath, [MAIN, ...args], { cwd: root, stdio: "pipe" });
  children.push(child);
  return child;
}

/** Reads without consuming the stream to its end, so the child never writes into a closed pipe. */
function firstLine(child: ChildProcess): Promise<string> {
  return new Promise((resolve, reject) => {
    let text = "";
    child.stdout?.on("data", (chunk) => {
      text += String(chunk);
      const end = text.indexOf("\n");
      if (end >= 0) resolve(text.slice(0, end));
    });
    child.once("exit", () =>
      reject(new Error(`simulator exited before printing its URL: ${text}`)),
    );
  });
}

async function exitOf(child: ChildProcess): Promise<{ code: number | null; stderr: string }> {
  let stderr = "";
  child.stderr?.on("data", (chunk) => {
    stderr += String(chunk);
  });
  const [code] = (await once(child, "exit")) as [number | null];
  return { code, stderr };
}

describe("standalone simulator", () => {
  beforeAll(() => {
    if (!existsSync(`${root}/${MAIN}`))
      throw new Error(`${MAIN} is missing: run npm run build first`);
  });

  it("prints its URL, answers KMS and stops with status 0 on SIGTERM", async () => {
    const child = run("--scenario", "scenarios/example-small.yaml", "--port", "0");
    const exited = exitOf(child);
    const line = await firstLine(child);
    const url = /^kms simulator listening on (http:\/\/127\.0\.0\.1:\d+)$/.exec(line)?.[1];
    expect(url).toBeDefined();
    const client = new KMSClient({
      region: "us-east-1",
      endpoint: url,
      credentials: FAKE_CREDENTIALS,
      maxAttempts: 1,
    });
    const answer = await client.send(new DescribeCustomKeyStoresCommand({}));
    expect(answer.CustomKeyStores).toHaveLength(3);
    client.destroy();
    child.kill("SIGTERM");
    expect((await exited).code).toBe(0);
  });

  it.each([["--help"], ["-h"]])(
    "answers %s with its usage on stdout and status 0",
    async (flag) => {
      const child = run(flag);
      let stdout = "";
      child.stdout?.on("data", (chunk) => {
        stdout += String(chunk);
      });
      const { code, stderr } = await exitOf(child);
      expect(code).toBe(0);
      expect(stderr).toBe("");
      expect(stdout).toMatch(/^usage: npm run simulator -- --scenario FILE/);
      for (const option of ["--scenario FILE", "--port N", "--host HOST", "-h, --help"]) {
        expect(stdout).toContain(option);
      }
    },
  );

  it.each([
    ["an unknown flag", ["--scenario", "scenarios/example-small.yaml", "--bogus"], /bogus/],
    ["a missing --scenario", [], /--scenario is required/],
    ["a bad port", ["--scenario", "scenarios/example-small.yaml", "--port", "http"], /--port/],
    ["an unreadable scenario", ["--scenario", "scenarios/nope.yaml"], /nope\.yaml/],
  ])("exits 2 on %s", async (_, args, message) => {
    const { code, stderr } = await exitOf(run(...args));
    expect(code).toBe(2);
    expect(stderr).toMatch(message);
  });
});
