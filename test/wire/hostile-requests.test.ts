import { once } from "node:events";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { connect } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import bcrypt from "bcryptjs";
import { describe, expect, it } from "vitest";
import { ONE_STORE, runExporter } from "../helpers/exporter.js";

const { scenario: SCENARIO, config: CONFIG } = ONE_STORE;

/** One request as raw bytes; the status line of the answer. */
async function statusLine(url: string, bytes: string): Promise<string> {
  const { hostname, port } = new URL(url);
  const socket = connect(Number(port), hostname);
  await once(socket, "connect");
  let text = "";
  socket.on("data", (chunk: Buffer) => {
    text += chunk.toString("latin1");
  });
  socket.on("error", () => {});
  socket.write(bytes);
  await new Promise<void>((resolve) => {
    const check = () => (text.includes("\r\n") ? resolve() : undefined);
    socket.on("data", check);
    socket.on("close", () => resolve());
  });
  socket.destroy();
  return text.split("\r\n", 1)[0] ?? "";
}

describe("hostile requests", () => {
  it.each([
    ["a request line without a version", "GET /metrics\r\n\r\n", "HTTP/1.1 400 Bad Request"],
    [
      "HTTP/2.0 over HTTP/1",
      "GET /metrics HTTP/2.0\r\nHost: x\r\n\r\n",
      "HTTP/1.1 505 HTTP Version Not Supported",
    ],
    [
      "two Host headers",
      "GET /metrics HTTP/1.1\r\nHost: x\r\nHost: y\r\n\r\n",
      "HTTP/1.1 400 Bad Request",
    ],
    [
      "an absolute-form target",
      "GET http://x/healthz HTTP/1.1\r\nHost: x\r\n\r\n",
      "HTTP/1.1 200 OK",
    ],
    [
      "an absolute-form target with a query",
      "GET http://x/status.json?state=FAILED HTTP/1.1\r\nHost: x\r\n\r\n",
      "HTTP/1.1 200 OK",
    ],
    ["HTTP/1.0 without Host", "GET /healthz HTTP/1.0\r\n\r\n", "HTTP/1.1 200 OK"],
  ])("answers %s as Go's net/http does", async (_case, bytes, expected) => {
    const { app } = await runExporter(SCENARIO, CONFIG);
    expect(await statusLine(app.url, bytes)).toBe(expected);
  });

  it("answers 401 to Basic credentials with bad base64 padding", async () => {
    const dir = mkdtempSync(join(tmpdir(), "kms-auth-padding-"));
    try {
      const webConfigFile = join(dir, "web.yml");
      writeFileSync(webConfigFile, `basic_auth_users:\n  u: "${bcrypt.hashSync("pw", 4)}"\n`);
      const { app } = await runExporter(SCENARIO, { ...CONFIG, webConfigFile });
      const status = async (encoded: string) =>
        (await fetch(`${app.url}/healthz`, { headers: { Authorization: `Basic ${encoded}` } }))
          .status;
      expect(await status("dTpwdw==")).toBe(200);
      expect([await status("dTpwdw"), await status("dTpwdw==="), await status("dTpwdw=")]).toEqual([
        401, 401, 401,
      ]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("answers 400, never 500, to query parameters named like Object's members", async () => {
    const { app } = await runExporter(SCENARIO, CONFIG);
    const names = ["toString", "__proto__", "constructor", "hasOwnProperty", "valueOf"];
    const statuses: number[] = [];
    for (const name of names) {
      for (const path of ["/status.json", "/"]) {
        const response = await fetch(`${app.url}${path}?${name}=1`);
        await response.arrayBuffer();
        statuses.push(response.status);
      }
    }
    expect(statuses).toEqual(Array(names.length * 2).fill(400));
  });
});

describe("a flood of wrong passwords", () => {
  it("at cost 10, answers 401 or 429 to 200 wrong passwords while the good scraper gets every answer", async () => {
    const dir = mkdtempSync(join(tmpdir(), "kms-auth-flood-"));
    try {
      const webConfigFile = join(dir, "web.yml");
      const hash = bcrypt.hashSync("good", 10);
      writeFileSync(webConfigFile, `basic_auth_users:\n  prometheus: "${hash}"\n`);
      const { app } = await runExporter(SCENARIO, { ...CONFIG, webConfigFile });
      const auth = (password: string) => ({
        Authorization: `Basic ${Buffer.from(`prometheus:${password}`).toString("base64")}`,
      });
      // The first scrape pays bcrypt once; its success is cached from then on.
      expect((await fetch(`${app.url}/metrics`, { headers: auth("good") })).status).toBe(200);
      let flooding = true;
      const attack = Promise.all(
        Array.from({ length: 200 }, (_, i) =>
          fetch(`${app.url}/metrics`, { headers: auth(`wrong-${i}`) }).then(
            (response) => {
              void response.arrayBuffer();
              return response.status;
            },
            // Beyond the connection cap, while every connection awaits its answer.
            () => "refused",
          ),
        ),
      ).finally(() => {
        flooding = false;
      });
      const good: number[] = [];
      while (flooding || good.length < 5) {
        const response = await fetch(`${app.url}/metrics`, {
          headers: auth("good"),
          // What Prometheus does at its default scrape timeout: give up.
          signal: AbortSignal.timeout(10_000),
        });
        await response.arrayBuffer();
        good.push(response.status);
      }
      const refused = await attack;
      expect(refused.filter((status) => ![401, 429, "refused"].includes(status))).toEqual([]);
      expect(good.every((status) => status === 200)).toBe(true);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
