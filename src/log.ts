import { type Logger, pino } from "pino";
import pretty from "pino-pretty";
import type { LogFormat, LogLevel } from "./config/types.js";

export type { Logger };

/**
 * Credentials must never reach a log line, whatever object a caller passes along (an SDK
 * error can carry the request, a config the role's external id).
 */
const REDACT = [
  "credentials",
  "*.credentials",
  "accessKeyId",
  "*.accessKeyId",
  "secretAccessKey",
  "*.secretAccessKey",
  "sessionToken",
  "*.sessionToken",
  "externalId",
  "*.externalId",
  "headers.authorization",
  "*.headers.authorization",
  "*.headers['x-amz-security-token']",
];

export function createLogger(
  level: LogLevel,
  format: LogFormat,
  destination?: NodeJS.WritableStream,
): Logger {
  const options = {
    level,
    base: { name: "kms-keystore-exporter" },
    redact: { paths: REDACT, censor: "[redacted]" },
  };
  if (format === "pretty") {
    return pino(
      options,
      pretty({
        sync: true,
        colorize: false,
        translateTime: "SYS:standard",
        ...(destination ? { destination } : {}),
      }),
    );
  }
  return destination ? pino(options, destination) : pino(options);
}
