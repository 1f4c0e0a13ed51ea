import type { IncomingMessage, ServerResponse } from "node:http";
import type { Logger } from "../log/logger.js";
import type { RenderedMetrics } from "../metrics/cache.js";
import {
  parseFilters,
  type StatusFilters,
  type StatusReport,
  statusJson,
} from "../status/report.js";
import { acceptsGzip } from "./accept-encoding.js";
import { protocolRefusal, requestTarget } from "./request-line.js";
import { renderStatusPage } from "./status-page.js";
import type { WebSecurity } from "./web-security.js";

const METRICS_CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";
const TEXT = { "Content-Type": "text/plain; charset=utf-8" };

export interface ServerOptions {
  telemetryPath: string;
  renderMetrics: () => Promise<RenderedMetrics>;
  ready: () => { ready: boolean; detail: string };
  reload: () => { ok: true } | { ok: false; problems: string[] };
  /** The state as the status page and /status.json show it, built per request. */
  status: (filters: StatusFilters) => StatusReport;
  /** POST /-/reload answers only with --web.enable-lifecycle, as in Prometheus. */
  lifecycle: boolean;
  /** The web config in force (it changes when its file does). */
  security: () => WebSecurity;
  logger: Logger;
}

export type RouteHandler = (
  request: IncomingMessage,
  response: ServerResponse,
  head: boolean,
) => void | Promise<void>;

/** One path: the methods it answers and what it does; HEAD is implied by GET. */
export interface Route {
  methods: readonly ("GET" | "POST" | "PUT")[];
  handle: RouteHandler;
}

function sendText(
  response: ServerResponse,
  status: number,
  body: string,
  headers: Record<string, string> = {},
): void {
  response.writeHead(status, {
    "Content-Type": "text/plain; charset=utf-8",
    "Content-Length": Buffer.byteLength(body),
    ...headers,
  });
  response.end(body);
}

function sendBody(
  response: ServerResponse,
  status: number,
  headers: Record<string, string | number>,
  parts: (string | Buffer)[],
  head: boolean,
): void {
  const length = parts.reduce((total, part) => total + Buffer.byteLength(part), 0);
  response.writeHead(status, { ...headers, "Content-Length": length });
  if (head) {
    response.end();
    return;
  }
  for (const part of parts) response.write(part);
  response.end();
}

async function serveMetrics(
  request: IncomingMessage,
  response: ServerResponse,
  head: boolean,
  options: ServerOptions,
): Promise<void> {
  const rendered = await options.renderMetrics();
  if (acceptsGzip(request.headers["accept-encoding"])) {
    sendBody(
      response,
      200,
      { "Content-Type": METRICS_CONTENT_TYPE, "Content-Encoding": "gzip", Vary: "Accept-Encoding" },
      await rendered.gzipParts(),
      head,
    );
  } else {
    sendBody(
      response,
      200,
      { "Content-Type": METRICS_CONTENT_TYPE, Vary: "Accept-Encoding" },
      rendered.textParts(),
      head,
    );
  }
}

function queryOf(request: IncomingMessage): string {
  return requestTarget(request.url ?? "/").query;
}

/** `/` and `/status.json`: the same report, filtered by the same query parameters. */
function serveStatus(
  request: IncomingMessage,
  response: ServerResponse,
  head: boolean,
  options: ServerOptions,
  format: "html" | "json",
): void {
  const parsed = parseFilters(new URLSearchParams(queryOf(request)));
  if ("problem" in parsed) {
    sendText(response, 400, `${parsed.problem}\n`);
    return;
  }
  const report = options.status(parsed.filters);
  const [body, contentType] =
    format === "html"
      ? [renderStatusPage(report, options.telemetryPath), "text/html; charset=utf-8"]
      : [`${statusJson(report)}\n`, "application/json; charset=utf-8"];
  sendBody(
    response,
    200,
    // The page reloads itself; a cache in between would show it stale.
    { "Content-Type": contentType, "Cache-Control": "no-store" },
    [body],
    head,
  );
}

