import { execFileSync } from "node:child_process";
import { cpSync, existsSync, mkdirSync, mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, posix, resolve } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { parse as parseYaml } from "yaml";
import { toolOrSkipReason } from "../helpers/tools.js";
import { finalUserId, parseDockerfile } from "./dockerfile.js";
import { COMPOSE_DIR, DOCKERFILE, readText } from "./files.js";

interface ComposeService {
  image?: string;
  build?: { context: string; dockerfile?: string };
  command?: string[];
  user?: string;
  read_only?: boolean;
  cap_drop?: string[];
  ports?: string[];
  volumes?: string[];
}

const COMPOSE_FILE = join(COMPOSE_DIR, "docker-compose.yml");
const compose = parseYaml(readText(COMPOSE_FILE)) as { services: Record<string, ComposeService> };
const services = compose.services;

interface Mount {
  service: string;
  source: string;
  target: string;
}

/** Bind mounts (short syntax, a path on the host), resolved against the compose file. */
const mounts: Mount[] = Object.entries(services).flatMap(([service, spec]) =>
  (spec.volumes ?? [])
    .map((volume) => volume.split(":"))
    .filter(([source]) => source?.startsWith(".") || source?.startsWith("/"))
    .map(([source = "", target = ""]) => ({
      service,
      source: resolve(COMPOSE_DIR, source),
      target,
    })),
);

/**
 * A service's mounts copied to where the container sees them, below a scratch root, so that
 * a tool reading its config there finds every file the config points to.
 */
function containerFiles(service: string, root: string): void {
  for (const mount of mounts.filter((entry) => entry.service === service)) {
    const target = join(root, mount.target);
    mkdirSync(dirname(target), { recursive: true });
    cpSync(mount.source, target, { recursive: true });
  }
}

const promtool = toolOrSkipReason("promtool");
const amtool = toolOrSkipReason("amtool");

describe("docker compose stack", () => {
  const scratch = mkdtempSync(join(tmpdir(), "kms-exporter-compose-"));
  afterAll(() => rmSync(scratch, { recursive: true, force: true }));

  it("mounts only paths that exist", () => {
    expect(mounts.map((mount) => mount.service).sort()).toEqual([
      "alertmanager",
      "grafana",
      "grafana",
      "prometheus",
      "prometheus",
    ]);
    for (const mount of mounts) expect(existsSync(mount.source), mount.source).toBe(true);
    const build = services.exporter?.build;
    expect(existsSync(join(resolve(COMPOSE_DIR, build?.context ?? ""), "Dockerfile"))).toBe(true);
    expect(resolve(COMPOSE_DIR, build?.context ?? "", build?.dockerfile ?? "")).toBe(DOCKERFILE);
  });

  it("runs the exporter in demo mode, as locked down as in Kubernetes", () => {
    const exporter = services.exporter ?? {};
    expect(exporter.command).toEqual(["--demo"]);
    expect(exporter.read_only).toBe(true);
    expect(exporter.cap_drop).toEqual(["ALL"]);
    expect(Number(exporter.user?.split(":")[0])).toBe(
      finalUserId(parseDockerfile(readText(DOCKERFILE))),
    );
  });

  it("pins every image by version", () => {
    for (const [name, spec] of Object.entries(services)) {
      if (spec.build) continue;
      expect(spec.image, name).toMatch(/:v?\d+\.\d+\.\d+$/);
    }
  });

  it("wires Prometheus to the exporter and Alertmanager, and Grafana to Prometheus", () => {
    const prometheus = parseYaml(readText(join(COMPOSE_DIR, "prometheus.yml")));
    const targets = JSON.stringify(prometheus);
    expect(targets).toContain('"exporter:10127"');
    expect(targets).toContain('"alertmanager:9093"');
    const grafana = mounts.find((mount) => mount.target === "/etc/grafana/provisioning");
    const datasources = parseYaml(
      readText(join(grafana?.source ?? "", "datasources/prometheus.yml")),
    );
    expect(datasources.datasources[0].url).toBe("http://prometheus:9090");
    // The dashboard provider reads the folder the dashboard is mounted into.
    const dashboards = parseYaml(
      readText(join(grafana?.source ?? "", "dashboards/dashboards.yml")),
    );
    const dashboard = mounts.find((mount) => mount.target.endsWith("dashboard.json"));
    expect(statSync(dashboard?.source ?? "").isFile()).toBe(true);
    expect(dashboards.providers[0].options.path).toBe(posix.dirname(dashboard?.target ?? ""));
  });

  it.skipIf("skip" in promtool)("promtool check config passes, rule files included", () => {
    const root = join(scratch, "prometheus");
    containerFiles("prometheus", root);
    const output = execFileSync(
      (promtool as { path: string }).path,
      ["check", "config", join(root, "etc/prometheus/prometheus.yml")],
      { encoding: "utf8" },
    );
    expect(output).toMatch(/SUCCESS: \d+ rules found/);
  });

  it.skipIf("skip" in amtool)("amtool check-config passes", () => {
    const root = join(scratch, "alertmanager");
    containerFiles("alertmanager", root);
    const output = execFileSync(
      (amtool as { path: string }).path,
      ["check-config", join(root, "etc/alertmanager/alertmanager.yml")],
      { encoding: "utf8" },
    );
    expect(output).toContain("SUCCESS");
  });
});
