import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { toolOrSkipReason } from "../helpers/tools.js";
import {
  configCheck,
  KUBERNETES_BASE,
  PACKAGE,
  parseYamlStream,
  ROOT,
  readText,
  SYSTEMD_UNIT,
} from "./files.js";
import { bytes, type Workload, workloads } from "./kubernetes.js";

/** The unit's settings by section, each key with every value it was given. */
function parseUnit(text: string): Record<string, Record<string, string[]>> {
  const sections: Record<string, Record<string, string[]>> = {};
  let current: Record<string, string[]> = {};
  for (const line of text.replace(/\\\n\s*/g, " ").split("\n")) {
    const trimmed = line.trim();
    if (trimmed === "" || trimmed.startsWith("#")) continue;
    const section = /^\[(\w+)\]$/.exec(trimmed);
    if (section) {
      current = {};
      sections[section[1] ?? ""] = current;
      continue;
    }
    const [key = "", ...value] = trimmed.split("=");
    current[key] = [...(current[key] ?? []), value.join("=")];
  }
  return sections;
}

const unit = parseUnit(readText(SYSTEMD_UNIT));
const service = unit.Service ?? {};
const setting = (key: string) => service[key]?.at(-1);
const systemdAnalyze = toolOrSkipReason("systemd-analyze");

describe("systemd unit", () => {
  it("runs the installed exporter with the config file from /etc", () => {
    const [binary, ...args] = (setting("ExecStart") ?? "").split(/\s+/);
    expect(binary).toBe(`/opt/${PACKAGE.name}/bin/${Object.keys(PACKAGE.bin)[0]}`);
    expect(args).toContain(`--config.file=/etc/${PACKAGE.name}/config.yml`);
    // The flags are the exporter's: it accepts them (with a sample config in place).
    const sample = join(KUBERNETES_BASE, "config.yml");
    const result = configCheck(
      args.map((arg) => (arg.startsWith("--config.file=") ? `--config.file=${sample}` : arg)),
    );
    expect(result.status, result.output).toBe(0);
    expect(setting("ExecReload")).toBe("/bin/kill -HUP $MAINPID");
    expect(setting("RestartPreventExitStatus")).toBe("2");
    expect(unit.Install?.WantedBy).toEqual(["multi-user.target"]);
  });

  it("is hardened", () => {
    const expected: Record<string, string> = {
      DynamicUser: "yes",
      NoNewPrivileges: "yes",
      CapabilityBoundingSet: "",
      ProtectSystem: "strict",
      ProtectHome: "yes",
      PrivateTmp: "yes",
      PrivateDevices: "yes",
      ProtectKernelTunables: "yes",
      ProtectKernelModules: "yes",
      ProtectControlGroups: "yes",
      RestrictNamespaces: "yes",
      RestrictSUIDSGID: "yes",
      LockPersonality: "yes",
      SystemCallArchitectures: "native",
      RestrictAddressFamilies: "AF_INET AF_INET6 AF_UNIX",
    };
    for (const [key, value] of Object.entries(expected)) expect(setting(key), key).toBe(value);
    expect(service.SystemCallFilter).toContain("@system-service");
    // V8's JIT writes executable memory: this one setting would kill the process.
    expect(setting("MemoryDenyWriteExecute")).toBeUndefined();
  });

  it("bounds memory as the Kubernetes base does, so that Node sizes its heap the same", () => {
    const deployment = workloads(
      parseYamlStream(readText(join(KUBERNETES_BASE, "deployment.yaml"))) as Workload[],
    )[0];
    const limit = deployment?.spec.template.spec.containers[0]?.resources?.limits?.memory;
    // systemd's M is 1024² bytes, as Kubernetes' Mi.
    const memoryMax = /^(\d+)M$/.exec(setting("MemoryMax") ?? "");
    expect(Number(memoryMax?.[1]) * 2 ** 20).toBe(bytes(limit ?? ""));
  });

  it("is installed as docs/deployment.md says", () => {
    const guide = readText(join(ROOT, "docs/deployment.md"));
    expect(guide).toContain("deploy/systemd/kms-keystore-exporter.service");
    expect(guide).toContain(`/opt/${PACKAGE.name}`);
    expect(guide).toContain(`/etc/${PACKAGE.name}/config.yml`);
  });

  describe.skipIf("skip" in systemdAnalyze)("systemd-analyze", () => {
    const scratch = mkdtempSync(join(tmpdir(), "kms-exporter-systemd-"));
    afterAll(() => rmSync(scratch, { recursive: true, force: true }));

    it("rates its exposure OK (below 2 of 10)", () => {
      const output = execFileSync(
        "systemd-analyze",
        ["security", "--offline=true", "--no-pager", SYSTEMD_UNIT],
        { encoding: "utf8", env: { ...process.env, SYSTEMD_COLORS: "0" } },
      );
      const [, level] = /Overall exposure level for .*: (\d+\.\d+)/.exec(output) ?? [];
      expect(Number(level), output.slice(-300)).toBeLessThan(2);
    });
  });
});
