import { spawnSync } from "node:child_process";
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  rmSync,
  statSync,
  symlinkSync,
} from "node:fs";
import { isBuiltin } from "node:module";
import { tmpdir } from "node:os";
import { basename, join, posix, relative } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import {
  copies,
  finalUserId,
  instructions,
  parseDockerfile,
  type Stage,
  workdir,
} from "./dockerfile.js";
import { DOCKERFILE, DOCKERIGNORE, PACKAGE, ROOT, readText } from "./files.js";

const dockerfile = parseDockerfile(readText(DOCKERFILE));
const final = dockerfile.stages.at(-1) as Stage;

function stageNamed(name: string | undefined): Stage {
  const stage = dockerfile.stages.find((candidate) => candidate.name === name);
  if (!stage) throw new Error(`no stage named ${name}`);
  return stage;
}

/** The final stage's COPY --from=STAGE of a destination, resolved to a path in that stage. */
function sourceInStage(containerPath: string): { stage: Stage; path: string } {
  for (const copy of copies(final)) {
    const destination = posix.resolve(workdir(final), copy.destination);
    const [source] = copy.sources;
    if (copy.from === undefined || source === undefined) continue;
    if (containerPath.startsWith(`${destination.replace(/\/$/, "")}/`)) {
      const stage = stageNamed(copy.from);
      const within = posix.relative(destination, containerPath);
      return { stage, path: posix.join(posix.resolve(workdir(stage), source), within) };
    }
  }
  throw new Error(`${containerPath} is copied from no build stage`);
}

