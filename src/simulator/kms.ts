import { describeCustomKeyStores, MARKER_FAULTS, type MarkerFault } from "./describe.js";
import type { WirePage } from "./faults.js";
import {
  faultsFor,
  isMalformedPage,
  MALFORMED_PAGES,
  pickFault,
  strangeErrorName,
} from "./faults.js";
import { describeKey, type KeysOutcome, type KeysView, listKeys } from "./keys.js";
import type { Outcome } from "./outcome.js";
import { htmlUnavailable, jsonError, jsonReply, type Reply } from "./replies.js";
import type { FaultKind } from "./scenario.js";
import type { Identity, Target, World } from "./world.js";

/** KMS over awsJson1_1: the operation comes from `X-Amz-Target: TrentService.<Op>`. */
export const KMS_TARGET_PREFIX = "TrentService.";

export interface KmsCall {
  operation: string;
  body: string;
  caller: Identity;
  region: string;
  elapsedMs: number;
  random: () => number;
}

const CANNED_FAULTS: Partial<Record<FaultKind, (caller: Identity) => Reply>> = {
  "internal-error": () =>
    jsonError(
      500,
      "KMSInternalException",
      "The request was rejected because an internal exception occurred",
    ),
  throttling: () => jsonError(400, "ThrottlingException", "Rate exceeded"),
  "access-denied": (caller) =>
    jsonError(
      400,
      "AccessDeniedException",
      `User: ${caller.arn} is not authorized to perform: kms:DescribeCustomKeyStores because no identity-based policy allows the kms:DescribeCustomKeyStores action`,
    ),
  "html-5xx": () => htmlUnavailable(),
  "invalid-marker": () => jsonError(400, "InvalidMarkerException", "Invalid marker"),
};

function describeReply(
  call: KmsCall,
  target: Target,
  markerFault?: MarkerFault,
  bend?: (page: WirePage, limit: number) => string,
): Reply {
  let request: unknown;
  try {
    request = call.body === "" ? {} : JSON.parse(call.body);
  } catch {
    return jsonError(400, "SerializationException", "Request body is not valid JSON");
  }
  const outcome = describeCustomKeyStores(request, {
    stores: target.stores,
    elapsedMs: call.elapsedMs,
    pageSize: target.pageSize,
    markers: target.markers,
    ...(markerFault ? { markerFault } : {}),
  });
  if (!outcome.ok) return jsonError(400, outcome.error, outcome.message);
  const reply = jsonReply(outcome.page);
  if (bend === undefined) return reply;
  const limit = (request as { Limit?: number }).Limit ?? outcome.page.CustomKeyStores.length;
  return { ...reply, body: bend(outcome.page as unknown as WirePage, limit) };
}

/** Half of the body, so that a client sees a 200 whose JSON ends mid-document. */
function truncated(reply: Reply): Reply {
  return { ...reply, status: 200, body: reply.body.slice(0, Math.floor(reply.body.length / 2)) };
}

/** Faults ListKeys and DescribeKey can meet: the canned answers, hangs and resets. */
function keyFault(call: KmsCall, target: Target, callNumber: number): Outcome | undefined {
  const fault = pickFault(faultsFor(target.faults, call.operation), callNumber, call.random);
  if (fault === undefined) return undefined;
  if (fault.kind === "hang" || fault.kind === "reset")
    return { drop: fault.kind, fault: fault.kind };
  const canned = CANNED_FAULTS[fault.kind];
  return canned ? { reply: canned(call.caller), fault: fault.kind } : undefined;
}

function answerKeys(call: KmsCall, world: World): Outcome {
  const target = world.target(call.caller.accountId, call.region);
  const calls = call.operation === "ListKeys" ? ++target.listKeysCalls : ++target.describeKeyCalls;
  const faulted = keyFault(call, target, calls);
  if (faulted) return faulted;
  let request: unknown;
  try {
    request = call.body === "" ? {} : JSON.parse(call.body);
  } catch {
    return { reply: jsonError(400, "SerializationException", "Request body is not valid JSON") };
  }
  const view: KeysView = {
    accountId: target.accountId,
    region: target.region,
    keys: target.keys,
    stores: target.stores,
    elapsedMs: call.elapsedMs,
    markers: target.keyMarkers,
    callerArn: call.caller.arn,
  };
  const outcome: KeysOutcome =
    call.operation === "ListKeys" ? listKeys(request, view) : describeKey(request, view);
  return {
    reply: outcome.ok ? jsonReply(outcome.body) : jsonError(400, outcome.error, outcome.message),
  };
}

export function answerKms(call: KmsCall, world: World): Outcome {
  if (call.operation === "ListKeys" || call.operation === "DescribeKey") {
    return answerKeys(call, world);
  }
  if (call.operation !== "DescribeCustomKeyStores") {
    return {
      reply: jsonError(
        400,
        "UnknownOperationException",
        `The simulator does not implement ${call.operation}`,
      ),
    };
  }
  const target = world.target(call.caller.accountId, call.region);
  target.describeCalls += 1;
  // The quota is enforced at the front door: a refused call takes no token and meets no fault.
  if (target.rateLimit !== undefined && !target.rateLimit.take(call.elapsedMs)) {
    return { reply: jsonError(400, "ThrottlingException", "Rate exceeded"), fault: "rate-limit" };
  }
  const fault = pickFault(
    faultsFor(target.faults, "DescribeCustomKeyStores"),
    target.describeCalls,
    call.random,
  );
  if (fault === undefined) return { reply: describeReply(call, target) };
  const { kind } = fault;
  if (kind === "hang" || kind === "reset") return { drop: kind, fault: kind };
  const canned = CANNED_FAULTS[kind];
  if (canned) return { reply: canned(call.caller), fault: kind };
  if (kind === "distinct-error-names" || kind === "huge-error-name") {
    const name = strangeErrorName(kind, target.describeCalls);
    const message =
      kind === "huge-error-name" ? "m".repeat(1024 * 1024) : "The simulator made this name up";
    const reply = jsonError(400, name, message);
    // In the body only: a 64 KiB header would overflow the client's header limit first.
    delete reply.headers["x-amzn-ErrorType"];
    return { reply, fault: kind };
  }
  if (isMalformedPage(kind)) {
    return { reply: describeReply(call, target, undefined, MALFORMED_PAGES[kind]), fault: kind };
  }
  const markerFault = MARKER_FAULTS.find((name) => name === kind);
  const reply = describeReply(call, target, markerFault);
  if (kind === "truncated-json") return { reply: truncated(reply), fault: kind };
  return { reply, fault: kind, delayMs: fault.delay };
}
