import { execFile } from "node:child_process";
import { describe, expect, it } from "vitest";
import { startCli, waitForReady } from "../helpers/cli.js";
import { toolOrSkipReason } from "../helpers/tools.js";

const promtool = toolOrSkipReason("promtool");

describe("promtool check metrics", () => {
  it.skipIf("skip" in promtool)("reports nothing on a demo scrape", async () => {
    const cli = await startCli(["--demo"]);
    await waitForReady(cli.url);
    const text = await (await fetch(`${cli.url}/metrics`)).text();
    const child = execFile((promtool as { path: string }).path, ["check", "metrics"]);
    const output = new Promise<{ code: number | null; out: string }>((resolve) => {
      let out = "";
      child.stdout?.on("data", (chunk) => {
        out += chunk;
      });
      child.stderr?.on("data", (chunk) => {
        out += chunk;
      });
      child.on("close", (code) => resolve({ code, out }));
    });
    child.stdin?.end(text);
    const { code, out } = await output;
    expect(out).toBe("");
    expect(code).toBe(0);
    cli.child.kill("SIGTERM");
    expect((await cli.exit).code).toBe(0);
  });
});
