import { readFileSync } from "node:fs";
import { request } from "node:https";
import type { PeerCertificate, SecureVersion, TLSSocket } from "node:tls";

export interface ClientOptions {
  ca?: string;
  cert?: string;
  key?: string;
  auth?: string;
  minVersion?: SecureVersion;
  maxVersion?: SecureVersion;
  ciphers?: string;
  method?: string;
  headers?: Record<string, string>;
}

export interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
  peer: PeerCertificate;
}

/** node:https, a new connection each time so the server's current config answers. */
export function get(url: string, options: ClientOptions = {}): Promise<Answer> {
  const read = (file: string | undefined) => (file ? readFileSync(file) : undefined);
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      {
        agent: false,
        method: options.method ?? "GET",
        ca: read(options.ca),
        cert: read(options.cert),
        key: read(options.key),
        minVersion: options.minVersion,
        maxVersion: options.maxVersion,
        ciphers: options.ciphers,
        headers: {
          ...options.headers,
          ...(options.auth
            ? { Authorization: `Basic ${Buffer.from(options.auth).toString("base64")}` }
            : {}),
        },
      },
      (res) => {
        const peer = (res.socket as TLSSocket).getPeerCertificate();
        let body = "";
        res.on("data", (chunk: Buffer) => {
          body += chunk.toString();
        });
        res.on("end", () =>
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body, peer }),
        );
      },
    );
    req.on("error", reject);
    req.end();
  });
}
