import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parseAllDocuments } from "yaml";
import { PACKAGE_ROOT } from "../../src/package/version.js";
import { CLI } from "../helpers/cli.js";

/** Paths of the deployment assets, from the package root. */
export const ROOT = PACKAGE_ROOT;
export const DOCKERFILE = join(ROOT, "Dockerfile");
export const DOCKERIGNORE = join(ROOT, ".dockerignore");
export const KUBERNETES_BASE = join(ROOT, "deploy/kubernetes");
export const KUBERNETES_SHARDED = join(ROOT, "deploy/kubernetes/sharded");
export const IAM_DIR = join(ROOT, "deploy/iam");
export const SYSTEMD_UNIT = join(ROOT, "deploy/systemd/kms-keystore-exporter.service");
export const COMPOSE_DIR = join(ROOT, "deploy/compose");

export interface PackageJson {
  name: string;
  version: string;
  license: string;
  bin: Record<string, string>;
  dependencies: Record<string, string>;
  files: string[];
}

export const PACKAGE: PackageJson = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8"));

export function readText(path: string): string {
  return readFileSync(path, "utf8");
}

/** Every document of a YAML stream (kustomize output, compose files), parse errors thrown. */
export function parseYamlStream(text: string): unknown[] {
  return parseAllDocuments(text).map((document) => {
    if (document.errors.length > 0) throw document.errors[0];
    return document.toJS();
  });
}

/**
 * Runs the built CLI with `--config.check` added: validates flags and config file as the
 * exporter would at start, without calling AWS. Returns the exit status and stderr.
 */
export function configCheck(args: string[]): { status: number | null; output: string } {
  const result = spawnSync(process.execPath, [CLI, ...args, "--config.check"], {
    encoding: "utf8",
    env: { ...process.env, AWS_REGION: "us-east-1" },
    timeout: 15_000,
  });
  return { status: result.status, output: `${result.stdout}${result.stderr}` };
}
