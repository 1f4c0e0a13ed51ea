import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { createSecureContext } from "node:tls";
import { ConfigError } from "../config/errors.js";
import { BasicAuth } from "./basic-auth.js";
import { type TlsListenerOptions, tlsListenerOptions } from "./tls.js";
import { EMPTY_WEB_CONFIG, parseWebConfig, type WebConfig } from "./web-config.js";

/** Everything the HTTP side needs from `--web.config.file`, loaded and checked. */
export interface WebSecurity {
  config: WebConfig;
  /** Undefined: plain HTTP. */
  tls: TlsListenerOptions | undefined;
  /** Undefined: no basic auth. */
  auth: BasicAuth | undefined;
  /** Of the file and every file it names: the watcher reloads when it changes. */
  fingerprint: string;
}

export const NO_WEB_SECURITY: WebSecurity = {
  config: EMPTY_WEB_CONFIG,
  tls: undefined,
  auth: undefined,
  fingerprint: "",
};

export type ReadFile = (path: string) => Buffer;

function readOrExplain(readFile: ReadFile, path: string, what: string, problems: string[]) {
  try {
    return readFile(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const reason =
      code === "ENOENT"
        ? "no such file"
        : code === "EISDIR"
          ? "is a directory"
          : code === "EACCES"
            ? "permission denied"
            : (error as Error).message;
    problems.push(`${what}: cannot read ${path}: ${reason}`);
    return undefined;
  }
}

/**
 * Reads the web config and the certificate, key and CA files it names, and proves they
 * load (a key that does not match its certificate is found here, not at the first
 * handshake). Throws ConfigError; messages never carry file contents.
 */
export function loadWebSecurity(
  path: string,
  readFile: ReadFile = (file) => readFileSync(file),
): WebSecurity {
  const prefix = `--web.config.file ${path}`;
  const problems: string[] = [];
  const text = readOrExplain(readFile, path, "--web.config.file", problems);
  if (!text) throw new ConfigError(problems);
  const config = parseWebConfig(text.toString("utf8"), path);
  const fingerprint = createHash("sha256").update(text);
  let tls: TlsListenerOptions | undefined;
  if (config.tls) {
    const { certFile, keyFile, clientCaFile } = config.tls;
    const cert = readOrExplain(
      readFile,
      certFile,
      `${prefix}: tls_server_config.cert_file`,
      problems,
    );
    const key = readOrExplain(readFile, keyFile, `${prefix}: tls_server_config.key_file`, problems);
    const ca = clientCaFile
      ? readOrExplain(
          readFile,
          clientCaFile,
          `${prefix}: tls_server_config.client_ca_file`,
          problems,
        )
      : undefined;
    if (problems.length > 0) throw new ConfigError(problems);
    for (const content of [cert, key, ca]) if (content) fingerprint.update(content);
    tls = tlsListenerOptions(config.tls, { cert: cert as Buffer, key: key as Buffer, ca });
    try {
      createSecureContext(tls.context);
    } catch (error) {
      // OpenSSL's reason ("key values mismatch", "no start line"), never the file's bytes.
      throw new ConfigError([
        `${prefix}: tls_server_config: the certificate, key or CA does not load: ${(error as Error).message}`,
      ]);
    }
  }
  return {
    config,
    tls,
    auth: config.users.size > 0 ? new BasicAuth(config.users) : undefined,
    fingerprint: fingerprint.digest("hex"),
  };
}

/** One line for --config.check. */
export function describeWebSecurity(path: string | undefined, security: WebSecurity): string {
  if (path === undefined) return "web: plain HTTP, no authentication (no --web.config.file)\n";
  const tls = security.config.tls;
  const parts = [
    tls ? `TLS (${tls.minVersion} or later, client certificates: ${tls.clientAuth})` : "plain HTTP",
    security.auth ? `basic auth for ${security.config.users.size} user(s)` : "no basic auth",
  ];
  return `web: ${path}: ${parts.join(", ")}\n`;
}
