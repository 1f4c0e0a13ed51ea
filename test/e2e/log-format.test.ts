import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { afterEach, describe, expect, it } from "vitest";
import { CLI } from "../helpers/cli.js";
import { until } from "../helpers/wait.js";

const children: ChildProcess[] = [];
afterEach(() => {
  for (const child of children.splice(0)) if (child.exitCode === null) child.kill("SIGKILL");
});

/** The demo (its own simulator, several accounts) in the given log format, until it polled. */
async function demoOutput(format: string, ready: RegExp): Promise<string> {
  const child = spawn(
    process.execPath,
    [CLI, "--demo", "--web.listen-address=127.0.0.1:0", `--log.format=${format}`],
    {
      stdio: ["ignore", "pipe", "pipe"],
      env: { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true" },
    },
  );
  children.push(child);
  let stdout = "";
  child.stdout?.on("data", (chunk: Buffer) => {
    stdout += chunk.toString();
  });
  await until(() => ready.test(stdout), 20_000);
  child.kill("SIGTERM");
  await once(child, "exit");
  return stdout;
}

describe("--log.format", () => {
  it("json writes the level as a word", async () => {
    const output = await demoOutput("json", /"msg":"store state changed|"msg":"listening"/);
    const lines = output
      .split("\n")
      .filter((line) => line !== "")
      .map((line) => JSON.parse(line) as { level: unknown; msg: string });
    expect(lines.length).toBeGreaterThan(0);
    for (const line of lines) expect(["info", "warn", "error", "debug"]).toContain(line.level);
    expect(lines.find((line) => line.msg === "listening")?.level).toBe("info");
  });

  it("logfmt writes ts, level and msg, one record a line", async () => {
    const output = await demoOutput("logfmt", /msg=listening/);
    const lines = output.split("\n").filter((line) => line !== "");
    expect(lines.length).toBeGreaterThan(0);
    for (const line of lines) {
      expect(line).toMatch(/^ts=\d{4}-\d\d-\d\dT[\d:.]+Z level=(info|warn|error|debug) msg=/);
      expect(line).not.toMatch(/^\{/);
    }
    expect(output).toMatch(
      /level=info msg=listening name=kms-keystore-exporter url=http:\/\/127\.0\.0\.1:\d+ /,
    );
  });
});
