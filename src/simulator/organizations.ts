import { createHash } from "node:crypto";
import { z } from "zod";
import { partitionOfRegion } from "../aws/partition.js";
import { pickFault } from "./faults.js";
import type { Outcome } from "./outcome.js";
import { htmlUnavailable, jsonErrorWith, jsonReply, type Reply } from "./replies.js";
import type { AccountSpec, FaultKind } from "./scenario.js";
import type { Identity, World } from "./world.js";

/** Organizations over awsJson1_1: `X-Amz-Target: AWSOrganizationsV20161128.<Op>`. */
export const ORGANIZATIONS_TARGET_PREFIX = "AWSOrganizationsV20161128.";

/** AWS caps ListAccounts pages at 20 whatever MaxResults says. */
const MAX_RESULTS = 20;
const DEFAULT_JOINED = Date.parse("2021-06-01T00:00:00Z") / 1000;

export interface OrganizationsCall {
  operation: string;
  body: string;
  caller: Identity;
  /** The region the call was signed for: its partition is the organisation's. */
  region: string;
}

interface WireAccount {
  Id: string;
  Arn: string;
  Email: string;
  Name: string;
  Status: string;
  State: string;
  JoinedMethod: string;
  /** Epoch seconds as a JSON number, like every awsJson timestamp. */
  JoinedTimestamp: number;
}

const requestSchema = z.object({
  NextToken: z.string().min(1).optional(),
  MaxResults: z.number().int().min(1).max(MAX_RESULTS).optional(),
});

function error(status: number, name: string, message: string, reason?: string): Reply {
  const fields: Record<string, string> = { Message: message };
  if (reason !== undefined) fields.Reason = reason;
  return jsonErrorWith(status, name, fields);
}

const accessDenied = () =>
  error(400, "AccessDeniedException", "You don't have permissions to access this resource.");

const invalidToken = () =>
  error(
    400,
    "InvalidInputException",
    "You provided an invalid value for NextToken.",
    "INVALID_NEXT_TOKEN",
  );

const CANNED_FAULTS: Partial<Record<FaultKind, () => Reply>> = {
  "internal-error": () =>
    error(
      500,
      "ServiceException",
      "AWS Organizations can't complete your request because of an internal service error. Try again later.",
    ),
  throttling: () =>
    jsonErrorWith(400, "TooManyRequestsException", {
      Type: "TooManyRequests",
      Message: "You have sent too many requests in too short a period of time. Try again later.",
    }),
  "access-denied": accessDenied,
  "html-5xx": () => htmlUnavailable(),
  "invalid-marker": invalidToken,
};

/** `o-` and ten base-36 characters, fixed per management account. */
function organizationId(managementAccountId: string): string {
  const digest = createHash("sha256").update(`org/${managementAccountId}`).digest();
  return `o-${Array.from(digest.subarray(0, 10), (byte) => (byte % 36).toString(36)).join("")}`;
}

function toWireAccount(
  account: AccountSpec,
  managementAccountId: string,
  orgId: string,
  partition: string,
) {
  const status = account.status ?? "ACTIVE";
  const wire: WireAccount = {
    Id: account.id,
    Arn: `arn:${partition}:organizations::${managementAccountId}:account/${orgId}/${account.id}`,
    Email: account.email ?? `aws+${account.id}@example.com`,
    Name: account.name ?? `account-${account.id}`,
    Status: status,
    // AWS now sends State next to Status (Status retires in September 2026); same values here.
    State: status,
    JoinedMethod: account.id === managementAccountId ? "INVITED" : "CREATED",
    JoinedTimestamp: DEFAULT_JOINED,
  };
  return wire;
}

function listAccountsReply(
  body: string,
  world: World,
  managementAccountId: string,
  repeatToken: boolean,
  partition: string,
): Reply {
  let request: unknown;
  try {
    request = body === "" ? {} : JSON.parse(body);
  } catch {
    return error(400, "SerializationException", "Request body is not valid JSON");
  }
  const parsed = requestSchema.safeParse(request);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return error(
      400,
      "InvalidInputException",
      `1 validation error detected: '${issue?.path.join(".") || "request"}' ${issue?.message}`,
      issue?.path[0] === "MaxResults" ? "INVALID_INPUT" : undefined,
    );
  }
  const { NextToken: token, MaxResults: maxResults } = parsed.data;
  let offset = 0;
  if (token !== undefined) {
    const decoded = world.organizationMarkers.decode(token);
    if (decoded === undefined) return invalidToken();
    offset = decoded;
  }
  const organizations = world.organizations;
  const size = Math.min(maxResults ?? MAX_RESULTS, organizations?.pageSize ?? MAX_RESULTS);
  const members = world.accounts;
  const orgId = organizationId(managementAccountId);
  const Accounts = members
    .slice(offset, offset + size)
    .map((account) => toWireAccount(account, managementAccountId, orgId, partition));
  const next = offset + size;
  if (repeatToken) {
    return jsonReply({ Accounts, NextToken: world.organizationMarkers.encode(offset) });
  }
  // Like KMS's NextMarker, the JS paginator stops only when NextToken is absent.
  return next < members.length
    ? jsonReply({ Accounts, NextToken: world.organizationMarkers.encode(next) })
    : jsonReply({ Accounts });
}

/** Half of the body, so that a client sees a 200 whose JSON ends mid-document. */
function truncated(reply: Reply): Reply {
  return { ...reply, status: 200, body: reply.body.slice(0, Math.floor(reply.body.length / 2)) };
}

export function answerOrganizations(
  call: OrganizationsCall,
  world: World,
  random: () => number,
): Outcome {
  if (call.operation !== "ListAccounts") {
    return {
      reply: error(
        400,
        "UnknownOperationException",
        `The simulator does not implement ${call.operation}`,
      ),
    };
  }
  world.listAccountsCalls += 1;
  const organizations = world.organizations;
  if (organizations === undefined) {
    return {
      reply: error(
        400,
        "AWSOrganizationsNotInUseException",
        "Your account is not a member of an organization.",
      ),
    };
  }
  const { managementAccountId } = organizations;
  const fault = pickFault(organizations.faults, world.listAccountsCalls, random);
  if (fault !== undefined) {
    const { kind } = fault;
    if (kind === "hang" || kind === "reset") return { drop: kind, fault: kind };
    const canned = CANNED_FAULTS[kind];
    if (canned) return { reply: canned(), fault: kind };
  }
  if (call.caller.accountId !== managementAccountId) return { reply: accessDenied() };
  const reply = listAccountsReply(
    call.body,
    world,
    managementAccountId,
    fault?.kind === "repeat-marker",
    partitionOfRegion(call.region),
  );
  if (fault === undefined) return { reply };
  if (fault.kind === "truncated-json") return { reply: truncated(reply), fault: fault.kind };
  return { reply, fault: fault.kind, delayMs: fault.delay };
}
