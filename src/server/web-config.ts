import { dirname, isAbsolute, resolve } from "node:path";
import type { SecureVersion } from "node:tls";
import { parseDocument } from "yaml";
import { z } from "zod";
import { ConfigError } from "../config/errors.js";
import { MAX_YAML_ALIASES } from "../config/source.js";

/**
 * The exporter-toolkit web config file (`--web.config.file`), so that one file serves
 * node_exporter and this exporter. Parsing is pure; reading the files it names happens in
 * web-security.ts.
 */

export const CLIENT_AUTH_TYPES = [
  "NoClientCert",
  "RequestClientCert",
  "RequireAnyClientCert",
  "VerifyClientCertIfGiven",
  "RequireAndVerifyClientCert",
] as const;
export type ClientAuthType = (typeof CLIENT_AUTH_TYPES)[number];

const TLS_VERSIONS: Record<string, SecureVersion> = {
  TLS10: "TLSv1",
  TLS11: "TLSv1.1",
  TLS12: "TLSv1.2",
  TLS13: "TLSv1.3",
};
const VERSION_ORDER: SecureVersion[] = ["TLSv1", "TLSv1.1", "TLSv1.2", "TLSv1.3"];

/**
 * Go's cipher suite names (what exporter-toolkit accepts) → OpenSSL's. Go's insecure suites
 * (RC4, 3DES, CBC-SHA256) are left out: OpenSSL 3 refuses most of them anyway. TLS 1.3
 * suites are not configurable in Go, so they are accepted and change nothing, as there.
 */
const CIPHER_SUITES: Record<string, string | null> = {
  TLS_RSA_WITH_AES_128_CBC_SHA: "AES128-SHA",
  TLS_RSA_WITH_AES_256_CBC_SHA: "AES256-SHA",
  TLS_RSA_WITH_AES_128_GCM_SHA256: "AES128-GCM-SHA256",
  TLS_RSA_WITH_AES_256_GCM_SHA384: "AES256-GCM-SHA384",
  TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA: "ECDHE-ECDSA-AES128-SHA",
  TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA: "ECDHE-ECDSA-AES256-SHA",
  TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA: "ECDHE-RSA-AES128-SHA",
  TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA: "ECDHE-RSA-AES256-SHA",
  TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256: "ECDHE-ECDSA-AES128-GCM-SHA256",
  TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256: "ECDHE-RSA-AES128-GCM-SHA256",
  TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384: "ECDHE-ECDSA-AES256-GCM-SHA384",
  TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384: "ECDHE-RSA-AES256-GCM-SHA384",
  TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256: "ECDHE-ECDSA-CHACHA20-POLY1305",
  TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256: "ECDHE-RSA-CHACHA20-POLY1305",
  TLS_AES_128_GCM_SHA256: null,
  TLS_AES_256_GCM_SHA384: null,
  TLS_CHACHA20_POLY1305_SHA256: null,
};

const CURVES: Record<string, string> = {
  CurveP256: "P-256",
  CurveP384: "P-384",
  CurveP521: "P-521",
  X25519: "X25519",
};

/**
 * exporter-toolkit allows exactly these response headers, some only with fixed values; the
 * same list keeps one file valid for both.
 */
const ALLOWED_HEADERS: Record<string, readonly string[] | undefined> = {
  "strict-transport-security": undefined,
  "x-content-type-options": ["nosniff"],
  "x-frame-options": ["deny", "sameorigin"],
  "x-xss-protection": undefined,
  "content-security-policy": undefined,
};

/** bcrypt as htpasswd -B ($2y$), OpenBSD ($2b$) and older libraries ($2a$) write it. */
const BCRYPT_HASH = /^\$2[aby]\$(0[4-9]|[12]\d|3[01])\$[./A-Za-z0-9]{53}$/;

