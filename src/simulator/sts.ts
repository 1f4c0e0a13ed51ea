import { createHash, randomBytes, randomUUID } from "node:crypto";
import type { Outcome } from "./outcome.js";
import { queryError, xmlEscape, xmlReply } from "./replies.js";
import type { Identity, World } from "./world.js";

/** STS over awsQuery: form-encoded `Action=...` requests, XML answers. */
const NAMESPACE = "https://sts.amazonaws.com/doc/2011-06-15/";
const ROLE_ARN = /^arn:aws[a-z-]*:iam::(\d{12}):role\/((?:[\w+=,.@-]+\/)*([\w+=,.@-]{1,64}))$/;
const SESSION_NAME = /^[\w+=,.@-]{2,64}$/;
const DEFAULT_DURATION_SECONDS = 3600;

export interface StsCall {
  params: URLSearchParams;
  caller: Identity;
  /** Wall-clock ms: credential expiry is compared against the client's real clock. */
  wallClockMs: number;
}

export interface StsAnswer {
  outcome: Outcome;
  /** The role's account for AssumeRole (so tests can count AssumeRoles into an account), else the caller's. */
  accountId: string;
  roleArn?: string;
  externalId?: string;
}

const KEY_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

function keyId(prefix: string, bytes: Buffer): string {
  return prefix + Array.from(bytes.subarray(0, 16), (byte) => KEY_ALPHABET[byte % 32]).join("");
}

function isoSeconds(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, "Z");
}

function document(action: string, result: string, requestId: string): string {
  return (
    `<${action}Response xmlns="${NAMESPACE}"><${action}Result>${result}</${action}Result>` +
    `<ResponseMetadata><RequestId>${requestId}</RequestId></ResponseMetadata></${action}Response>`
  );
}

function validationError(message: string): Outcome {
  return { reply: queryError(400, "ValidationError", message) };
}

function parseDurationSeconds(text: string | null): number | undefined {
  if (text === null) return DEFAULT_DURATION_SECONDS;
  const seconds = Number(text);
  return Number.isInteger(seconds) && seconds >= 900 && seconds <= 43_200 ? seconds : undefined;
}

function assumeRole(call: StsCall, world: World): StsAnswer {
  const roleArn = call.params.get("RoleArn") ?? "";
  const externalId = call.params.get("ExternalId") ?? undefined;
  const sessionName = call.params.get("RoleSessionName") ?? "";
  const recorded = { roleArn, externalId };
  const arn = ROLE_ARN.exec(roleArn);
  if (!arn) {
    return {
      ...recorded,
      accountId: call.caller.accountId,
      outcome: validationError(`${roleArn} is invalid`),
    };
  }
  const [, accountId = "", rolePath = "", roleName = ""] = arn;
  const answer = (outcome: Outcome): StsAnswer => ({ ...recorded, accountId, outcome });
  if (!SESSION_NAME.test(sessionName)) {
    return answer(
      validationError(`Value '${sessionName}' at 'roleSessionName' failed to satisfy constraint`),
    );
  }
  const durationSeconds = parseDurationSeconds(call.params.get("DurationSeconds"));
  if (durationSeconds === undefined) {
    return answer(
      validationError("Value at 'durationSeconds' failed to satisfy constraint: 900 to 43200"),
    );
  }
  const account = world.account(accountId);
  if (account === undefined || account.denyAssumeRole === true) {
    return answer({
      reply: queryError(
        403,
        "AccessDenied",
        `User: ${call.caller.arn} is not authorized to perform: sts:AssumeRole on resource: ${roleArn}`,
      ),
    });
  }
  const roleId = keyId("AROA", createHash("sha256").update(`${accountId}/${rolePath}`).digest());
  const identity: Identity = {
    accountId,
    arn: `arn:aws:sts::${accountId}:assumed-role/${roleName}/${sessionName}`,
    userId: `${roleId}:${sessionName}`,
  };
  const fault = account.assumeRoleFault;
  const secret = {
    accessKeyId:
      fault === "huge-access-key-id"
        ? `ASIA${"A".repeat(1024 * 1024)}`
        : keyId("ASIA", randomBytes(16)),
    secretAccessKey: randomBytes(30).toString("base64"),
    sessionToken: randomBytes(96).toString("base64"),
  };
  world.bindCredentials(secret, identity);
  const validForMs =
    fault === "short-lived" ? 120_000 : fault === "expired" ? -60_000 : durationSeconds * 1000;
  const requestId = randomUUID();
  const result =
    `<Credentials><AccessKeyId>${secret.accessKeyId}</AccessKeyId>` +
    `<SecretAccessKey>${secret.secretAccessKey}</SecretAccessKey>` +
    `<SessionToken>${secret.sessionToken}</SessionToken>` +
    `<Expiration>${isoSeconds(call.wallClockMs + validForMs)}</Expiration></Credentials>` +
    `<AssumedRoleUser><AssumedRoleId>${xmlEscape(identity.userId)}</AssumedRoleId>` +
    `<Arn>${xmlEscape(identity.arn)}</Arn></AssumedRoleUser>`;
  return answer({ reply: xmlReply(document("AssumeRole", result, requestId), requestId) });
}

function getCallerIdentity(call: StsCall): StsAnswer {
  const { caller } = call;
  const requestId = randomUUID();
  const result =
    `<Arn>${xmlEscape(caller.arn)}</Arn><UserId>${xmlEscape(caller.userId)}</UserId>` +
    `<Account>${caller.accountId}</Account>`;
  return {
    accountId: caller.accountId,
    outcome: { reply: xmlReply(document("GetCallerIdentity", result, requestId), requestId) },
  };
}

export function answerSts(action: string, call: StsCall, world: World): StsAnswer {
  if (action === "AssumeRole") return assumeRole(call, world);
  if (action === "GetCallerIdentity") return getCallerIdentity(call);
  return {
    accountId: call.caller.accountId,
    outcome: { reply: queryError(400, "InvalidAction", `Could not find operation ${action}`) },
  };
}
