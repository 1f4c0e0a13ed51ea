import type { IncomingMessage } from "node:http";

/**
 * The path and query of a request target. An absolute-form target (`http://host/metrics`,
 * which proxies send) is routed by its path, as Go's net/http does.
 */
export function requestTarget(url: string): { path: string; query: string } {
  const authority = /^https?:\/\/[^/?#]*/i.exec(url)?.[0] ?? "";
  const target = url.slice(authority.length);
  const at = target.indexOf("?");
  const path = at < 0 ? target : target.slice(0, at);
  return { path: path === "" ? "/" : path, query: at < 0 ? "" : target.slice(at + 1) };
}

/**
 * What Go's net/http refuses before any handler runs, and Node lets through: a request line
 * without a version (Node reads it as HTTP/0.9), a version other than 1.x, more than one
 * Host header. Node already refuses a missing Host on HTTP/1.1.
 */
export function protocolRefusal(
  request: Pick<IncomingMessage, "httpVersionMajor" | "rawHeaders">,
): { status: number; body: string } | undefined {
  if (request.httpVersionMajor === 0) return { status: 400, body: "malformed HTTP request\n" };
  if (request.httpVersionMajor !== 1) {
    return { status: 505, body: "unsupported protocol version\n" };
  }
  let hosts = 0;
  for (let i = 0; i < request.rawHeaders.length; i += 2) {
    if (request.rawHeaders[i]?.toLowerCase() === "host") hosts++;
  }
  if (hosts > 1) return { status: 400, body: "too many Host headers\n" };
  return undefined;
}
