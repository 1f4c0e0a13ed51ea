import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { ConfigError } from "../config/errors.js";
import type { Logger } from "../log/logger.js";
import { loadWebSecurity, type ReadFile, type WebSecurity } from "./web-security.js";

export const WEB_CONFIG_POLL_MS = 5_000;

export type WebReloadResult = { ok: true; changed: boolean } | { ok: false; problems: string[] };

/**
 * Keeps the web config in force in step with its files, so a rotated certificate or a new
 * password needs no restart. The files are hashed on a timer rather than watched: a
 * Kubernetes secret changes by a symlink swap, which fs.watch misses on some platforms.
 * An invalid edit is logged once and the last good config stays.
 */
export class WebConfigWatcher {
  readonly #path: string;
  readonly #onChange: (security: WebSecurity) => void;
  readonly #logger: Logger;
  readonly #readFile: ReadFile;
  #current: WebSecurity;
  #lastBadFingerprint: string | undefined;
  #timer: NodeJS.Timeout | undefined;

  constructor(
    path: string,
    initial: WebSecurity,
    onChange: (security: WebSecurity) => void,
    logger: Logger,
    readFile: ReadFile = (file) => readFileSync(file),
  ) {
    this.#path = path;
    this.#current = initial;
    this.#onChange = onChange;
    this.#logger = logger;
    this.#readFile = readFile;
  }

  current(): WebSecurity {
    return this.#current;
  }

  start(pollMs: number = WEB_CONFIG_POLL_MS): void {
    this.#timer = setInterval(() => this.check(), pollMs);
    this.#timer.unref();
  }

  stop(): void {
    clearInterval(this.#timer);
  }

  /** The hash of the file and of the files the config in force names (cheap: no parsing). */
  #fingerprint(): string | undefined {
    try {
      const hash = createHash("sha256").update(this.#readFile(this.#path));
      const tls = this.#current.config.tls;
      if (tls) {
        for (const file of [tls.certFile, tls.keyFile, tls.clientCaFile]) {
          if (file) hash.update(this.#readFile(file));
        }
      }
      return hash.digest("hex");
    } catch {
      return undefined;
    }
  }

  /** Re-reads the files if they changed (timer, SIGHUP, POST /-/reload). */
  check(): WebReloadResult {
    const fingerprint = this.#fingerprint();
    if (fingerprint === this.#current.fingerprint) return { ok: true, changed: false };
    let fresh: WebSecurity;
    try {
      fresh = loadWebSecurity(this.#path, this.#readFile);
      if ((fresh.tls === undefined) !== (this.#current.tls === undefined)) {
        throw new ConfigError([
          `--web.config.file ${this.#path}: switching TLS on or off needs a restart`,
        ]);
      }
    } catch (error) {
      const problems = error instanceof ConfigError ? error.problems : [String(error)];
      // Once per bad version of the files, not at every tick.
      const bad = fingerprint ?? "unreadable";
      if (bad !== this.#lastBadFingerprint) {
        this.#logger.error(
          { problems },
          "web config reload failed; the previous one stays in force",
        );
      }
      this.#lastBadFingerprint = bad;
      return { ok: false, problems };
    }
    this.#current = fresh;
    this.#lastBadFingerprint = undefined;
    this.#onChange(fresh);
    this.#logger.info(
      { file: this.#path, tls: fresh.tls !== undefined, users: fresh.config.users.size },
      "web config reloaded",
    );
    return { ok: true, changed: true };
  }
}