export interface TlsSettings {
  certFile: string;
  keyFile: string;
  clientCaFile: string | undefined;
  clientAuth: ClientAuthType;
  minVersion: SecureVersion;
  maxVersion: SecureVersion | undefined;
  /** OpenSSL cipher list; undefined: Node's defaults. */
  ciphers: string | undefined;
  honorCipherOrder: boolean;
  /** OpenSSL curve list; undefined: Node's defaults. */
  ecdhCurve: string | undefined;
  /** A client certificate must carry one of these SANs; empty: any verified certificate. */
  clientAllowedSans: string[];
}

export interface WebConfig {
  tls: TlsSettings | undefined;
  headers: Record<string, string>;
  /** user name → bcrypt hash */
  users: ReadonlyMap<string, string>;
}

export const EMPTY_WEB_CONFIG: WebConfig = { tls: undefined, headers: {}, users: new Map() };

/** A header value must not break the response (CR, LF) or carry other control characters. */
const noControlCharacters = (text: string) =>
  [...text].every((character) => character >= " " && character !== "\x7f");

const schema = z.strictObject({
  tls_server_config: z
    .strictObject({
      cert_file: z.string().min(1, "must not be empty"),
      key_file: z.string().min(1, "must not be empty"),
      client_ca_file: z.string().min(1, "must not be empty").optional(),
      client_auth_type: z
        .enum(CLIENT_AUTH_TYPES, { message: `must be one of ${CLIENT_AUTH_TYPES.join(", ")}` })
        .optional(),
      client_allowed_sans: z.array(z.string()).optional(),
      min_version: z
        .enum(Object.keys(TLS_VERSIONS) as [string, ...string[]], {
          message: "must be TLS10, TLS11, TLS12 or TLS13",
        })
        .optional(),
      max_version: z
        .enum(Object.keys(TLS_VERSIONS) as [string, ...string[]], {
          message: "must be TLS10, TLS11, TLS12 or TLS13",
        })
        .optional(),
      cipher_suites: z
        .array(
          z.string().refine((name) => name in CIPHER_SUITES, {
            message: `unknown or unsupported cipher suite (supported: ${Object.keys(CIPHER_SUITES).join(", ")})`,
          }),
        )
        .optional(),
      prefer_server_cipher_suites: z.boolean().optional(),
      curve_preferences: z
        .array(
          z.string().refine((name) => name in CURVES, {
            message: `unknown curve (supported: ${Object.keys(CURVES).join(", ")})`,
          }),
        )
        .optional(),
    })
    .nullish(),
  http_server_config: z
    .strictObject({
      // Only HTTP/1.1 is served; the key is accepted so a node_exporter file still loads.
      http2: z.boolean().optional(),
      headers: z.record(z.string(), z.string()).optional(),
    })
    .nullish(),
  basic_auth_users: z
    .record(
      z.string(),
      z
        .string()
        .regex(
          BCRYPT_HASH,
          "not a bcrypt hash ($2y$, $2b$ or $2a$; make one with htpasswd -nBC 10 USER)",
        ),
    )
    .nullish(),
});

function checkHeaders(headers: Record<string, string>, problems: string[]): void {
  for (const [name, value] of Object.entries(headers)) {
    const allowed = ALLOWED_HEADERS[name.toLowerCase()];
    if (!(name.toLowerCase() in ALLOWED_HEADERS)) {
      problems.push(
        `http_server_config.headers: ${JSON.stringify(name)} cannot be set (allowed: Strict-Transport-Security, X-Content-Type-Options, X-Frame-Options, X-XSS-Protection, Content-Security-Policy)`,
      );
    } else if (allowed && !allowed.includes(value.toLowerCase())) {
      problems.push(
        `http_server_config.headers.${name}: ${JSON.stringify(value)} is not one of ${allowed.join(", ")}`,
      );
    } else if (!noControlCharacters(value)) {
      problems.push(`http_server_config.headers.${name}: must not contain control characters`);
    }
  }
}

