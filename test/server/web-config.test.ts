import { describe, expect, it } from "vitest";
import { ConfigError } from "../../src/config/errors.js";
import { parseWebConfig } from "../../src/server/web-config.js";

const HASH = `$2y$05$${"a".repeat(53)}`;

function problems(text: string): string[] {
  try {
    parseWebConfig(text, "/etc/kms/web.yml");
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  return [];
}

describe("web config (exporter-toolkit format)", () => {
  it("accepts an empty file: plain HTTP, no auth", () => {
    expect(parseWebConfig("", "/w.yml")).toEqual({ tls: undefined, headers: {}, users: new Map() });
  });

  it("reads a full node_exporter-style file, paths relative to the file", () => {
    const config = parseWebConfig(
      `
tls_server_config:
  cert_file: tls/server.crt
  key_file: /abs/server.key
  client_ca_file: ca.crt
  client_auth_type: RequireAndVerifyClientCert
  client_allowed_sans: [prometheus]
  min_version: TLS13
  cipher_suites: [TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256, TLS_AES_128_GCM_SHA256]
  prefer_server_cipher_suites: false
  curve_preferences: [X25519, CurveP256]
http_server_config:
  http2: true
  headers:
    Strict-Transport-Security: max-age=31536000
    X-Frame-Options: deny
basic_auth_users:
  prometheus: ${HASH}
  other: $2b$10$${"b".repeat(53)}
  old: $2a$12$${"c".repeat(53)}
`,
      "/etc/kms/web.yml",
    );
    expect(config.tls).toEqual({
      certFile: "/etc/kms/tls/server.crt",
      keyFile: "/abs/server.key",
      clientCaFile: "/etc/kms/ca.crt",
      clientAuth: "RequireAndVerifyClientCert",
      minVersion: "TLSv1.3",
      maxVersion: undefined,
      ciphers: "ECDHE-RSA-AES128-GCM-SHA256",
      honorCipherOrder: false,
      ecdhCurve: "X25519:P-256",
      clientAllowedSans: ["prometheus"],
    });
    expect(config.headers).toEqual({
      "Strict-Transport-Security": "max-age=31536000",
      "X-Frame-Options": "deny",
    });
    expect([...config.users.keys()]).toEqual(["prometheus", "other", "old"]);
  });

  it("defaults to TLS 1.2 or later and no client certificates", () => {
    const config = parseWebConfig("tls_server_config: {cert_file: a, key_file: b}", "/w.yml");
    expect(config.tls).toMatchObject({ minVersion: "TLSv1.2", clientAuth: "NoClientCert" });
  });

  it.each([
    ["tls_server_config: {cert_file: a}", "tls_server_config.key_file:"],
    [
      "tls_server_config: {cert_file: a, key_file: b, min_version: TLS9}",
      "min_version: must be TLS10, TLS11, TLS12 or TLS13",
    ],
    [
      "tls_server_config: {cert_file: a, key_file: b, min_version: TLS13, max_version: TLS12}",
      "max_version: must not be below min_version",
    ],
    [
      "tls_server_config: {cert_file: a, key_file: b, client_auth_type: Maybe}",
      "client_auth_type: must be one of NoClientCert",
    ],
    [
      "tls_server_config: {cert_file: a, key_file: b, client_ca_file: c}",
      "client_ca_file: set, but client_auth_type is NoClientCert",
    ],
    [
      "tls_server_config: {cert_file: a, key_file: b, client_auth_type: RequireAndVerifyClientCert}",
      "needs client_ca_file",
    ],
    [
      "tls_server_config: {cert_file: a, key_file: b, cipher_suites: [TLS_RSA_WITH_RC4_128_SHA]}",
      "cipher_suites.0: unknown or unsupported cipher suite",
    ],
    [
      "tls_server_config: {cert_file: a, key_file: b, curve_preferences: [P256]}",
      "curve_preferences.0: unknown curve",
    ],
    [
      "tls_server_config: {cert_file: a, key_file: b, client_allowed_sans: [x]}",
      "client_allowed_sans: only meaningful",
    ],
    ["tls_server_config: {cert_file: a, key_file: b, cert: inline}", 'Unrecognized key: "cert"'],
    ["basic_auth_users: {bob: hunter2}", "basic_auth_users.bob: not a bcrypt hash"],
    [`basic_auth_users: {"a:b": "${HASH}"}`, "a user name must be non-empty, without ':'"],
    ["http_server_config: {headers: {Set-Cookie: x}}", '"Set-Cookie" cannot be set'],
    ["http_server_config: {headers: {X-Content-Type-Options: sniff}}", "is not one of nosniff"],
    [
      'http_server_config: {headers: {Content-Security-Policy: "a\\r\\nX-Evil: 1"}}',
      "must not contain control characters",
    ],
    ["basic_auth_users: {a: 1", "/etc/kms/web.yml:"],
    ["tls: {}", 'Unrecognized key: "tls"'],
  ])("refuses %s", (text, message) => {
    const found = problems(text);
    expect(found.join("\n")).toContain(message);
    for (const problem of found)
      expect(problem.startsWith("--web.config.file /etc/kms/web.yml: ")).toBe(true);
  });

  it("reports every problem at once", () => {
    expect(
      problems(
        "tls_server_config: {cert_file: a, key_file: b, min_version: X}\nbasic_auth_users: {u: x}",
      ),
    ).toHaveLength(2);
  });
});
