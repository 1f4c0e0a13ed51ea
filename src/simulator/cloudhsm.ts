import { z } from "zod";
import { faultsFor, pickFault } from "./faults.js";
import type { Outcome } from "./outcome.js";
import { htmlUnavailable, jsonError, jsonReply, type Reply } from "./replies.js";
import type { ClusterSpec, FaultKind } from "./scenario.js";
import type { Identity, Target, World } from "./world.js";

/** CloudHSM v2 over awsJson1_1: `X-Amz-Target: BaldrApiService.<Op>`, signing name cloudhsm. */
export const CLOUDHSM_TARGET_PREFIX = "BaldrApiService.";
export const CLOUDHSM_SIGNING_NAME = "cloudhsm";

/** The API's largest page for DescribeClusters. */
const MAX_RESULTS = 25;

export interface CloudHsmCall {
  operation: string;
  body: string;
  caller: Identity;
  region: string;
  random: () => number;
}

const CANNED_FAULTS: Partial<Record<FaultKind, (caller: Identity) => Reply>> = {
  "internal-error": () =>
    jsonError(
      500,
      "CloudHsmInternalFailureException",
      "The request was rejected because of an AWS CloudHSM internal failure",
    ),
  throttling: () => jsonError(400, "ThrottlingException", "Rate exceeded"),
  "access-denied": (caller) =>
    jsonError(
      400,
      "CloudHsmAccessDeniedException",
      `User: ${caller.arn} is not authorized to perform: cloudhsm:DescribeClusters`,
    ),
  "html-5xx": () => htmlUnavailable(),
};

// Not strict: members the simulator does not know are ignored, as the service does.
const requestSchema = z.object({
  Filters: z.record(z.string(), z.array(z.string())).optional(),
  NextToken: z.string().min(1).optional(),
  MaxResults: z.number().int().min(1).max(MAX_RESULTS).optional(),
});

/**
 * The region's clusters: those the scenario lists, and a healthy one (two ACTIVE HSMs in
 * two zones) for every other cluster a store names, so that a scenario spells out only the
 * clusters that matter to it.
 */
export function clustersOf(target: Target): ClusterSpec[] {
  const clusters = [...target.clusters];
  const listed = new Set(clusters.map((cluster) => cluster.id));
  for (const store of target.stores) {
    const id = store.cloudHsmClusterId;
    if (id === undefined || listed.has(id)) continue;
    listed.add(id);
    clusters.push({
      id,
      state: "ACTIVE",
      hsms: [
        { availabilityZone: `${target.region}a`, state: "ACTIVE" },
        { availabilityZone: `${target.region}b`, state: "ACTIVE" },
      ],
    });
  }
  return clusters;
}

function toWireCluster(cluster: ClusterSpec, region: string) {
  return {
    ClusterId: cluster.id,
    State: cluster.state,
    HsmType: "hsm1.medium",
    SubnetMapping: Object.fromEntries(
      [...new Set(cluster.hsms.map((hsm) => hsm.availabilityZone))].map((zone) => [
        zone,
        `subnet-${zone.replaceAll("-", "")}`,
      ]),
    ),
    Hsms: cluster.hsms.map((hsm, index) => ({
      AvailabilityZone: hsm.availabilityZone,
      ClusterId: cluster.id,
      HsmId: `hsm-${cluster.id.slice("cluster-".length)}${index}`,
      State: hsm.state,
      SubnetId: `subnet-${hsm.availabilityZone.replaceAll("-", "")}`,
      EniIp: `10.0.${index}.10`,
    })),
    VpcId: `vpc-${region.replaceAll("-", "")}`,
  };
}

function describeClusters(call: CloudHsmCall, target: Target): Reply {
  let request: unknown;
  try {
    request = call.body === "" ? {} : JSON.parse(call.body);
  } catch {
    return jsonError(400, "SerializationException", "Request body is not valid JSON");
  }
  const parsed = requestSchema.safeParse(request);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return jsonError(
      400,
      "CloudHsmInvalidRequestException",
      `1 validation error detected: '${issue?.path.join(".") || "request"}' ${issue?.message}`,
    );
  }
  const { Filters: filters = {}, NextToken: token, MaxResults: maxResults } = parsed.data;
  const wanted = filters.clusterIds === undefined ? undefined : new Set(filters.clusterIds);
  const states = filters.states === undefined ? undefined : new Set(filters.states);
  const selected = clustersOf(target).filter(
    (cluster) =>
      (wanted === undefined || wanted.has(cluster.id)) &&
      (states === undefined || states.has(cluster.state)),
  );
  let offset = 0;
  if (token !== undefined) {
    const decoded = target.markers.decode(token);
    if (decoded === undefined) {
      return jsonError(400, "CloudHsmInvalidRequestException", "Invalid NextToken");
    }
    offset = decoded;
  }
  const size = Math.min(maxResults ?? MAX_RESULTS, target.pageSize);
  const next = offset + size;
  return jsonReply({
    Clusters: selected.slice(offset, next).map((cluster) => toWireCluster(cluster, target.region)),
    ...(next < selected.length ? { NextToken: target.markers.encode(next) } : {}),
  });
}

export function answerCloudHsm(call: CloudHsmCall, world: World): Outcome {
  if (call.operation !== "DescribeClusters") {
    return {
      reply: jsonError(
        400,
        "UnknownOperationException",
        `The simulator does not implement ${call.operation}`,
      ),
    };
  }
  const target = world.target(call.caller.accountId, call.region);
  target.clusterCalls += 1;
  const fault = pickFault(
    faultsFor(target.faults, "DescribeClusters"),
    target.clusterCalls,
    call.random,
  );
  if (fault === undefined) return { reply: describeClusters(call, target) };
  const { kind } = fault;
  if (kind === "hang" || kind === "reset") return { drop: kind, fault: kind };
  const canned = CANNED_FAULTS[kind];
  if (canned) return { reply: canned(call.caller), fault: kind };
  return { reply: describeClusters(call, target), fault: kind, delayMs: fault.delay };
}
