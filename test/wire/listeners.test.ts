import { once } from "node:events";
import type { Server } from "node:http";
import { connect, type Socket } from "node:net";
import { describe, expect, it } from "vitest";
import { createLogger } from "../../src/log/logger.js";
import { MAX_PIPELINED_REQUESTS } from "../../src/server/connections.js";
import { DEFAULT_HTTP_LIMITS, type HttpLimits, listenAll } from "../../src/server/listeners.js";
import { NO_WEB_SECURITY } from "../../src/server/web-security.js";
import { ONE_STORE, runExporter, waitUntilReady } from "../helpers/exporter.js";
import { until } from "../helpers/wait.js";

const { scenario: SCENARIO, config: CONFIG } = ONE_STORE;
/** Short enough for a quick test; the defaults are checked separately. */
const LIMITS: HttpLimits = {
  ...DEFAULT_HTTP_LIMITS,
  headersTimeoutMs: 1_500,
  requestTimeoutMs: 3_000,
  timeoutCheckIntervalMs: 200,
};

function socketTo(url: string): Promise<Socket> {
  const { hostname, port } = new URL(url);
  const socket = connect(Number(port), hostname);
  return once(socket, "connect").then(() => socket);
}

/** Everything the server sends until it closes the socket (the test's timeout bounds it). */
function readUntilClosed(socket: Socket): Promise<string> {
  return new Promise((resolve) => {
    let text = "";
    socket.on("data", (chunk: Buffer) => {
      text += chunk.toString("latin1");
    });
    socket.on("close", () => resolve(text));
    socket.on("error", () => {});
  });
}

async function rawExchange(url: string, bytes: string): Promise<string> {
  const socket = await socketTo(url);
  const reply = readUntilClosed(socket);
  socket.end(bytes);
  return await reply;
}

