// Bakes the git revision into the build (npm run build), so the exporter never spawns git
// at start: writes {"revision": "<short commit>"} to dist/revision.json, or "" when the
// package root is not the top of a git checkout (an npm install, a Docker build without
// .git; the image sets KMS_EXPORTER_REVISION instead).
// Usage: node scripts/write-revision.mjs [package root] [output file]
import { execFileSync } from "node:child_process";
import { realpathSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";

const root = resolve(process.argv[2] ?? join(import.meta.dirname, ".."));
const output = process.argv[3] ?? join(root, "dist", "revision.json");

function revisionOf(directory) {
  try {
    const [topLevel, revision] = execFileSync(
      "git",
      ["rev-parse", "--show-toplevel", "--short=12", "HEAD"],
      { cwd: directory, encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] },
    )
      .trim()
      .split("\n");
    // Inside another project's checkout (node_modules/), git would name that project's
    // commit: only a checkout whose top is the package root is ours.
    const ours = topLevel !== undefined && realpathSync(topLevel) === realpathSync(directory);
    return ours ? (revision ?? "") : "";
  } catch {
    return "";
  }
}

writeFileSync(output, `${JSON.stringify({ revision: revisionOf(root) })}\n`);
