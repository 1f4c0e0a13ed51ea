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
import { parseAuthorization, type ReceivedRequest, signatureProblem } from "./sigv4.js";
import { answerSts } from "./sts.js";
import type { Credential, Identity, World } from "./world.js";

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

/** The SigV4 signing name each service insists on in the credential scope. */
const SIGNING_NAMES: Record<JsonService | "sts", string> = {
  kms: "kms",
  organizations: "organizations",
  cloudhsm: CLOUDHSM_SIGNING_NAME,
  cloudwatch: CLOUDWATCH_SIGNING_NAME,
  sts: "sts",
};

function headerOf(call: ReceivedRequest, name: string): string | undefined {
  const value = call.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/** One port serves every service, told apart the way the SDK's protocols mark their requests. */
function route(call: ReceivedRequest): Route {
  const amzTarget = headerOf(call, "x-amz-target");
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

/**
 * AWS's refusals of a request whose credentials it does not know or whose signature is not
 * the one it computes: JSON services answer `UnrecognizedClientException` and
 * `InvalidSignatureException` (HTTP 400), STS's query protocol `InvalidClientTokenId` and
 * `SignatureDoesNotMatch` (HTTP 403). See
 * https://docs.aws.amazon.com/STS/latest/APIReference/CommonErrors.html and
 * https://docs.aws.amazon.com/kms/latest/APIReference/CommonErrors.html
 */
function refusal(protocol: "json" | "query", kind: "token" | "signature", message: string) {
  if (protocol === "json") {
    return kind === "token"
      ? jsonError(400, "UnrecognizedClientException", message)
      : jsonError(400, "InvalidSignatureException", message);
  }
  return kind === "token"
    ? queryError(403, "InvalidClientTokenId", message)
    : queryError(403, "SignatureDoesNotMatch", message);
}

const INVALID_TOKEN = "The security token included in the request is invalid.";

/** The credential that signed the call, or AWS's refusal of it. */
async function authenticate(
  call: ReceivedRequest,
  scope: NonNullable<ReturnType<typeof parseAuthorization>>,
  protocol: "json" | "query",
  signingName: string,
  world: World,
): Promise<Credential | Outcome> {
  const credential = world.credential(scope.accessKeyId);
  if (credential === undefined) return { reply: refusal(protocol, "token", INVALID_TOKEN) };
  if (headerOf(call, "x-amz-security-token") !== credential.secret.sessionToken) {
    return { reply: refusal(protocol, "token", INVALID_TOKEN) };
  }
  if (scope.service !== signingName) {
    const message = `Credential should be scoped to correct service: '${signingName}'.`;
    return { reply: refusal(protocol, "signature", message) };
  }
  const problem = await signatureProblem(call, scope, credential.secret);
  return problem === undefined ? credential : { reply: refusal(protocol, "signature", problem) };
}

export async function dispatch(
  call: ReceivedRequest,
  world: World,
  clock: DispatchClock,
): Promise<{ outcome: Outcome; facts: CallFacts }> {
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
  const scope = parseAuthorization(headerOf(call, "authorization"));
  if (scope === undefined) {
    const message = "Request is missing a SigV4 Authorization header";
    const reply =
      where.protocol === "json"
        ? jsonError(400, "MissingAuthenticationTokenException", message)
        : queryError(400, "MissingAuthenticationToken", message);
    return { outcome: { reply }, facts: { operation: where.operation, accountId: "", region: "" } };
  }
  const base = { operation: where.operation, region: scope.region };
  const signingName = SIGNING_NAMES[where.protocol === "json" ? where.service : "sts"];
  const signer = await authenticate(call, scope, where.protocol, signingName, world);
  if (!("identity" in signer)) return { outcome: signer, facts: { ...base, accountId: "" } };
  const caller = signer.identity;
  if (where.protocol === "json") {
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
    caller: Identity;
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
