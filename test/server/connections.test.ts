import { once } from "node:events";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { type AddressInfo, connect, type Socket } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { guardConnections, MAX_PIPELINED_REQUESTS } from "../../src/server/connections.js";
import { until } from "../helpers/wait.js";

/** More than loopback's socket buffers hold, so an answer the client does not read stays. */
const BODY = Buffer.alloc(32 * 1024 * 1024, "x");
const REQUEST = "GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n";

const servers: Server[] = [];
const sockets: Socket[] = [];
afterEach(async () => {
  for (const socket of sockets.splice(0)) socket.destroy();
  for (const server of servers.splice(0)) {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
});

/** A server whose every answer is 32 MiB, with the guard; counts the answers it starts. */
async function serve(maxConnections: number) {
  const server = createServer();
  let answered = 0;
  const handler = (_request: IncomingMessage, response: ServerResponse) => {
    answered++;
    response.writeHead(200, { "Content-Length": BODY.length });
    response.end(BODY);
  };
  server.on("request", guardConnections(server, maxConnections, handler));
  servers.push(server);
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const port = (server.address() as AddressInfo).port;
  const open = async () => {
    const socket = connect(port, "127.0.0.1");
    sockets.push(socket);
    socket.on("error", () => {});
    await once(socket, "connect");
    return socket;
  };
  const connections = () =>
    new Promise<number>((resolve, reject) =>
      server.getConnections((error, count) => (error ? reject(error) : resolve(count))),
    );
  return { answered: () => answered, open, connections };
}

describe("guardConnections", () => {
  it("answers pipelined requests one at a time, not reading while the client does not", async () => {
    const { answered, open } = await serve(8);
    const socket = await open();
    socket.pause();
    socket.write(REQUEST.repeat(10));
    await until(() => answered() >= 1);
    // The first answer fills the socket's buffers; nothing more is answered until it drains.
    await new Promise((resolve) => setImmediate(resolve));
    expect(answered()).toBe(1);
    let received = 0;
    socket.on("data", (chunk: Buffer) => {
      received += chunk.length;
    });
    socket.resume();
    await until(() => received >= 10 * BODY.length);
    expect(answered()).toBe(10);
  });

  it("cuts off a client that pipelines thousands of requests and never reads; memory stays bounded", async () => {
    const { answered, open, connections } = await serve(8);
    const before = process.memoryUsage().rss;
    const attackers = await Promise.all([open(), open(), open(), open()]);
    for (const socket of attackers) {
      socket.pause();
      socket.write(REQUEST.repeat(5_000));
    }
    await until(async () => (await connections()) === 0);
    // At most the answers in progress when each socket was cut off: never thousands of MiB.
    expect(answered()).toBeLessThanOrEqual(attackers.length * 2);
    expect(process.memoryUsage().rss - before).toBeLessThan(200 * 1024 * 1024);
    expect(MAX_PIPELINED_REQUESTS).toBeLessThan(5_000);
  });

  it("at the cap, evicts the oldest connection that is not awaiting an answer", async () => {
    const { open } = await serve(2);
    const silent = await open();
    const speaking = await open();
    speaking.write(REQUEST);
    await once(speaking, "data");
    const newcomer = await open();
    await once(silent, "close");
    expect(speaking.destroyed).toBe(false);
    newcomer.write(REQUEST);
    await once(newcomer, "data");
  });

  it("when every connection awaits an answer, refuses the newcomer", async () => {
    const { answered, open } = await serve(2);
    const first = await open();
    const second = await open();
    for (const socket of [first, second]) {
      // The 32 MiB answer does not fit the socket's buffers while the client reads none of it.
      socket.pause();
      socket.write(REQUEST);
    }
    await until(() => answered() === 2);
    const newcomer = await open();
    await once(newcomer, "close");
    expect(first.destroyed || second.destroyed).toBe(false);
  });
});
