import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

/** The package root: dist/ (or src/) sits two levels up from this file. */
export const PACKAGE_ROOT = fileURLToPath(new URL("../..", import.meta.url));

export const VERSION: string = (
  JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as {
    version: string;
  }
).version;

/** Set by the Docker image (build arg REVISION): an image is built without .git. */
export const REVISION_VARIABLE = "KMS_EXPORTER_REVISION";

/**
 * Written by `npm run build` (scripts/write-revision.mjs) next to the compiled code, so the
 * exporter never spawns git at start. Absent when running from src/ (tests).
 */
export const REVISION_FILE = new URL("../revision.json", import.meta.url);

function bakedRevision(file: URL): string {
  try {
    const { revision } = JSON.parse(readFileSync(file, "utf8")) as { revision?: unknown };
    return typeof revision === "string" ? revision : "";
  } catch {
    return "";
  }
}

/**
 * The git revision the exporter was built from: KMS_EXPORTER_REVISION when set, else the
 * revision baked in at build time, else "" (e.g. built outside a checkout).
 */
export function gitRevision(env: NodeJS.ProcessEnv = process.env, file = REVISION_FILE): string {
  return env[REVISION_VARIABLE]?.trim() || bakedRevision(file);
}
