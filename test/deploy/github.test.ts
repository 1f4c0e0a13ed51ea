import { readFileSync } from "node:fs";
import { join } from "node:path";
import { validateWorkflow } from "@action-validator/core";
import { describe, expect, it } from "vitest";
import { parse as parseYaml } from "yaml";
import { z } from "zod";
import { ROOT, readText } from "./files.js";

/**
 * The GitHub workflows cannot run here. @action-validator/core checks them offline against
 * GitHub's workflow schema (compiled into its WebAssembly); dependabot.yml has no offline
 * validator in the npm registry, so a schema of the options we use, written from GitHub's
 * reference, checks it. Then the tests check what the workflows must do.
 */

const WORKFLOWS = join(ROOT, ".github/workflows");
const ciText = readText(join(WORKFLOWS, "ci.yml"));
const releaseText = readText(join(WORKFLOWS, "release.yml"));

interface Step {
  uses?: string;
  run?: string;
  with?: Record<string, unknown>;
  env?: Record<string, string>;
}
interface Job {
  uses?: string;
  needs?: string | string[];
  permissions?: Record<string, string>;
  strategy?: { matrix: Record<string, unknown[]> };
  steps?: Step[];
}
interface Workflow {
  on: Record<string, unknown>;
  permissions: Record<string, string>;
  jobs: Record<string, Job>;
}

const ci = parseYaml(ciText) as Workflow;
const release = parseYaml(releaseText) as Workflow;

function stepsOf(workflow: Workflow, job: string): Step[] {
  return workflow.jobs[job]?.steps ?? [];
}

function runIndex(steps: Step[], command: RegExp): number {
  return steps.findIndex((step) => command.test(step.run ?? ""));
}

describe("GitHub workflows", () => {
  it.each([
    ["ci.yml", ciText],
    ["release.yml", releaseText],
  ])("%s is a valid workflow", (_name, text) => {
    expect(validateWorkflow(text).errors).toEqual([]);
  });

  it("the validator rejects a broken workflow", () => {
    expect(validateWorkflow(ciText.replace("steps:", "stepz:")).errors).not.toEqual([]);
    expect(validateWorkflow(ciText.replace("runs-on:", "runs_on:")).errors).not.toEqual([]);
  });

  it("grant read-only repository access unless a job needs more", () => {
    expect(ci.permissions).toEqual({ contents: "read" });
    expect(release.permissions).toEqual({ contents: "read" });
  });

  it("CI lints and runs npm test under Node 22 and 24, with every tool required", () => {
    const job = ci.jobs.test as Job;
    expect(job.strategy?.matrix.node).toEqual([22, 24]);
    const steps = stepsOf(ci, "test");
    const test = steps.find((step) => step.run === "npm test");
    expect(test?.env?.KMS_EXPORTER_REQUIRE_TOOLS).toBe("1");
    expect(runIndex(steps, /^npm run lint$/)).toBeGreaterThan(-1);
    expect(runIndex(steps, /^npm ci\b/)).toBeLessThan(runIndex(steps, /^npm test$/));
  });

  it("CI installs what .ci/run installs, except the tools the runner image has", () => {
    const PREINSTALLED_ON_RUNNER = new Set(["awscli"]);
    const packagesIn = (text: string) =>
      (/apt-get install -y[^\n]*?--no-install-recommends ([^>\n]+)/.exec(text)?.[1] ?? "")
        .trim()
        .split(/\s+/);
    const local = packagesIn(readText(join(ROOT, ".ci/run")));
    const github = packagesIn(ciText);
    expect(local.length).toBeGreaterThan(0);
    expect(
      local.filter((name) => !PREINSTALLED_ON_RUNNER.has(name) && !github.includes(name)),
    ).toEqual([]);
  });

  it("the release runs CI first, on version tags", () => {
    expect(Object.keys(ci.on)).toContain("workflow_call");
    expect(release.on).toEqual({ push: { tags: ["v*.*.*"] } });
    expect(release.jobs.ci?.uses).toBe("./.github/workflows/ci.yml");
    expect(release.jobs.image?.needs).toBe("ci");
    expect(release.jobs.npm?.needs).toBe("ci");
  });

  it("the release builds a multi-arch image with provenance and an SBOM", () => {
    const build = stepsOf(release, "image").find((step) =>
      step.uses?.startsWith("docker/build-push-action@"),
    );
    expect(String(build?.with?.platforms).split(",")).toEqual(["linux/amd64", "linux/arm64"]);
    expect(build?.with?.provenance).toBe("mode=max");
    expect(build?.with?.sbom).toBe(true);
    expect(build?.with?.push).toBe(true);
    // The build arguments it passes are the ones the Dockerfile declares.
    const dockerfile = readText(join(ROOT, "Dockerfile"));
    for (const line of String(build?.with?.["build-args"]).trim().split("\n")) {
      expect(dockerfile).toMatch(new RegExp(`^ARG ${line.split("=")[0]}=`, "m"));
    }
    expect(release.jobs.image?.permissions).toEqual({ contents: "read", packages: "write" });
  });

  it("the release audits the production dependencies, then publishes with provenance", () => {
    const steps = stepsOf(release, "npm");
    const audit = runIndex(steps, /^npm audit --omit=dev --audit-level=high$/);
    const publish = runIndex(steps, /^npm publish --provenance\b/);
    expect(audit).toBeGreaterThan(-1);
    expect(publish).toBeGreaterThan(audit);
    expect(runIndex(steps, /package\.json/)).toBeLessThan(publish); // tag = package version
    // npm provenance signs with the workflow's OIDC token.
    expect(release.jobs.npm?.permissions?.["id-token"]).toBe("write");
  });

  it("uses actions by a released version, never a branch", () => {
    const uses = [ci, release].flatMap((workflow) =>
      Object.values(workflow.jobs).flatMap((job) => (job.steps ?? []).map((step) => step.uses)),
    );
    const actions = uses.filter((use): use is string => use !== undefined);
    expect(actions.length).toBeGreaterThan(5);
    for (const action of actions) expect(action).toMatch(/^[\w-]+\/[\w-]+@v\d+$/);
  });
});