/** Every path the exporter answers; a new endpoint is one entry here. */
export function routes(options: ServerOptions): Map<string, Route> {
  return new Map<string, Route>([
    [
      options.telemetryPath,
      {
        methods: ["GET"],
        handle: (request, response, head) => serveMetrics(request, response, head, options),
      },
    ],
    [
      "/",
      {
        methods: ["GET"],
        handle: (request, response, head) => serveStatus(request, response, head, options, "html"),
      },
    ],
    [
      "/status.json",
      {
        methods: ["GET"],
        handle: (request, response, head) => serveStatus(request, response, head, options, "json"),
      },
    ],
    [
      "/healthz",
      {
        methods: ["GET"],
        handle: (_request, response, head) => sendBody(response, 200, TEXT, ["OK\n"], head),
      },
    ],
    [
      "/readyz",
      {
        methods: ["GET"],
        handle: (_request, response, head) => {
          const { ready, detail } = options.ready();
          sendBody(response, ready ? 200 : 503, TEXT, [`${detail}\n`], head);
        },
      },
    ],
    [
      "/-/reload",
      {
        methods: ["POST", "PUT"],
        handle: (_request, response) => {
          if (!options.lifecycle) {
            return sendText(
              response,
              403,
              "Lifecycle API is not enabled (start with --web.enable-lifecycle, or send SIGHUP).\n",
            );
          }
          const result = options.reload();
          return result.ok
            ? sendText(response, 200, "config reloaded\n")
            : sendText(response, 500, `config reload failed:\n${result.problems.join("\n")}\n`);
        },
      },
    ],
  ]);
}

function allowHeader(route: Route): string {
  return route.methods
    .flatMap((method) => (method === "GET" ? ["GET", "HEAD"] : [method]))
    .join(", ");
}

async function answer(
  request: IncomingMessage,
  response: ServerResponse,
  table: Map<string, Route>,
  security: WebSecurity,
): Promise<void> {
  const refusal = protocolRefusal(request);
  if (refusal) return sendText(response, refusal.status, refusal.body, { Connection: "close" });
  response.setHeader("X-Content-Type-Options", "nosniff");
  for (const [name, value] of Object.entries(security.config.headers)) {
    response.setHeader(name, value);
  }
  // Before routing, as exporter-toolkit does: without credentials nothing, not even which
  // paths exist, is revealed.
  if (security.auth) {
    const result = await security.auth.check(
      request.headers.authorization,
      request.socket.remoteAddress,
    );
    if (result === "busy") {
      return sendText(response, 429, "too many authentication attempts, retry later\n", {
        "Retry-After": "1",
      });
    }
    if (result === "denied") {
      return sendText(response, 401, "unauthorized\n", {
        "WWW-Authenticate": 'Basic realm="kms-keystore-exporter", charset="UTF-8"',
      });
    }
  }
  const route = table.get(requestTarget(request.url ?? "/").path);
  if (!route) return sendText(response, 404, "not found\n");
  const method = request.method === "HEAD" ? "GET" : request.method;
  if (!route.methods.some((allowed) => allowed === method)) {
    return sendText(response, 405, "method not allowed\n", { Allow: allowHeader(route) });
  }
  return route.handle(request, response, request.method === "HEAD");
}

/** The request handler shared by every listener; it only reads cached state, never calls AWS. */
export function createRequestHandler(
  options: ServerOptions,
): (request: IncomingMessage, response: ServerResponse) => void {
  const table = routes(options);
  return (request, response) => {
    const started = performance.now();
    // No endpoint reads a body; draining it keeps keep-alive connections usable.
    request.resume();
    response.on("finish", () => {
      options.logger.debug(
        {
          method: request.method,
          path: request.url,
          status: response.statusCode,
          remote: request.socket.remoteAddress,
          durationMs: Math.round(performance.now() - started),
          headers: request.headers,
        },
        "http request",
      );
    });
    answer(request, response, table, options.security()).catch((error: unknown) => {
      // The client gets no detail (no stack, no path); the log gets name and message.
      const { name, message } = error instanceof Error ? error : new Error(String(error));
      options.logger.error({ err: { name, message }, path: request.url }, "request failed");
      if (!response.headersSent) sendText(response, 500, "internal error\n");
      else response.destroy();
    });
  };
}
