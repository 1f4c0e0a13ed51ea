import type { PeerCertificate, SecureContextOptions, TLSSocket } from "node:tls";
import type { TlsSettings } from "./web-config.js";

/** What a TLS listener needs from one web config: the context and the client-cert policy. */
export interface TlsListenerOptions {
  context: SecureContextOptions;
  requestCert: boolean;
  /** Reject unverified client certificates in the handshake (a proper TLS alert). */
  rejectUnauthorized: boolean;
  settings: TlsSettings;
}

export interface TlsFiles {
  cert: Buffer;
  key: Buffer;
  ca: Buffer | undefined;
}

export function tlsListenerOptions(settings: TlsSettings, files: TlsFiles): TlsListenerOptions {
  const context: SecureContextOptions = {
    cert: files.cert,
    key: files.key,
    minVersion: settings.minVersion,
    honorCipherOrder: settings.honorCipherOrder,
  };
  if (files.ca) context.ca = files.ca;
  if (settings.maxVersion) context.maxVersion = settings.maxVersion;
  if (settings.ciphers) context.ciphers = settings.ciphers;
  if (settings.ecdhCurve) context.ecdhCurve = settings.ecdhCurve;
  return {
    context,
    requestCert: settings.clientAuth !== "NoClientCert",
    // VerifyClientCertIfGiven must let a client without a certificate through, which the
    // handshake-level check cannot; it is enforced per connection instead.
    rejectUnauthorized: settings.clientAuth === "RequireAndVerifyClientCert",
    settings,
  };
}

function sansOf(certificate: PeerCertificate): string[] {
  return (certificate.subjectaltname ?? "")
    .split(", ")
    .map((entry) => entry.replace(/^[A-Za-z ]+:/, ""))
    .filter((entry) => entry !== "");
}

/**
 * The part of client_auth_type the handshake does not enforce; a reason to drop the
 * connection, or undefined to serve it.
 */
export function clientCertificateRefusal(
  settings: TlsSettings,
  socket: Pick<TLSSocket, "authorized" | "authorizationError" | "getPeerCertificate">,
): string | undefined {
  const certificate = socket.getPeerCertificate();
  const given = certificate !== null && Object.keys(certificate).length > 0;
  switch (settings.clientAuth) {
    case "NoClientCert":
    case "RequestClientCert":
      return undefined;
    case "RequireAnyClientCert":
      return given ? undefined : "no client certificate";
    case "VerifyClientCertIfGiven":
      return !given || socket.authorized
        ? undefined
        : `client certificate not verified: ${socket.authorizationError}`;
    case "RequireAndVerifyClientCert": {
      if (!given) return "no client certificate";
      if (!socket.authorized)
        return `client certificate not verified: ${socket.authorizationError}`;
      if (settings.clientAllowedSans.length === 0) return undefined;
      const sans = sansOf(certificate);
      return sans.some((san) => settings.clientAllowedSans.includes(san))
        ? undefined
        : "client certificate has none of client_allowed_sans";
    }
  }
}
