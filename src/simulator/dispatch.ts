import { answerCloudHsm, CLOUDHSM_SIGNING_NAME, CLOUDHSM_TARGET_PREFIX } from "./cloudhsm.js";
import {
  answerCloudWatch,
  CLOUDWATCH_SIGNING_NAME,
  CLOUDWATCH_TARGET_PREFIX,
} from "./cloudwatch.js";
import { answerKms, KMS_TARGET_PREFIX } from "./kms.js";
import { answerOrganizations, ORGANIZATIONS_TARGET_PREFIX } from "./organizations.js";
import type { Outcome } from "./outcome.js";
import { jsonError, queryError } from "./replies.js";
import { parseAuthorization } from "./sigv4.js";
import { answerSts } from "./sts.js";
import type { World } from "./world.js";

export interface IncomingCall {
  amzTarget: string | undefined;
  authorization: string | undefined;
  body: string;
}

export interface CallRecord {
  operation: string;
  accountId: string;
  region: string;
  status: number;
  fault?: string;
  externalId?: string;
  roleArn?: string;
  at: number;
}

export interface DispatchClock {
  elapsedMs: number;
  wallClockMs: number;
  random: () => number;
}

/** The record without its status and time, which the HTTP layer knows best. */
type CallFacts = Omit<CallRecord, "status" | "at">;

type JsonService = "kms" | "organizations" | "cloudhsm" | "cloudwatch";

type Route =
  | { protocol: "json"; service: JsonService; operation: string }
  | { protocol: "query"; operation: string; params: URLSearchParams }
  | { protocol: "unknown" };

const JSON_SERVICES = [
  ["kms", KMS_TARGET_PREFIX],
  ["organizations", ORGANIZATIONS_TARGET_PREFIX],
  ["cloudhsm", CLOUDHSM_TARGET_PREFIX],
  ["cloudwatch", CLOUDWATCH_TARGET_PREFIX],
] as const;

/**
 * The SigV4 signing name each newer service insists on. A hand-signed call (CloudHSM)
 * scoped to another service is refused, as AWS refuses it.
 */
const SIGNING_NAMES: Partial<Record<JsonService, string>> = {
  cloudhsm: CLOUDHSM_SIGNING_NAME,
  cloudwatch: CLOUDWATCH_SIGNING_NAME,
};

/** One port serves every service, told apart the way the SDK's protocols mark their requests. */
function route(call: IncomingCall): Route {
  const { amzTarget } = call;
  if (amzTarget !== undefined) {
    for (const [service, prefix] of JSON_SERVICES) {
      if (amzTarget.startsWith(prefix)) {
        return { protocol: "json", service, operation: amzTarget.slice(prefix.length) };
      }
    }
    return { protocol: "unknown" };
  }
  const params = new URLSearchParams(call.body);
  const action = params.get("Action");
  return action ? { protocol: "query", operation: action, params } : { protocol: "unknown" };
}

export function dispatch(
  call: IncomingCall,
  world: World,
  clock: DispatchClock,
): { outcome: Outcome; facts: CallFacts } {
  const where = route(call);
  if (where.protocol === "unknown") {
    return {
      outcome: {
        reply: jsonError(
          400,
          "UnknownOperationException",
          "Neither a KMS, Organizations, CloudHSM, CloudWatch nor STS request",
        ),
      },
      facts: { operation: "Unknown", accountId: "", region: "" },
    };
  }
  const scope = parseAuthorization(call.authorization);
  if (scope === undefined) {
    const message = "Request is missing a SigV4 Authorization header";
    const reply =
      where.protocol === "json"
        ? jsonError(400, "MissingAuthenticationTokenException", message)
        : queryError(400, "MissingAuthenticationToken", message);
    return { outcome: { reply }, facts: { operation: where.operation, accountId: "", region: "" } };
  }
  const caller = world.identity(scope.accessKeyId);
  const base = { operation: where.operation, region: scope.region };
  if (where.protocol === "json") {
    const signingName = SIGNING_NAMES[where.service];
    if (signingName !== undefined && scope.service !== signingName) {
      const message = `Credential should be scoped to correct service: '${signingName}'.`;
      return {
        outcome: { reply: jsonError(403, "InvalidSignatureException", message) },
        facts: { ...base, accountId: caller.accountId },
      };
    }
    const outcome = answerJson(
      where.service,
      {
        ...base,
        body: call.body,
        caller,
        elapsedMs: clock.elapsedMs,
        random: clock.random,
      },
      world,
    );
    const facts: CallFacts = { ...base, accountId: caller.accountId };
    if ("fault" in outcome && outcome.fault !== undefined) facts.fault = outcome.fault;
    return { outcome, facts };
  }
  const answer = answerSts(
    where.operation,
    { params: where.params, caller, wallClockMs: clock.wallClockMs },
    world,
  );
  const facts: CallFacts = { ...base, accountId: answer.accountId };
  if (answer.roleArn !== undefined) facts.roleArn = answer.roleArn;
  if (answer.externalId !== undefined) facts.externalId = answer.externalId;
  return { outcome: answer.outcome, facts };
}

function answerJson(
  service: JsonService,
  call: {
    operation: string;
    region: string;
    body: string;
    caller: ReturnType<World["identity"]>;
    elapsedMs: number;
    random: () => number;
  },
  world: World,
): Outcome {
  switch (service) {
    case "organizations":
      return answerOrganizations(
        { operation: call.operation, body: call.body, caller: call.caller, region: call.region },
        world,
        call.random,
      );
    case "cloudhsm":
      return answerCloudHsm(call, world);
    case "cloudwatch":
      return answerCloudWatch({ ...call, accountId: call.caller.accountId }, world);
    case "kms":
      return answerKms(call, world);
  }
}