/** Text of a web config file → WebConfig; relative file names are relative to the file. */
export function parseWebConfig(text: string, path: string): WebConfig {
  const prefix = `--web.config.file ${path}`;
  const document = parseDocument(text, { uniqueKeys: true });
  if (document.errors.length > 0) {
    throw new ConfigError(document.errors.map((error) => `${prefix}: ${error.message}`));
  }
  let raw: unknown;
  try {
    raw = document.toJS({ maxAliasCount: MAX_YAML_ALIASES }) ?? {};
  } catch (error) {
    // yaml throws a ReferenceError for an alias expansion past maxAliasCount.
    throw new ConfigError([`${prefix}: ${(error as Error).message}`]);
  }
  const parsed = schema.safeParse(raw);
  if (!parsed.success) {
    throw new ConfigError(
      parsed.error.issues.map((issue) => {
        const key = issue.path.map(String).join(".");
        return `${prefix}: ${key === "" ? "" : `${key}: `}${issue.message}`;
      }),
    );
  }
  const file = parsed.data;
  const problems: string[] = [];
  const headers = file.http_server_config?.headers ?? {};
  checkHeaders(headers, problems);
  for (const user of Object.keys(file.basic_auth_users ?? {})) {
    // Basic auth splits user from password at the first colon.
    if (user === "" || user.includes(":")) {
      problems.push(
        `basic_auth_users: ${JSON.stringify(user)}: a user name must be non-empty, without ':'`,
      );
    }
  }
  const inDirectory = (name: string) => (isAbsolute(name) ? name : resolve(dirname(path), name));

  let tls: TlsSettings | undefined;
  const server = file.tls_server_config;
  if (server) {
    const minVersion = TLS_VERSIONS[server.min_version ?? "TLS12"] as SecureVersion;
    const maxVersion = server.max_version ? TLS_VERSIONS[server.max_version] : undefined;
    if (maxVersion && VERSION_ORDER.indexOf(maxVersion) < VERSION_ORDER.indexOf(minVersion)) {
      problems.push("tls_server_config.max_version: must not be below min_version");
    }
    const clientAuth = server.client_auth_type ?? "NoClientCert";
    // As in exporter-toolkit: a CA without a policy is a mistake, not a silent no-op.
    if (server.client_ca_file && clientAuth === "NoClientCert") {
      problems.push(
        "tls_server_config.client_ca_file: set, but client_auth_type is NoClientCert (use RequireAndVerifyClientCert)",
      );
    }
    // Go would verify against the system roots; a public CA vouching for scrapers is never
    // what an operator means, so a verifying policy needs its own CA.
    if (
      !server.client_ca_file &&
      (clientAuth === "VerifyClientCertIfGiven" || clientAuth === "RequireAndVerifyClientCert")
    ) {
      problems.push(
        `tls_server_config.client_auth_type: ${clientAuth} needs client_ca_file (the CA that signs client certificates)`,
      );
    }
    if (server.client_allowed_sans?.length && clientAuth !== "RequireAndVerifyClientCert") {
      problems.push(
        "tls_server_config.client_allowed_sans: only meaningful with client_auth_type RequireAndVerifyClientCert",
      );
    }
    const ciphers = (server.cipher_suites ?? [])
      .map((name) => CIPHER_SUITES[name])
      .filter((name): name is string => typeof name === "string");
    tls = {
      certFile: inDirectory(server.cert_file),
      keyFile: inDirectory(server.key_file),
      clientCaFile: server.client_ca_file ? inDirectory(server.client_ca_file) : undefined,
      clientAuth,
      minVersion,
      maxVersion,
      ciphers: ciphers.length > 0 ? ciphers.join(":") : undefined,
      honorCipherOrder: server.prefer_server_cipher_suites ?? true,
      ecdhCurve: server.curve_preferences?.length
        ? server.curve_preferences.map((name) => CURVES[name]).join(":")
        : undefined,
      clientAllowedSans: server.client_allowed_sans ?? [],
    };
  }
  if (problems.length > 0)
    throw new ConfigError(problems.map((problem) => `${prefix}: ${problem}`));
  return { tls, headers, users: new Map(Object.entries(file.basic_auth_users ?? {})) };
}
