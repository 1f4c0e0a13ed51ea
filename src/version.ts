import { execFileSync } from "node:child_process";
import { readFileSync, realpathSync } from "node:fs";
import { fileURLToPath } from "node:url";

/** The package root: dist/ (or src/) sits right below it. */
export const PACKAGE_ROOT = fileURLToPath(new URL("..", import.meta.url));

export const VERSION: string = (
  JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")) as {
    version: string;
  }
).version;

/** Set by the Docker image (build arg REVISION): an image has no .git to ask. */
export const REVISION_VARIABLE = "KMS_EXPORTER_REVISION";

/**
 * The git revision the exporter runs from: KMS_EXPORTER_REVISION when set, else the commit
 * of the git checkout at the package root, else "" (e.g. an npm install).
 */
export function gitRevision(env: NodeJS.ProcessEnv = process.env, root = PACKAGE_ROOT): string {
  const fromEnv = env[REVISION_VARIABLE]?.trim();
  if (fromEnv) return fromEnv;
  try {
    const [topLevel, revision] = execFileSync(
      "git",
      ["rev-parse", "--show-toplevel", "--short=12", "HEAD"],
      { cwd: root, encoding: "utf8", stdio: ["ignore", "pipe", "ignore"], timeout: 2_000 },
    )
      .trim()
      .split("\n");
    // Installed inside another project's checkout (node_modules/), git would name that
    // project's commit: only a checkout whose top is the package root is ours.
    const ours = topLevel !== undefined && realpathSync(topLevel) === realpathSync(root);
    return ours ? (revision ?? "") : "";
  } catch {
    return "";
  }
}
