import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { PassThrough } from "node:stream";
import { afterEach, describe, expect, it } from "vitest";
import { createLogger } from "../../src/log/logger.js";
import { createRequestHandler, type ServerOptions } from "../../src/server/http.js";
import { NO_WEB_SECURITY } from "../../src/server/web-security.js";

const servers: Server[] = [];
afterEach(() => {
  for (const server of servers.splice(0)) server.close();
});

async function serve(overrides: Partial<ServerOptions>) {
  const log = new PassThrough();
  let logged = "";
  log.on("data", (chunk: Buffer) => {
    logged += chunk.toString();
  });
  const options: ServerOptions = {
    telemetryPath: "/metrics",
    renderMetrics: async () => ({
      textParts: () => [Buffer.from("m 1\n")],
      gzipParts: async () => [],
    }),
    ready: () => ({ ready: true, detail: "ready" }),
    reload: () => ({ ok: true }),
    status: () => {
      throw new Error("not used");
    },
    lifecycle: false,
    security: () => NO_WEB_SECURITY,
    logger: createLogger("info", "json", log),
    ...overrides,
  };
  const server = createServer(createRequestHandler(options));
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    logged: () => logged,
  };
}

describe("request handler", () => {
  it("answers a failing endpoint with a bare 500: no stack, no message, no path", async () => {
    const { url, logged } = await serve({
      renderMetrics: async () => {
        throw new Error("ENOENT: open '/srv/secret/internal/path.json'");
      },
    });
    const response = await fetch(`${url}/metrics`);
    expect(response.status).toBe(500);
    const body = await response.text();
    expect(body).toBe("internal error\n");
    expect(body).not.toMatch(/secret|at |\.js|\.ts/);
    expect(logged()).toContain("/srv/secret/internal/path.json");
    expect((await fetch(`${url}/healthz`)).status).toBe(200);
  });

  it("sends nosniff on every answer and the web config's headers", async () => {
    const { url } = await serve({
      security: () => ({
        ...NO_WEB_SECURITY,
        config: {
          ...NO_WEB_SECURITY.config,
          headers: { "Strict-Transport-Security": "max-age=31536000", "X-Frame-Options": "deny" },
        },
      }),
    });
    for (const path of ["/metrics", "/nope"]) {
      const response = await fetch(`${url}${path}`);
      expect(response.headers.get("x-content-type-options")).toBe("nosniff");
      expect(response.headers.get("strict-transport-security")).toBe("max-age=31536000");
      expect(response.headers.get("x-frame-options")).toBe("deny");
    }
  });
});
