import { type DestinationStream, type Logger, type LoggerOptions, pino } from "pino";
import pretty from "pino-pretty";
import { clip, clipStrings, MAX_MESSAGE_CHARACTERS } from "./clip.js";
import { jsonLineToLogfmt } from "./logfmt.js";
import { redactSecrets } from "./redact.js";

export type { Logger };

export type LogFormat = "json" | "logfmt" | "pretty";
export type LogLevel = "fatal" | "error" | "warn" | "info" | "debug" | "trace" | "silent";

/**
 * json (default): one object a line, the level as a word (`"level":"info"`) so Loki and
 * ELK queries read it; logfmt: the Prometheus ecosystem's format; pretty: for people.
 * Secrets are replaced in every format and at every level (see redact.ts), and long
 * values are clipped (see clip.ts).
 */
export function createLogger(
  level: LogLevel,
  format: LogFormat,
  destination?: NodeJS.WritableStream,
): Logger {
  const options: LoggerOptions = {
    level,
    base: { name: "kms-keystore-exporter" },
    formatters: {
      log: (object) => clipStrings(redactSecrets(object)),
      bindings: redactSecrets,
      // pino-pretty colours and names levels from pino's numbers; the others get words.
      ...(format === "pretty" ? {} : { level: (label: string) => ({ level: label }) }),
    },
    hooks: {
      logMethod(args, method) {
        const last = args.length - 1;
        if (typeof args[last] === "string") args[last] = clip(args[last], MAX_MESSAGE_CHARACTERS);
        method.apply(this, args);
      },
    },
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
  const sink: DestinationStream = destination ?? pino.destination({ fd: 1, sync: true });
  if (format === "logfmt") {
    return pino(options, { write: (line: string) => sink.write(jsonLineToLogfmt(line)) });
  }
  return pino(options, sink);
}
