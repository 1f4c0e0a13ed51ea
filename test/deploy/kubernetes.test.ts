import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, posix } from "node:path";
import { PrometheusRule } from "@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/PrometheusRule";
import { ServiceMonitor } from "@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/ServiceMonitor";
import { Deployment } from "kubernetes-models/apps/v1/Deployment";
import { StatefulSet } from "kubernetes-models/apps/v1/StatefulSet";
import { NetworkPolicy } from "kubernetes-models/networking.k8s.io/v1/NetworkPolicy";
import { ConfigMap } from "kubernetes-models/v1/ConfigMap";
import { Service } from "kubernetes-models/v1/Service";
import { ServiceAccount } from "kubernetes-models/v1/ServiceAccount";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ROLE_ARN } from "../../src/aws/arn.js";
import { toolOrSkipReason } from "../helpers/tools.js";
import { finalUserId, parseDockerfile } from "./dockerfile.js";
import { configCheck, DOCKERFILE, KUBERNETES_BASE, PACKAGE, readText } from "./files.js";
import {
  bytes,
  type Container,
  flag,
  type KubeObject,
  kustomize,
  kustomizeSharded,
  ofKind,
  one,
  type Workload,
  workloads,
} from "./kubernetes.js";

const kubectl = toolOrSkipReason("kubectl");

/** Schema of every kind the manifests may hold; any other kind fails the test. */
const MODELS: Record<string, new (data: never) => { validate(): void }> = {
  "v1/ConfigMap": ConfigMap,
  "v1/Service": Service,
  "v1/ServiceAccount": ServiceAccount,
  "apps/v1/Deployment": Deployment,
  "apps/v1/StatefulSet": StatefulSet,
  "networking.k8s.io/v1/NetworkPolicy": NetworkPolicy,
  "monitoring.coreos.com/v1/ServiceMonitor": ServiceMonitor,
  "monitoring.coreos.com/v1/PrometheusRule": PrometheusRule,
};

const IMAGE_USER = finalUserId(parseDockerfile(readText(DOCKERFILE)));

function container(workload: Workload): Container {
  const [first, ...others] = workload.spec.template.spec.containers;
  expect(others).toEqual([]);
  return first as Container;
}

function matches(selector: Record<string, string>, labels: Record<string, string> = {}): boolean {
  return Object.entries(selector).every(([key, value]) => labels[key] === value);
}