describe("HTTP hardening", () => {
  it("keeps the documented defaults", () => {
    expect(DEFAULT_HTTP_LIMITS).toEqual({
      headersTimeoutMs: 10_000,
      requestTimeoutMs: 30_000,
      keepAliveTimeoutMs: 5_000,
      socketTimeoutMs: 60_000,
      timeoutCheckIntervalMs: 1_000,
      handshakeTimeoutMs: 10_000,
      maxConnections: 128,
      maxHeaderBytes: 8_192,
    });
  });

  it("cuts off a client that trickles its headers, while /metrics and /healthz keep answering", async () => {
    const { app } = await runExporter(SCENARIO, CONFIG, undefined, { httpLimits: LIMITS });
    await waitUntilReady(app);
    const slow = await socketTo(app.url);
    let closed = false;
    const outcome = readUntilClosed(slow).finally(() => {
      closed = true;
    });
    slow.write("GET /metrics HTTP/1.1\r\nHost: x\r\n");
    // One header byte every 200 ms: it would take 12 s to send the 60 bytes.
    const trickle = setInterval(() => {
      if (!slow.destroyed) slow.write("a");
    }, 200);
    const answered: number[] = [];
    try {
      // Scrapes and health checks go on while the slow client holds its connection, until the
      // server cuts that client off.
      await until(
        async () => {
          const [metrics, health] = await Promise.all([
            fetch(`${app.url}/metrics`),
            fetch(`${app.url}/healthz`),
          ]);
          answered.push(metrics.status, health.status);
          await metrics.arrayBuffer();
          await health.arrayBuffer();
          return closed && answered.length >= 4;
        },
        30_000,
        "the slow client cut off",
      );
      // 408: cut off by the headers timeout, before its headers could end (in 12 s) or grow
      // past the header size limit.
      expect(await outcome).toMatch(/^HTTP\/1\.1 408 /);
    } finally {
      clearInterval(trickle);
      slow.destroy();
    }
    expect(answered.length).toBeGreaterThanOrEqual(4);
    expect(new Set(answered)).toEqual(new Set([200]));
  });

  it("answers oversized headers with 431 and garbage with 400, and keeps serving", async () => {
    const { app } = await runExporter(SCENARIO, CONFIG);
    const big = await rawExchange(
      app.url,
      `GET /metrics HTTP/1.1\r\nHost: x\r\nX-Big: ${"a".repeat(10_000)}\r\n\r\n`,
    );
    expect(big).toMatch(/^HTTP\/1\.1 431 /);
    expect(await rawExchange(app.url, "\x16\x03\x01garbage\r\n\r\n")).toMatch(/^HTTP\/1\.1 400 /);
    expect(await rawExchange(app.url, "GET /metrics HTTP/9.9\r\n\r\n")).toMatch(/^HTTP\/1\.1 400 /);
    expect(await rawExchange(app.url, "BREW /metrics HTTP/1.1\r\nHost: x\r\n\r\n")).toMatch(
      /^HTTP\/1\.1 400 /,
    );
    expect((await fetch(`${app.url}/healthz`)).status).toBe(200);
  });

  it("answers random garbage with a 4xx or a closed connection, and keeps serving", async () => {
    const { app } = await runExporter(SCENARIO, CONFIG);
    // A fixed-seed generator, so that a failure can be replayed.
    let seed = 42;
    const random = () => {
      seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    const pieces = [
      "GET ",
      "/metrics",
      " HTTP/1.1\r\n",
      "Host: x\r\n",
      ":",
      "\0",
      "\r\n\r\n",
      "é",
      "%",
      "?a=",
    ];
    for (let round = 0; round < 40; round++) {
      let bytes = "";
      const count = 1 + Math.floor(random() * 12);
      for (let i = 0; i < count; i++) {
        bytes +=
          random() < 0.5
            ? (pieces[Math.floor(random() * pieces.length)] ?? "")
            : String.fromCharCode(Math.floor(random() * 256)).repeat(1 + Math.floor(random() * 50));
      }
      const reply = await rawExchange(app.url, bytes);
      const status = /^HTTP\/1\.1 (\d{3}) /.exec(reply)?.[1];
      // A request that happens to be valid may succeed; anything else is refused, never a 5xx.
      if (status !== undefined) expect(Number(status), JSON.stringify(bytes)).toBeLessThan(500);
    }
    expect((await fetch(`${app.url}/healthz`)).status).toBe(200);
  });

  it("keeps answering scrapes and probes while 300 silent sockets are held and replaced", async () => {
    const { app } = await runExporter(SCENARIO, CONFIG, undefined, { httpLimits: LIMITS });
    await waitUntilReady(app);
    const held = new Set<Socket>();
    let opened = 0;
    let flooding = true;
    // The attacker keeps 300 sockets open that never send a byte, reopening any dropped one.
    const hold = async (): Promise<void> => {
      while (flooding) {
        const socket = await socketTo(app.url).catch(() => undefined);
        if (!socket) continue;
        held.add(socket);
        opened++;
        socket.on("error", () => {});
        if (!flooding) socket.destroy();
        await once(socket, "close");
        held.delete(socket);
      }
    };
    const attackers = Array.from({ length: 300 }, hold);
    const statuses: number[] = [];
    try {
      await until(() => opened >= 600);
      for (let round = 0; round < 10; round++) {
        for (const path of ["/metrics", "/healthz", "/readyz"]) {
          const response = await fetch(`${app.url}${path}`);
          await response.arrayBuffer();
          statuses.push(response.status);
        }
      }
    } finally {
      flooding = false;
      for (const socket of held) socket.destroy();
      await Promise.all(attackers);
    }
    expect(statuses).toEqual(Array(30).fill(200));
  });

  it("cuts off sockets that pipeline 5,000 scrapes each and do not read; memory holds", async () => {
    const { app } = await runExporter(SCENARIO, CONFIG);
    await waitUntilReady(app);
    const before = process.memoryUsage().rss;
    const attackers = await Promise.all([1, 2, 3, 4].map(() => socketTo(app.url)));
    const answers = attackers.map(() => 0);
    for (const socket of attackers) {
      socket.on("error", () => {});
      socket.pause();
      socket.write("GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n".repeat(5_000));
    }
    for (let i = 0; i < 5; i++) expect((await fetch(`${app.url}/healthz`)).status).toBe(200);
    expect(process.memoryUsage().rss - before).toBeLessThan(100 * 1024 * 1024);
    // Now they read: what the server answered before cutting them off is a handful, not 5,000.
    await Promise.all(
      attackers.map((socket, index) => {
        socket.on("data", (chunk: Buffer) => {
          answers[index] =
            (answers[index] ?? 0) + chunk.toString("latin1").split("HTTP/1.1 200").length - 1;
        });
        socket.resume();
        return socket.closed ? undefined : once(socket, "close");
      }),
    );
    for (const count of answers) expect(count).toBeLessThanOrEqual(MAX_PIPELINED_REQUESTS + 1);
  });

  it("listens on every --web.listen-address", async () => {
    const { app } = await runExporter(SCENARIO, {
      ...CONFIG,
      listenAddresses: [
        { host: "127.0.0.1", port: 0 },
        { host: "127.0.0.1", port: 0 },
      ],
    });
    expect(app.urls).toHaveLength(2);
    expect(new Set(app.urls).size).toBe(2);
    for (const url of app.urls) expect((await fetch(`${url}/healthz`)).status).toBe(200);
  });
});

describe("a socket that got its 408", () => {
  it("is destroyed at once, even when the client never closes its side", async () => {
    const listeners = await listenAll(
      [{ host: "127.0.0.1", port: 0 }],
      (_request, response) => response.end(),
      () => NO_WEB_SECURITY,
      createLogger("silent", "json"),
      LIMITS,
    );
    const server = listeners.servers[0] as Server;
    const connections = () =>
      new Promise<number>((resolve, reject) =>
        server.getConnections((error, count) => (error ? reject(error) : resolve(count))),
      );
    try {
      const { port } = new URL(listeners.urls[0] as string);
      // allowHalfOpen: this client never closes its side, as an attacker holding slots would not.
      const silent = connect({ port: Number(port), host: "127.0.0.1", allowHalfOpen: true });
      silent.on("error", () => {});
      await once(silent, "connect");
      let text = "";
      silent.on("data", (chunk: Buffer) => {
        text += chunk.toString("latin1");
      });
      await until(() => text.startsWith("HTTP/1.1 408 "));
      await until(async () => (await connections()) === 0);
      silent.destroy();
    } finally {
      await listeners.close(0);
    }
  });
});
