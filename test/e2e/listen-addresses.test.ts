import { describe, expect, it } from "vitest";
import { onFreePort } from "../alerts/peers.js";
import { startCli } from "../helpers/cli.js";
import { until } from "../helpers/wait.js";

describe("--web.listen-address, repeated", () => {
  it("makes the CLI listen on each address and log each one", async () => {
    // startCli adds --web.listen-address=127.0.0.1:0; this is the second address.
    const { cli, port } = await onFreePort(async (port) => ({
      cli: await startCli(["--demo", `--web.listen-address=127.0.0.1:${port}`]),
      port,
    }));
    const listening = () =>
      cli
        .stdout()
        .split("\n")
        .filter((line) => line.startsWith("{"))
        .map((line) => JSON.parse(line) as { msg: string; url?: string })
        .filter((line) => line.msg === "listening")
        .map((line) => line.url);
    await until(() => listening().length === 2);
    const urls = listening();
    expect(urls[1]).toBe(`http://127.0.0.1:${port}`);
    for (const url of urls) expect((await fetch(`${url}/healthz`)).status).toBe(200);
    cli.child.kill("SIGTERM");
    expect((await cli.exit).code).toBe(0);
  });
});
