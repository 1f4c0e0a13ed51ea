import { execFileSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";

/**
 * Certificates made with Debian's openssl, as an operator would: a CA, a server
 * certificate for 127.0.0.1/localhost and client certificates, all signed by the CA.
 */
export interface Pki {
  dir: string;
  caCert: string;
  serverCert: string;
  serverKey: string;
  /** Issues a fresh server certificate (a new serial) into the given files. */
  issueServer(certFile: string, keyFile: string, days?: number): void;
  /** Issues a client certificate signed by this CA; returns its cert and key paths. */
  issueClient(name: string): { cert: string; key: string };
}

function openssl(openssl: string, dir: string, args: string[]): void {
  execFileSync(openssl, args, { cwd: dir, stdio: ["ignore", "ignore", "pipe"] });
}

export function makePki(opensslPath: string, dir: string, caName = "test-ca"): Pki {
  const caKey = join(dir, `${caName}.key`);
  const caCert = join(dir, `${caName}.crt`);
  openssl(opensslPath, dir, [
    "req",
    "-x509",
    "-newkey",
    "ec",
    "-pkeyopt",
    "ec_paramgen_curve:P-256",
    "-nodes",
    "-keyout",
    caKey,
    "-out",
    caCert,
    "-days",
    "2",
    "-subj",
    `/CN=${caName}`,
  ]);
  let serial = 0;
  const sign = (
    name: string,
    subject: string,
    extensions: string,
    days: number,
    cert: string,
    key: string,
  ) => {
    const csr = join(dir, `${name}.csr`);
    const ext = join(dir, `${name}.ext`);
    writeFileSync(ext, extensions);
    openssl(opensslPath, dir, [
      "req",
      "-newkey",
      "ec",
      "-pkeyopt",
      "ec_paramgen_curve:P-256",
      "-nodes",
      "-keyout",
      key,
      "-out",
      csr,
      "-subj",
      subject,
    ]);
    serial++;
    openssl(opensslPath, dir, [
      "x509",
      "-req",
      "-in",
      csr,
      "-CA",
      caCert,
      "-CAkey",
      caKey,
      "-set_serial",
      String(Date.now() + serial),
      "-days",
      String(days),
      "-out",
      cert,
      "-extfile",
      ext,
    ]);
  };
  const serverCert = join(dir, "server.crt");
  const serverKey = join(dir, "server.key");
  const issueServer = (cert: string, key: string, days = 1) =>
    sign(
      "server",
      "/CN=kms-keystore-exporter",
      "subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n",
      days,
      cert,
      key,
    );
  issueServer(serverCert, serverKey);
  return {
    dir,
    caCert,
    serverCert,
    serverKey,
    issueServer,
    issueClient: (name) => {
      const cert = join(dir, `${name}.crt`);
      const key = join(dir, `${name}.key`);
      sign(
        name,
        `/CN=${name}`,
        `subjectAltName=DNS:${name}\nextendedKeyUsage=clientAuth\n`,
        1,
        cert,
        key,
      );
      return { cert, key };
    },
  };
}

/** A bcrypt hash as `htpasswd -nbB` writes it ($2y$), cost 4 to keep tests fast. */
export function htpasswdHash(htpasswd: string, user: string, password: string): string {
  const line = execFileSync(htpasswd, ["-nbBC", "4", user, password], { encoding: "utf8" }).trim();
  return line.slice(line.indexOf(":") + 1);
}

/** The web config's `tls_server_config` for makePki's files, with client certificates checked. */
export function clientCertTls(clientAuthType: string, extra: Record<string, unknown> = {}) {
  return {
    cert_file: "server.crt",
    key_file: "server.key",
    client_ca_file: "test-ca.crt",
    client_auth_type: clientAuthType,
    ...extra,
  };
}
