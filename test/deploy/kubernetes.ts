import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { KUBERNETES_BASE, KUBERNETES_SHARDED, parseYamlStream } from "./files.js";

/** The parts of rendered objects the tests read. */
export interface KubeObject {
  apiVersion: string;
  kind: string;
  metadata: {
    name: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
  };
  data?: Record<string, string>;
  spec?: Record<string, unknown>;
}

export interface Container {
  name: string;
  image: string;
  args?: string[];
  env?: { name: string; valueFrom?: { fieldRef?: { fieldPath: string } } }[];
  ports?: { name?: string; containerPort: number }[];
  livenessProbe?: { httpGet?: { path: string; port: string | number } };
  readinessProbe?: { httpGet?: { path: string; port: string | number } };
  resources?: {
    requests?: Record<string, string>;
    limits?: Record<string, string>;
  };
  securityContext?: {
    allowPrivilegeEscalation?: boolean;
    readOnlyRootFilesystem?: boolean;
    runAsNonRoot?: boolean;
    capabilities?: { drop?: string[]; add?: string[] };
    seccompProfile?: { type: string };
  };
  volumeMounts?: { name: string; mountPath: string }[];
}

export interface PodSpec {
  serviceAccountName?: string;
  automountServiceAccountToken?: boolean;
  securityContext?: {
    runAsNonRoot?: boolean;
    runAsUser?: number;
    seccompProfile?: { type: string };
  };
  containers: Container[];
  volumes?: { name: string; configMap?: { name: string } }[];
}

export interface Workload extends KubeObject {
  spec: {
    replicas?: number;
    serviceName?: string;
    selector: { matchLabels: Record<string, string> };
    template: { metadata: { labels: Record<string, string> }; spec: PodSpec };
  };
}

export function kustomize(dir: string): KubeObject[] {
  const text = execFileSync("kubectl", ["kustomize", dir], { encoding: "utf8", timeout: 30_000 });
  return parseYamlStream(text) as KubeObject[];
}

/**
 * The sharded variant as a user renders it: an overlay of their own with the base as a
 * resource and sharded/ as a component (kustomize wants relative paths there).
 */
export function kustomizeSharded(): KubeObject[] {
  const overlay = mkdtempSync(join(tmpdir(), "kms-exporter-overlay-"));
  try {
    writeFileSync(
      join(overlay, "kustomization.yaml"),
      [
        "resources:",
        `  - ${relative(overlay, KUBERNETES_BASE)}`,
        "components:",
        `  - ${relative(overlay, KUBERNETES_SHARDED)}`,
        "",
      ].join("\n"),
    );
    return kustomize(overlay);
  } finally {
    rmSync(overlay, { recursive: true, force: true });
  }
}

export function ofKind<T extends KubeObject = KubeObject>(
  objects: KubeObject[],
  kind: string,
): T[] {
  return objects.filter((object) => object.kind === kind) as T[];
}

export function one<T extends KubeObject = KubeObject>(objects: KubeObject[], kind: string): T {
  const found = ofKind<T>(objects, kind);
  if (found.length !== 1) throw new Error(`expected one ${kind}, found ${found.length}`);
  return found[0] as T;
}

export function workloads(objects: KubeObject[]): Workload[] {
  return objects.filter((object) =>
    ["Deployment", "StatefulSet"].includes(object.kind),
  ) as Workload[];
}

/** Value of a `--name=value` flag in a container's args. */
export function flag(container: Container, name: string): string | undefined {
  const prefix = `--${name}=`;
  return container.args?.find((arg) => arg.startsWith(prefix))?.slice(prefix.length);
}

/** Kubernetes memory quantity in bytes (binary and decimal suffixes). */
export function bytes(quantity: string): number {
  const match = /^(\d+(?:\.\d+)?)(Ki|Mi|Gi|Ti|k|M|G|T)?$/.exec(quantity);
  if (!match) throw new Error(`not a memory quantity: ${quantity}`);
  const units: Record<string, number> = {
    Ki: 2 ** 10,
    Mi: 2 ** 20,
    Gi: 2 ** 30,
    Ti: 2 ** 40,
    k: 1e3,
    M: 1e6,
    G: 1e9,
    T: 1e12,
  };
  return Number(match[1]) * (units[match[2] ?? ""] ?? 1);
}