describe.skipIf("skip" in kubectl)("Kubernetes manifests", () => {
  const renders: Record<string, KubeObject[]> = {};
  const scratch = mkdtempSync(join(tmpdir(), "kms-exporter-kube-"));
  beforeAll(() => {
    renders.base = kustomize(KUBERNETES_BASE);
    renders.sharded = kustomizeSharded();
  });
  afterAll(() => rmSync(scratch, { recursive: true, force: true }));

  const variants = ["base", "sharded"] as const;
  const render = (variant: string) => renders[variant] ?? [];

  it("render the base and the sharded variant with the expected objects", () => {
    const kinds = (variant: string) =>
      render(variant)
        .map((object) => object.kind)
        .sort();
    const common = [
      "ConfigMap",
      "NetworkPolicy",
      "PrometheusRule",
      "Service",
      "ServiceAccount",
      "ServiceMonitor",
    ];
    expect(kinds("base")).toEqual([...common, "Deployment"].sort());
    expect(kinds("sharded")).toEqual([...common, "StatefulSet"].sort());
  });

  it.each(variants)("%s: every object validates against its Kubernetes schema", (variant) => {
    for (const object of render(variant)) {
      const Model = MODELS[`${object.apiVersion}/${object.kind}`];
      expect(Model, `${object.apiVersion} ${object.kind}`).toBeDefined();
      expect(() =>
        new (Model as (typeof MODELS)[string])(object as never).validate(),
      ).not.toThrow();
    }
  });

  it.each(variants)("%s: pods run locked down, as the image's non-root user", (variant) => {
    for (const workload of workloads(render(variant))) {
      const pod = workload.spec.template.spec;
      expect(pod.securityContext).toMatchObject({
        runAsNonRoot: true,
        runAsUser: IMAGE_USER,
        seccompProfile: { type: "RuntimeDefault" },
      });
      expect(pod.automountServiceAccountToken).toBe(false);
      const security = container(workload).securityContext;
      expect(security).toMatchObject({
        allowPrivilegeEscalation: false,
        readOnlyRootFilesystem: true,
        runAsNonRoot: true,
        capabilities: { drop: ["ALL"] },
        seccompProfile: { type: "RuntimeDefault" },
      });
      expect(security?.capabilities?.add).toBeUndefined();
    }
  });

  it.each(variants)("%s: liveness on /healthz and readiness on /readyz", (variant) => {
    for (const workload of workloads(render(variant))) {
      const exporter = container(workload);
      expect(exporter.ports).toEqual([
        expect.objectContaining({ name: "http", containerPort: 10127 }),
      ]);
      expect(exporter.livenessProbe?.httpGet).toEqual({ path: "/healthz", port: "http" });
      expect(exporter.readinessProbe?.httpGet).toEqual({ path: "/readyz", port: "http" });
    }
  });

  it.each(variants)("%s: memory requests and limits, the limit above the request", (variant) => {
    for (const workload of workloads(render(variant))) {
      const { requests = {}, limits = {} } = container(workload).resources ?? {};
      expect(requests.cpu).toBeDefined();
      const request = bytes(requests.memory ?? "");
      const limit = bytes(limits.memory ?? "");
      // 177 MiB measured for 2,500 targets under a limit (BENCHMARKS.md): one shard's size.
      expect(request).toBeGreaterThanOrEqual(177 * 2 ** 20);
      expect(limit).toBeGreaterThanOrEqual(request);
    }
  });

  it.each(variants)("%s: the exporter accepts the flags and the ConfigMap's config", (variant) => {
    const objects = render(variant);
    for (const workload of workloads(objects)) {
      const exporter = container(workload);
      const configFile = flag(exporter, "config.file") ?? "";
      const mount = exporter.volumeMounts?.find((entry) =>
        configFile.startsWith(`${entry.mountPath}/`),
      );
      const volume = workload.spec.template.spec.volumes?.find(
        (entry) => entry.name === mount?.name,
      );
      const configMap = ofKind(objects, "ConfigMap").find(
        (object) => object.metadata.name === volume?.configMap?.name,
      );
      const text = configMap?.data?.[posix.basename(configFile)];
      expect(text, `${configFile} in a ConfigMap`).toBeDefined();
      const copy = join(scratch, `${variant}.yml`);
      writeFileSync(copy, text ?? "");
      const args = (exporter.args ?? []).map((arg) =>
        arg
          .replace(`--config.file=${configFile}`, `--config.file=${copy}`)
          .replace(/\$\(\w+\)/, "0"),
      );
      const result = configCheck(args);
      expect(result.output).not.toMatch(/error|invalid/i);
      expect(result.status).toBe(0);
    }
  });

  it.each(variants)("%s: Prometheus scrapes the named port the pods expose", (variant) => {
    const objects = render(variant);
    const service = one(objects, "Service");
    const monitor = one(objects, "ServiceMonitor");
    const [workload] = workloads(objects);
    const pods = workload?.spec.template.metadata.labels;
    const spec = service.spec as {
      selector: Record<string, string>;
      ports: { name: string; port: number; targetPort: string }[];
    };
    expect(spec.ports).toEqual([expect.objectContaining({ name: "http", targetPort: "http" })]);
    expect(matches(spec.selector, pods)).toBe(true);
    const monitorSpec = monitor.spec as {
      selector: { matchLabels: Record<string, string> };
      endpoints: { port: string; path: string }[];
    };
    expect(matches(monitorSpec.selector.matchLabels, service.metadata.labels)).toBe(true);
    expect(monitorSpec.endpoints).toEqual([
      expect.objectContaining({ port: "http", path: "/metrics" }),
    ]);
  });

  it.each(variants)("%s: pods use the ServiceAccount annotated for IRSA", (variant) => {
    const objects = render(variant);
    const account = one(objects, "ServiceAccount");
    expect(account.metadata.annotations?.["eks.amazonaws.com/role-arn"]).toMatch(ROLE_ARN);
    for (const workload of workloads(objects)) {
      expect(workload.spec.template.spec.serviceAccountName).toBe(account.metadata.name);
    }
  });

  it.each(variants)("%s: the NetworkPolicy lets only the scrape in and HTTPS out", (variant) => {
    const objects = render(variant);
    const policy = one(objects, "NetworkPolicy").spec as {
      podSelector: { matchLabels: Record<string, string> };
      policyTypes: string[];
      ingress: { from: unknown[]; ports: { port: string | number }[] }[];
      egress: { to?: { ipBlock?: { cidr: string } }[]; ports: { port: number }[] }[];
    };
    const [workload] = workloads(objects);
    expect(matches(policy.podSelector.matchLabels, workload?.spec.template.metadata.labels)).toBe(
      true,
    );
    expect(policy.policyTypes.sort()).toEqual(["Egress", "Ingress"]);
    expect(policy.ingress).toHaveLength(1);
    expect(policy.ingress[0]?.from.length).toBeGreaterThan(0);
    expect(policy.ingress[0]?.ports.map((entry) => entry.port)).toEqual(["http"]);
    for (const rule of policy.egress) {
      const ports = rule.ports.map((entry) => entry.port);
      if (ports.includes(443)) expect(ports).toEqual([443]);
      else if (ports.includes(53)) expect(rule.to?.length).toBeGreaterThan(0);
      else {
        // Plain HTTP only to the EKS Pod Identity agent's link-local addresses.
        expect(ports).toEqual([80]);
        expect(rule.to?.map((peer) => peer.ipBlock?.cidr)).toEqual([
          "169.254.170.23/32",
          "fd00:ec2::23/128",
        ]);
      }
    }
  });

  it.each(variants)("%s: images carry the package version", (variant) => {
    for (const workload of workloads(render(variant))) {
      expect(container(workload).image).toBe(`${PACKAGE.name}:${PACKAGE.version}`);
    }
  });

  it("sharded: one shard per StatefulSet pod, its ordinal as --shard.index", () => {
    const objects = render("sharded");
    const statefulSet = one<Workload>(objects, "StatefulSet");
    const exporter = container(statefulSet);
    expect(Number(flag(exporter, "shard.count"))).toBe(statefulSet.spec.replicas);
    const [, variable] = /^\$\((\w+)\)$/.exec(flag(exporter, "shard.index") ?? "") ?? [];
    const env = exporter.env?.find((entry) => entry.name === variable);
    expect(env?.valueFrom?.fieldRef?.fieldPath).toBe(
      "metadata.labels['apps.kubernetes.io/pod-index']",
    );
    const service = one(objects, "Service");
    expect(statefulSet.spec.serviceName).toBe(service.metadata.name);
    expect((service.spec as { clusterIP?: string }).clusterIP).toBe("None");
  });
});