/** The dependabot.yml options used here, from GitHub's reference; unknown keys are errors. */
const UPDATE_TYPE = z.enum([
  "version-update:semver-major",
  "version-update:semver-minor",
  "version-update:semver-patch",
]);
const DEPENDABOT = z.strictObject({
  version: z.literal(2),
  updates: z
    .array(
      z.strictObject({
        "package-ecosystem": z.enum([
          "npm",
          "github-actions",
          "docker",
          "pip",
          "gomod",
          "cargo",
          "maven",
          "gradle",
          "nuget",
          "bundler",
          "composer",
          "terraform",
        ]),
        directory: z.string().startsWith("/"),
        schedule: z.strictObject({
          interval: z.enum(["daily", "weekly", "monthly", "quarterly", "semiannually", "yearly"]),
          day: z.string().optional(),
          time: z.string().optional(),
          timezone: z.string().optional(),
        }),
        "open-pull-requests-limit": z.number().int().min(0).optional(),
        groups: z
          .record(
            z.string(),
            z.strictObject({
              patterns: z.array(z.string()).min(1),
              "exclude-patterns": z.array(z.string()).optional(),
              "update-types": z.array(z.enum(["major", "minor", "patch"])).optional(),
            }),
          )
          .optional(),
        ignore: z
          .array(
            z.strictObject({
              "dependency-name": z.string(),
              versions: z.array(z.string()).optional(),
              "update-types": z.array(UPDATE_TYPE).optional(),
            }),
          )
          .optional(),
      }),
    )
    .min(1),
});

describe("dependabot.yml", () => {
  const dependabot = parseYaml(readFileSync(join(ROOT, ".github/dependabot.yml"), "utf8"));

  it("follows GitHub's format for the options it uses", () => {
    const result = DEPENDABOT.safeParse(dependabot);
    expect(result.success ? [] : result.error.issues).toEqual([]);
    expect(DEPENDABOT.safeParse({ ...dependabot, version: 1 }).success).toBe(false);
  });

  it("updates the npm dependencies, the workflows' actions and the image's base", () => {
    const ecosystems = DEPENDABOT.parse(dependabot).updates.map((u) => u["package-ecosystem"]);
    expect(ecosystems.sort()).toEqual(["docker", "github-actions", "npm"]);
  });
});
