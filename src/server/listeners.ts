import {
  createServer as createHttpServer,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from "node:http";
import { createServer as createHttpsServer, type Server as HttpsServer } from "node:https";
import type { AddressInfo, Socket } from "node:net";
import type { TLSSocket } from "node:tls";
import type { ListenAddress } from "../config/types.js";
import type { Logger } from "../log/logger.js";
import { guardConnections } from "./connections.js";
import { clientCertificateRefusal, type TlsListenerOptions } from "./tls.js";
import type { WebSecurity } from "./web-security.js";

/**
 * Limits against slow, idle and greedy clients. A scrape is a few small headers and one
 * response, so they can be tight without hurting Prometheus.
 */
export interface HttpLimits {
  /** Whole request headers must arrive within this (a client trickling them is cut off). */
  headersTimeoutMs: number;
  /** The whole request must arrive within this. */
  requestTimeoutMs: number;
  /** An idle keep-alive connection is closed after this. */
  keepAliveTimeoutMs: number;
  /** A socket with no traffic either way (e.g. a client that stops reading) is closed. */
  socketTimeoutMs: number;
  /** How often Node checks the header and request timeouts. */
  timeoutCheckIntervalMs: number;
  /** A TLS handshake must finish within this. */
  handshakeTimeoutMs: number;
  /**
   * Connections per listener. At the cap, the oldest connection that is not awaiting an
   * answer (silent, or idle between requests) makes room; when every connection awaits one,
   * a new one is dropped at once.
   */
  maxConnections: number;
  /** Bytes of request line and headers; more gets 431. */
  maxHeaderBytes: number;
}

export const DEFAULT_HTTP_LIMITS: HttpLimits = {
  headersTimeoutMs: 10_000,
  requestTimeoutMs: 30_000,
  keepAliveTimeoutMs: 5_000,
  socketTimeoutMs: 60_000,
  timeoutCheckIntervalMs: 1_000,
  handshakeTimeoutMs: 10_000,
  maxConnections: 128,
  maxHeaderBytes: 8_192,
};

type Handler = (request: IncomingMessage, response: ServerResponse) => void;

export interface Listeners {
  servers: Server[];
  /** One per listen address, in order, e.g. https://127.0.0.1:10127 */
  urls: string[];
  /** A new web config for new connections. TLS cannot be switched on or off without a restart. */
  apply(security: WebSecurity): void;
  /** Stops accepting, lets in-flight responses finish for graceMs, then cuts the rest. */
  close(graceMs: number): Promise<void>;
}

function answerClientError(error: NodeJS.ErrnoException, socket: Socket): void {
  const status =
    error.code === "HPE_HEADER_OVERFLOW"
      ? "431 Request Header Fields Too Large"
      : error.code === "ERR_HTTP_REQUEST_TIMEOUT"
        ? "408 Request Timeout"
        : "400 Bad Request";
  // Destroyed once the answer is written, not when the client closes: a client that never
  // closes would otherwise keep its slot.
  if (socket.writable && !socket.writableEnded) {
    socket.end(`HTTP/1.1 ${status}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`, () =>
      socket.destroy(),
    );
  } else socket.destroy();
}

function applyTls(server: HttpsServer, tls: TlsListenerOptions): void {
  server.setSecureContext(tls.context);
  // tls.Server reads these two for every new connection; setSecureContext has no knob for them.
  const settable = server as unknown as { requestCert: boolean; rejectUnauthorized: boolean };
  settable.requestCert = tls.requestCert;
  settable.rejectUnauthorized = tls.rejectUnauthorized;
}

function createOne(
  handler: Handler,
  security: () => WebSecurity,
  limits: HttpLimits,
  logger: Logger,
): Server {
  const httpOptions = {
    maxHeaderSize: limits.maxHeaderBytes,
    headersTimeout: limits.headersTimeoutMs,
    requestTimeout: limits.requestTimeoutMs,
    keepAliveTimeout: limits.keepAliveTimeoutMs,
    connectionsCheckingInterval: limits.timeoutCheckIntervalMs,
  };
  const tls = security().tls;
  let server: Server;
  if (tls) {
    const https = createHttpsServer({
      ...httpOptions,
      ...tls.context,
      requestCert: tls.requestCert,
      rejectUnauthorized: tls.rejectUnauthorized,
      handshakeTimeout: limits.handshakeTimeoutMs,
    });
    https.on("secureConnection", (socket: TLSSocket) => {
      const current = security().tls;
      const refusal = current && clientCertificateRefusal(current.settings, socket);
      if (refusal) {
        logger.debug({ remote: socket.remoteAddress, reason: refusal }, "TLS client refused");
        socket.destroy();
      }
    });
    https.on("tlsClientError", (error, socket) => {
      logger.debug(
        { remote: socket.remoteAddress, err: { message: error.message } },
        "TLS handshake failed",
      );
    });
    server = https as unknown as Server;
  } else {
    server = createHttpServer(httpOptions);
  }
  server.on("request", guardConnections(server, limits.maxConnections, handler));
  server.keepAliveTimeout = limits.keepAliveTimeoutMs;
  server.timeout = limits.socketTimeoutMs;
  server.on("clientError", answerClientError);
  return server;
}

function listenOn(server: Server, address: ListenAddress): Promise<AddressInfo> {
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(address.port, address.host, () => {
      server.off("error", reject);
      resolve(server.address() as AddressInfo);
    });
  });
}

function urlOf(address: AddressInfo, tls: boolean): string {
  const host = address.family === "IPv6" ? `[${address.address}]` : address.address;
  const shown = host === "[::]" || host === "0.0.0.0" ? "localhost" : host;
  return `${tls ? "https" : "http"}://${shown}:${address.port}`;
}

/** One hardened server per `--web.listen-address`, all sharing one handler and web config. */
export async function listenAll(
  addresses: readonly ListenAddress[],
  handler: Handler,
  security: () => WebSecurity,
  logger: Logger,
  limits: HttpLimits = DEFAULT_HTTP_LIMITS,
): Promise<Listeners> {
  const tls = security().tls !== undefined;
  const servers: Server[] = [];
  const urls: string[] = [];
  try {
    for (const address of addresses) {
      const server = createOne(handler, security, limits, logger);
      servers.push(server);
      urls.push(urlOf(await listenOn(server, address), tls));
    }
  } catch (error) {
    for (const server of servers) server.close();
    throw error;
  }
  return {
    servers,
    urls,
    apply: (fresh) => {
      if (fresh.tls === undefined) return;
      for (const server of servers) applyTls(server as unknown as HttpsServer, fresh.tls);
    },
    close: async (graceMs) => {
      const closed = servers.map(
        (server) => new Promise<void>((resolve) => server.close(() => resolve())),
      );
      for (const server of servers) server.closeIdleConnections();
      const force = setTimeout(() => {
        for (const server of servers) server.closeAllConnections();
      }, graceMs);
      await Promise.all(closed);
      clearTimeout(force);
    },
  };
}