/** Bare package names imported by the built JavaScript under dir. */
function importedPackages(dir: string): Set<string> {
  const names = new Set<string>();
  for (const entry of readdirSync(dir, { recursive: true, withFileTypes: true })) {
    const path = join(entry.parentPath, entry.name);
    if (!entry.isFile() || !entry.name.endsWith(".js")) continue;
    for (const [, specifier = ""] of readText(path).matchAll(
      /(?:from|import\()\s*["']([^"'.][^"']*)["']/g,
    )) {
      if (isBuiltin(specifier)) continue;
      const parts = specifier.split("/");
      names.add(specifier.startsWith("@") ? parts.slice(0, 2).join("/") : (parts[0] ?? ""));
    }
  }
  return names;
}

/** Copies like COPY: a directory's content into the destination, a file into a "dir/". */
function place(source: string, destination: string, into: boolean): void {
  const target =
    into && !statSync(source).isDirectory() ? join(destination, basename(source)) : destination;
  cpSync(source, target, { recursive: true });
}

describe("Dockerfile", () => {
  it("builds from Node 24 slim images pinned by their full version", () => {
    for (const stage of dockerfile.stages) {
      expect(stage.image).toMatch(/^node:24\.\d+\.\d+-[a-z]+-slim$/);
    }
  });

  it("runs the final stage as a numeric non-root user", () => {
    expect(finalUserId(dockerfile)).toBeGreaterThan(0);
  });

  it("installs nothing in the final stage, and only production dependencies reach it", () => {
    expect(instructions(final, "RUN")).toEqual([]);
    const nodeModules = sourceInStage("/app/node_modules/x");
    const install = instructions(nodeModules.stage, "RUN").join("\n");
    expect(install).toMatch(/npm ci\b.*--omit=dev/);
    // The build stage (dev dependencies) gives the final stage its dist/ and nothing else.
    const fromStages = copies(final).filter((copy) => copy.from !== undefined);
    for (const copy of fromStages) {
      const stage = stageNamed(copy.from);
      if (!/--omit=dev/.test(instructions(stage, "RUN").join("\n"))) {
        expect(copy.sources).toEqual(["/src/dist/"]);
      }
    }
  });

  it("imports at run time only packages listed as production dependencies", () => {
    const imported = [...importedPackages(join(ROOT, "dist"))];
    expect(imported).toContain("@aws-sdk/client-kms");
    expect(imported.filter((name) => !(name in PACKAGE.dependencies))).toEqual([]);
  });

  it("has the exporter as its exec-form entrypoint, at a path the build produces", () => {
    const entrypoint = JSON.parse(instructions(final, "ENTRYPOINT").at(-1) ?? "null");
    expect(entrypoint).toEqual(["node", expect.stringMatching(/^\//)]);
    expect(instructions(final, "CMD")).toEqual([]);
    const { stage, path } = sourceInStage(entrypoint[1]);
    // In the build stage, the path is the TypeScript output below its working directory.
    const inRepo = posix.relative(workdir(stage), path);
    expect(inRepo).toBe(posix.normalize(PACKAGE.bin[PACKAGE.name] ?? ""));
    expect(existsSync(join(ROOT, inRepo)), `${inRepo} after npm run build`).toBe(true);
  });

  it("copies what the exporter reads at run time: package.json and the demo scenario", () => {
    const local = copies(final).filter((copy) => copy.from === undefined);
    expect(local.flatMap((copy) => copy.sources)).toEqual(
      expect.arrayContaining(["package.json", "scenarios/"]),
    );
  });

  it("copies only files that exist and that .dockerignore lets into the context", () => {
    const allowed = readText(DOCKERIGNORE)
      .split("\n")
      .filter((line) => line.startsWith("!"))
      .map((line) => line.slice(1));
    expect(readText(DOCKERIGNORE)).toMatch(/^\*$/m);
    const sources = dockerfile.stages
      .flatMap((stage) => copies(stage))
      .filter((copy) => copy.from === undefined)
      .flatMap((copy) => copy.sources);
    for (const source of sources) {
      expect(existsSync(join(ROOT, source)), source).toBe(true);
      expect(allowed, source).toContain(source);
    }
  });

  it("exposes the exporter's port, labels the image and passes the revision on", () => {
    expect(instructions(final, "EXPOSE")).toEqual(["10127"]);
    const labels = instructions(final, "LABEL").join(" ");
    for (const key of ["title", "description", "version", "revision", "source", "licenses"]) {
      expect(labels).toContain(`org.opencontainers.image.${key}=`);
    }
    expect(labels).toContain(`org.opencontainers.image.licenses="${PACKAGE.license}"`);
    const args = instructions(final, "ARG");
    expect(args).toContain(`VERSION=${PACKAGE.version}`);
    expect(args.some((arg) => arg.startsWith("REVISION"))).toBe(true);
    expect(instructions(final, "ENV").join(" ")).toMatch(/KMS_EXPORTER_REVISION=\$\{REVISION\}/);
  });

  describe("the final stage's files, laid out as in the image", () => {
    const image = mkdtempSync(join(tmpdir(), "kms-exporter-image-"));
    afterAll(() => rmSync(image, { recursive: true, force: true }));

    it("run the exporter, which reports the revision given at build time", () => {
      const app = join(image, workdir(final));
      mkdirSync(app, { recursive: true });
      for (const copy of copies(final)) {
        const destination = join(app, copy.destination);
        const into = copy.destination.endsWith("/");
        for (const source of copy.sources) {
          if (copy.from === undefined) {
            place(join(ROOT, source), destination, into);
            continue;
          }
          // A path in a build stage is the repository's path below that stage's workdir.
          const inRepo = join(ROOT, posix.relative(workdir(stageNamed(copy.from)), source));
          // Production node_modules: the repository's own stand in (the import test above
          // checks that the runtime needs no dev dependency).
          if (inRepo.endsWith("node_modules")) symlinkSync(inRepo, destination.replace(/\/$/, ""));
          else place(inRepo, destination, into);
        }
      }
      const entrypoint: string[] = JSON.parse(instructions(final, "ENTRYPOINT").at(-1) ?? "[]");
      const imageEnv = Object.fromEntries(
        instructions(final, "ENV").map((line) => [
          line.slice(0, line.indexOf("=")),
          line.slice(line.indexOf("=") + 1),
        ]),
      );
      expect(imageEnv.NODE_OPTIONS).toBe("--max-semi-space-size=16");
      const script = join(image, relative("/", entrypoint[1] ?? ""));
      const result = spawnSync(process.execPath, [script, "--version"], {
        cwd: image,
        encoding: "utf8",
        // The image's ENV too: a flag Node refuses in NODE_OPTIONS would stop it here.
        env: { ...process.env, ...imageEnv, KMS_EXPORTER_REVISION: "0123456789ab" },
      });
      expect(result.stdout).toBe(
        `${PACKAGE.name} ${PACKAGE.version} (0123456789ab) node ${process.version}\n`,
      );
      expect(existsSync(join(app, "scenarios/demo.yaml"))).toBe(true);
    });
  });
});
