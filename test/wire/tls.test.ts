import { execFile, spawnSync } from "node:child_process";
import { renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { PassThrough } from "node:stream";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { stringify } from "yaml";
import { createLogger } from "../../src/log/logger.js";
import { tempDir } from "../alerts/peers.js";
import { CLI } from "../helpers/cli.js";
import { ONE_STORE, runExporter } from "../helpers/exporter.js";
import { type ClientOptions, get } from "../helpers/https.js";
import { clientCertTls, htpasswdHash, makePki } from "../helpers/pki.js";
import { toolOrSkipReason } from "../helpers/tools.js";
import { until } from "../helpers/wait.js";

const { scenario: SCENARIO, config: CONFIG } = ONE_STORE;

const openssl = toolOrSkipReason("openssl");
const htpasswd = toolOrSkipReason("htpasswd");
const curl = toolOrSkipReason("curl");
const missing = ["skip" in openssl, "skip" in htpasswd, "skip" in curl].some(Boolean);
const path = (tool: typeof openssl) => (tool as { path: string }).path;

/** The error a refused TLS client sees (its OpenSSL code), or "connected". */
async function refusal(url: string, options: ClientOptions): Promise<string> {
  return get(url, options).then(
    (answer) => `connected: ${answer.status}`,
    (error: NodeJS.ErrnoException) => `${error.code}: ${error.message}`,
  );
}

function setup(webConfig: object) {
  const dir = tempDir("tls");
  const pki = makePki(path(openssl), dir);
  const webConfigFile = join(dir, "web.yml");
  writeFileSync(webConfigFile, stringify(webConfig));
  return { dir, pki, webConfigFile };
}

function capture() {
  const stream = new PassThrough();
  let text = "";
  stream.on("data", (chunk: Buffer) => {
    text += chunk.toString();
  });
  return { logger: createLogger("info", "json", stream), text: () => text };
}

describe.skipIf(missing)(
  "TLS, client certificates and basic auth (openssl, htpasswd, curl)",
  () => {
    it("refuses TLS 1.1 by default and TLS 1.2 under min_version TLS13", async () => {
      const { pki, webConfigFile, dir } = setup({});
      writeFileSync(
        webConfigFile,
        stringify({ tls_server_config: { cert_file: "server.crt", key_file: "server.key" } }),
      );
      const { app } = await runExporter(SCENARIO, {
        ...CONFIG,
        webConfigFile,
      });
      expect(app.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
      // The client lowers its own security level so that it can offer TLS 1.1 at all: the
      // refusal must come from the server, as the protocol-version alert shows.
      const old = {
        ca: pki.caCert,
        minVersion: "TLSv1.1",
        maxVersion: "TLSv1.1",
        ciphers: "DEFAULT:@SECLEVEL=0",
      } as const;
      expect(await refusal(`${app.url}/healthz`, old)).toMatch(/alert protocol version/i);
      const tls12 = await get(`${app.url}/healthz`, { ca: pki.caCert, maxVersion: "TLSv1.2" });
      expect(tls12.status).toBe(200);

      const strictFile = join(dir, "strict.yml");
      writeFileSync(
        strictFile,
        stringify({
          tls_server_config: {
            cert_file: "server.crt",
            key_file: "server.key",
            min_version: "TLS13",
          },
        }),
      );
      const strict = await runExporter(SCENARIO, {
        ...CONFIG,
        webConfigFile: strictFile,
      });
      expect(
        await refusal(`${strict.app.url}/healthz`, { ca: pki.caCert, maxVersion: "TLSv1.2" }),
      ).toMatch(/alert protocol version/i);
      expect((await get(`${strict.app.url}/healthz`, { ca: pki.caCert })).status).toBe(200);
    });

    it("requires and verifies a client certificate (RequireAndVerifyClientCert)", async () => {
      const { pki, webConfigFile, dir } = setup({});
      writeFileSync(
        webConfigFile,
        stringify({
          tls_server_config: clientCertTls("RequireAndVerifyClientCert"),
        }),
      );
      const { app } = await runExporter(SCENARIO, {
        ...CONFIG,
        webConfigFile,
      });
      const client = pki.issueClient("prometheus");
      const ok = await get(`${app.url}/metrics`, { ca: pki.caCert, ...client });
      expect(ok.status).toBe(200);
      expect(ok.body).toContain("aws_kms_custom_key_store_info");

      // Without a certificate, and with one from another CA: refused in the handshake.
      expect(await refusal(`${app.url}/metrics`, { ca: pki.caCert })).toMatch(
        /CERTIFICATE_REQUIRED|ECONNRESET|HANDSHAKE_FAILURE/,
      );
      const stranger = makePki(path(openssl), tempDir("tls-other"), "other-ca").issueClient(
        "mallory",
      );
      expect(await refusal(`${app.url}/metrics`, { ca: pki.caCert, ...stranger })).toMatch(
        /UNKNOWN_CA|ECONNRESET|BAD_CERTIFICATE/,
      );

      // curl, as an operator would check it.
      const run = promisify(execFile);
      const { stdout } = await run(path(curl), [
        "-sS",
        "--cacert",
        pki.caCert,
        "--cert",
        client.cert,
        "--key",
        client.key,
        `${app.url}/healthz`,
      ]);
      expect(stdout).toBe("OK\n");
      const without = await run(path(curl), [
        "-sS",
        "--cacert",
        pki.caCert,
        `${app.url}/healthz`,
      ]).then(
        () => 0,
        (error: { code: number }) => error.code,
      );
      expect(without).not.toBe(0);
      expect(dir).toBeTruthy();
    });

    it("lets a client without a certificate in under VerifyClientCertIfGiven, but not one with a bad one", async () => {
      const { pki, webConfigFile } = setup({});
      writeFileSync(
        webConfigFile,
        stringify({
          tls_server_config: clientCertTls("VerifyClientCertIfGiven"),
        }),
      );
      const { app } = await runExporter(SCENARIO, {
        ...CONFIG,
        webConfigFile,
      });
      expect((await get(`${app.url}/healthz`, { ca: pki.caCert })).status).toBe(200);
      expect(
        (await get(`${app.url}/healthz`, { ca: pki.caCert, ...pki.issueClient("good") })).status,
      ).toBe(200);
      const stranger = makePki(path(openssl), tempDir("tls-other"), "other-ca").issueClient(
        "mallory",
      );
      expect(await refusal(`${app.url}/healthz`, { ca: pki.caCert, ...stranger })).not.toMatch(
        /^connected/,
      );
    });

    it("asks for basic auth with an htpasswd -B hash: right, wrong and missing", async () => {
      const { pki, webConfigFile } = setup({});
      const hash = htpasswdHash(path(htpasswd), "prometheus", "s3cret-pass");
      expect(hash).toMatch(/^\$2y\$/);
      writeFileSync(
        webConfigFile,
        stringify({
          tls_server_config: { cert_file: "server.crt", key_file: "server.key" },
          basic_auth_users: { prometheus: hash },
        }),
      );
      const { app } = await runExporter(SCENARIO, {
        ...CONFIG,
        webConfigFile,
      });
      const right = await get(`${app.url}/metrics`, {
        ca: pki.caCert,
        auth: "prometheus:s3cret-pass",
      });
      expect(right.status).toBe(200);
      for (const auth of ["prometheus:wrong", "nobody:s3cret-pass", undefined]) {
        const denied = await get(`${app.url}/metrics`, {
          ca: pki.caCert,
          ...(auth ? { auth } : {}),
        });
        expect(denied.status, String(auth)).toBe(401);
        expect(denied.headers["www-authenticate"]).toMatch(/^Basic realm=/);
        expect(denied.body).not.toContain("aws_kms");
      }
      // Unknown paths are not revealed before authentication either.
      expect((await get(`${app.url}/nope`, { ca: pki.caCert })).status).toBe(401);
      expect(
        (await get(`${app.url}/nope`, { ca: pki.caCert, auth: "prometheus:s3cret-pass" })).status,
      ).toBe(404);
    });

    it("picks up a rotated certificate and a new password without a restart; an invalid edit keeps the last good config", async () => {
      const { pki, webConfigFile, dir } = setup({});
      const writeConfig = (config: object | string) => {
        // As a careful operator (or Kubernetes) does: write aside, then rename into place.
        writeFileSync(
          `${webConfigFile}.new`,
          typeof config === "string" ? config : stringify(config),
        );
        renameSync(`${webConfigFile}.new`, webConfigFile);
      };
      const tlsFiles = { cert_file: "server.crt", key_file: "server.key" };
      writeConfig({
        tls_server_config: tlsFiles,
        basic_auth_users: { p: htpasswdHash(path(htpasswd), "p", "first") },
      });
      const logs = capture();
      const { app } = await runExporter(SCENARIO, { ...CONFIG, webConfigFile }, logs.logger, {
        webConfigPollMs: 100,
      });
      const first = await get(`${app.url}/healthz`, { ca: pki.caCert, auth: "p:first" });
      expect(first.status).toBe(200);

      pki.issueServer(join(dir, "rotated.crt"), join(dir, "rotated.key"));
      renameSync(join(dir, "rotated.key"), pki.serverKey);
      renameSync(join(dir, "rotated.crt"), pki.serverCert);
      await until(async () => {
        const answer = await get(`${app.url}/healthz`, { ca: pki.caCert, auth: "p:first" });
        return answer.peer.serialNumber !== first.peer.serialNumber;
      });

      writeConfig({
        tls_server_config: tlsFiles,
        basic_auth_users: { p: htpasswdHash(path(htpasswd), "p", "second") },
      });
      await until(
        async () =>
          (await get(`${app.url}/healthz`, { ca: pki.caCert, auth: "p:second" })).status === 200,
      );
      expect((await get(`${app.url}/healthz`, { ca: pki.caCert, auth: "p:first" })).status).toBe(
        401,
      );

      writeConfig(
        "tls_server_config: {cert_file: server.crt, key_file: server.key, min_version: TLS9}\n",
      );
      await until(() => logs.text().includes("web config reload failed"));
      expect(logs.text()).toContain("min_version: must be TLS10, TLS11, TLS12 or TLS13");
      expect((await get(`${app.url}/healthz`, { ca: pki.caCert, auth: "p:second" })).status).toBe(
        200,
      );
      expect((await get(`${app.url}/healthz`, { ca: pki.caCert })).status).toBe(401);
      // Logged once for this bad version, not at every check (a reload checks too).
      expect(app.reload()).toMatchObject({ ok: false });
      expect(app.reload()).toMatchObject({ ok: false });
      expect(logs.text().split("web config reload failed").length - 1).toBe(1);
    });

    it("starts requiring client certificates when the web config says so, without a restart", async () => {
      const { pki, webConfigFile } = setup({
        tls_server_config: { cert_file: "server.crt", key_file: "server.key" },
      });
      const { app } = await runExporter(SCENARIO, { ...CONFIG, webConfigFile }, undefined, {
        webConfigPollMs: 100,
      });
      expect((await get(`${app.url}/healthz`, { ca: pki.caCert })).status).toBe(200);
      writeFileSync(
        `${webConfigFile}.new`,
        stringify({
          tls_server_config: clientCertTls("RequireAndVerifyClientCert"),
        }),
      );
      renameSync(`${webConfigFile}.new`, webConfigFile);
      // tls.Server reads requestCert and rejectUnauthorized per connection; this fails if a
      // Node release stops doing so.
      await until(async () =>
        (await refusal(`${app.url}/healthz`, { ca: pki.caCert })).startsWith("E"),
      );
      const client = pki.issueClient("prometheus");
      expect((await get(`${app.url}/healthz`, { ca: pki.caCert, ...client })).status).toBe(200);
    });

    it("refuses an invalid web config at start with a clear message and exit 2", () => {
      const { webConfigFile } = setup({
        tls_server_config: {
          cert_file: "missing.crt",
          key_file: "server.key",
          client_auth_type: "Sometimes",
        },
        basic_auth_users: { bob: "plaintext" },
        http_server_config: { headers: { "Set-Cookie": "x" } },
      });
      const result = spawnSync(
        process.execPath,
        [CLI, `--web.config.file=${webConfigFile}`, "--web.listen-address=127.0.0.1:0"],
        { encoding: "utf8", env: { ...process.env, AWS_REGION: "us-east-1" } },
      );
      expect(result.status).toBe(2);
      expect(result.stderr).toContain(
        `--web.config.file ${webConfigFile}: tls_server_config.client_auth_type: must be one of`,
      );
      expect(result.stderr).toContain("basic_auth_users.bob: not a bcrypt hash");
      expect(result.stderr).not.toContain("    at ");
      const missingCert = setup({
        tls_server_config: { cert_file: "missing.crt", key_file: "server.key" },
      });
      const second = spawnSync(
        process.execPath,
        [CLI, `--web.config.file=${missingCert.webConfigFile}`, "--config.check"],
        { encoding: "utf8", env: { ...process.env, AWS_REGION: "us-east-1" } },
      );
      expect(second.status).toBe(2);
      expect(second.stderr).toMatch(
        /tls_server_config\.cert_file: cannot read .*missing\.crt: no such file/,
      );

      // A good one: --config.check says what it would serve.
      const good = setup({});
      writeFileSync(
        good.webConfigFile,
        stringify({
          tls_server_config: clientCertTls("RequireAndVerifyClientCert"),
          basic_auth_users: { p: htpasswdHash(path(htpasswd), "p", "x") },
        }),
      );
      const checked = spawnSync(
        process.execPath,
        [CLI, `--web.config.file=${good.webConfigFile}`, "--config.check"],
        { encoding: "utf8", env: { ...process.env, AWS_REGION: "us-east-1" } },
      );
      expect(checked.status).toBe(0);
      expect(checked.stdout).toContain(
        `web: ${good.webConfigFile}: TLS (TLSv1.2 or later, client certificates: RequireAndVerifyClientCert), basic auth for 1 user(s)`,
      );
    });
  },
);
