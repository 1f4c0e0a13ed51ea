import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { Logger } from "../log.js";
import type { RenderedMetrics } from "../metrics/cache.js";
import { parseFilters, type StatusFilters, type StatusReport } from "../status/report.js";
import { acceptsGzip } from "./accept-encoding.js";
import { renderStatusPage } from "./status-page.js";

const METRICS_CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

export interface ServerOptions {
  telemetryPath: string;
  renderMetrics: () => Promise<RenderedMetrics>;
  ready: () => { ready: boolean; detail: string };
  reload: () => { ok: true } | { ok: false; problems: string[] };
  /** The state as the status page and /status.json show it, built per request. */
  status: (filters: StatusFilters) => StatusReport;
  logger: Logger;
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

function sendParts(
  response: ServerResponse,
  headers: Record<string, string | number>,
  parts: (string | Buffer)[],
  head: boolean,
): void {
  const length = parts.reduce((total, part) => total + Buffer.byteLength(part), 0);
  response.writeHead(200, { ...headers, "Content-Length": length });
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
  options: ServerOptions,
): Promise<void> {
  const rendered = await options.renderMetrics();
  const head = request.method === "HEAD";
  if (acceptsGzip(request.headers["accept-encoding"])) {
    sendParts(
      response,
      { "Content-Type": METRICS_CONTENT_TYPE, "Content-Encoding": "gzip", Vary: "Accept-Encoding" },
      await rendered.gzipParts(),
      head,
    );
  } else {
    sendParts(
      response,
      { "Content-Type": METRICS_CONTENT_TYPE, Vary: "Accept-Encoding" },
      rendered.textParts,
      head,
    );
  }
}

function splitUrl(url: string): [path: string, query: string] {
  const at = url.indexOf("?");
  return at < 0 ? [url, ""] : [url.slice(0, at), url.slice(at + 1)];
}

/** `/` and `/status.json`: the same report, filtered by the same query parameters. */
function serveStatus(
  request: IncomingMessage,
  response: ServerResponse,
  options: ServerOptions,
  path: string,
  query: string,
): void {
  const parsed = parseFilters(new URLSearchParams(query));
  if ("problem" in parsed) {
    sendText(response, 400, `${parsed.problem}\n`);
    return;
  }
  const report = options.status(parsed.filters);
  const [body, contentType] =
    path === "/"
      ? [renderStatusPage(report, options.telemetryPath), "text/html; charset=utf-8"]
      : [`${statusJson(report)}\n`, "application/json; charset=utf-8"];
  sendParts(
    response,
    // The page reloads itself; a cache in between would show it stale.
    { "Content-Type": contentType, "Cache-Control": "no-store" },
    [body],
    request.method === "HEAD",
  );
}

/** Absent values are written as null, so every store and target has the same keys. */
export function statusJson(report: StatusReport): string {
  return JSON.stringify(report, (_key, value: unknown) => (value === undefined ? null : value), 2);
}

async function route(
  request: IncomingMessage,
  response: ServerResponse,
  options: ServerOptions,
): Promise<void> {
  const [path, query] = splitUrl(request.url ?? "/");
  if (path === "/-/reload") {
    if (request.method !== "POST" && request.method !== "PUT") {
      return sendText(response, 405, "use POST to reload\n", { Allow: "POST, PUT" });
    }
    request.resume();
    const result = options.reload();
    return result.ok
      ? sendText(response, 200, "config reloaded\n")
      : sendText(response, 500, `config reload failed:\n${result.problems.join("\n")}\n`);
  }
  if (request.method !== "GET" && request.method !== "HEAD") {
    sendText(response, 405, "method not allowed\n", { Allow: "GET, HEAD" });
    return;
  }
  if (path === options.telemetryPath) return serveMetrics(request, response, options);
  if (path === "/healthz") return sendText(response, 200, "OK\n");
  if (path === "/readyz") {
    const { ready, detail } = options.ready();
    return sendText(response, ready ? 200 : 503, `${detail}\n`);
  }
  if (path === "/" || path === "/status.json")
    return serveStatus(request, response, options, path, query);
  sendText(response, 404, "not found\n");
}

/** The HTTP face of the exporter; it only reads cached state, never calls AWS. */
export function createHttpServer(options: ServerOptions): Server {
  const server = createServer((request, response) => {
    route(request, response, options).catch((error: unknown) => {
      const { name, message } = error instanceof Error ? error : new Error(String(error));
      options.logger.error({ err: { name, message }, path: request.url }, "request failed");
      if (!response.headersSent) sendText(response, 500, "internal error\n");
      else response.destroy();
    });
  });
  // Slow or idle clients must not hold the process open or pile up sockets.
  server.requestTimeout = 30_000;
  server.headersTimeout = 10_000;
  server.keepAliveTimeout = 5_000;
  server.on("clientError", (_error, socket) => {
    if (socket.writable) socket.end("HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n");
    else socket.destroy();
  });
  return server;
}
