import { createHash } from "node:crypto";
import { z } from "zod";
import { partitionOfRegion } from "../aws/partition.js";
import { pickFault } from "./faults.js";
import { accountsUnder, childrenOf, isParent } from "./organization-tree.js";
import type { Outcome } from "./outcome.js";
import { htmlUnavailable, jsonErrorWith, jsonReply, type Reply } from "./replies.js";
import type { AccountSpec, FaultKind, OrganizationsSpec } from "./scenario.js";
import type { Identity, World } from "./world.js";

/**
 * Organizations over awsJson1_1: `X-Amz-Target: AWSOrganizationsV20161128.<Op>`. ListAccounts,
 * and the tree: ListChildren and ListAccountsForParent.
 */
export const ORGANIZATIONS_TARGET_PREFIX = "AWSOrganizationsV20161128.";

/** The operations the simulator answers. */
const OPERATIONS = new Set(["ListAccounts", "ListChildren", "ListAccountsForParent"]);

/** AWS caps these pages at 20 whatever MaxResults says. */
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

const pageRequest = {
  NextToken: z.string().min(1).optional(),
  MaxResults: z.number().int().min(1).max(MAX_RESULTS).optional(),
};
const listAccountsRequest = z.object(pageRequest);
const listChildrenRequest = z.object({
  ...pageRequest,
  ParentId: z.string().min(1),
  ChildType: z.enum(["ACCOUNT", "ORGANIZATIONAL_UNIT"]),
});
const listAccountsForParentRequest = z.object({ ...pageRequest, ParentId: z.string().min(1) });

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

type Request = z.infer<typeof listAccountsRequest>;

/** The request body checked against its schema, or the error AWS would answer. */
function parseRequest<S extends z.ZodType<Request>>(
  body: string,
  schema: S,
): { request: z.infer<S> } | { reply: Reply } {
  let raw: unknown;
  try {
    raw = body === "" ? {} : JSON.parse(body);
  } catch {
    return { reply: error(400, "SerializationException", "Request body is not valid JSON") };
  }
  const parsed = schema.safeParse(raw);
  if (parsed.success) return { request: parsed.data };
  const issue = parsed.error.issues[0];
  return {
    reply: error(
      400,
      "InvalidInputException",
      `1 validation error detected: '${issue?.path.join(".") || "request"}' ${issue?.message}`,
      issue?.path[0] === "MaxResults" ? "INVALID_INPUT" : undefined,
    ),
  };
}

/** One page of a list: `field` holds the items; NextToken while more remain. */
function page(
  field: string,
  items: readonly unknown[],
  request: Request,
  world: World,
  repeatToken: boolean,
): Reply {
  let offset = 0;
  if (request.NextToken !== undefined) {
    const decoded = world.organizationMarkers.decode(request.NextToken);
    if (decoded === undefined) return invalidToken();
    offset = decoded;
  }
  const size = Math.min(
    request.MaxResults ?? MAX_RESULTS,
    world.organizations?.pageSize ?? MAX_RESULTS,
  );
  const slice = items.slice(offset, offset + size);
  if (repeatToken) {
    return jsonReply({ [field]: slice, NextToken: world.organizationMarkers.encode(offset) });
  }
  // Like KMS's NextMarker, the JS paginator stops only when NextToken is absent.
  const next = offset + size;
  return next < items.length
    ? jsonReply({ [field]: slice, NextToken: world.organizationMarkers.encode(next) })
    : jsonReply({ [field]: slice });
}

const parentNotFound = () =>
  error(
    400,
    "ParentNotFoundException",
    "We can't find a root or OU with the ParentId that you specified.",
  );

/** ListAccounts, ListChildren and ListAccountsForParent, for the management account. */
function listReply(
  call: OrganizationsCall,
  world: World,
  organizations: OrganizationsSpec,
  repeatToken: boolean,
): Reply {
  const { managementAccountId } = organizations;
  const orgId = organizationId(managementAccountId);
  const partition = partitionOfRegion(call.region);
  const wire = (accounts: readonly AccountSpec[]) =>
    accounts.map((account) => toWireAccount(account, managementAccountId, orgId, partition));
  if (call.operation === "ListAccounts") {
    const parsed = parseRequest(call.body, listAccountsRequest);
    if ("reply" in parsed) return parsed.reply;
    return page("Accounts", wire(world.accounts), parsed.request, world, repeatToken);
  }
  if (call.operation === "ListChildren") {
    const parsed = parseRequest(call.body, listChildrenRequest);
    if ("reply" in parsed) return parsed.reply;
    const { ParentId, ChildType } = parsed.request;
    if (!isParent(organizations, ParentId)) return parentNotFound();
    const children = childrenOf(organizations, world.accounts, ParentId, ChildType);
    return page("Children", children, parsed.request, world, repeatToken);
  }
  const parsed = parseRequest(call.body, listAccountsForParentRequest);
  if ("reply" in parsed) return parsed.reply;
  if (!isParent(organizations, parsed.request.ParentId)) return parentNotFound();
  const accounts = accountsUnder(organizations, world.accounts, parsed.request.ParentId);
  return page("Accounts", wire(accounts), parsed.request, world, repeatToken);
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
  if (!OPERATIONS.has(call.operation)) {
    return {
      reply: error(
        400,
        "UnknownOperationException",
        `The simulator does not implement ${call.operation}`,
      ),
    };
  }
  world.organizationsCalls += 1;
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
  const fault = pickFault(organizations.faults, world.organizationsCalls, random);
  if (fault !== undefined) {
    const { kind } = fault;
    if (kind === "hang" || kind === "reset") return { drop: kind, fault: kind };
    const canned = CANNED_FAULTS[kind];
    if (canned) return { reply: canned(), fault: kind };
  }
  if (call.caller.accountId !== managementAccountId) return { reply: accessDenied() };
  const reply = listReply(call, world, organizations, fault?.kind === "repeat-marker");
  if (fault === undefined) return { reply };
  if (fault.kind === "truncated-json") return { reply: truncated(reply), fault: fault.kind };
  return { reply, fault: fault.kind, delayMs: fault.delay };
}
