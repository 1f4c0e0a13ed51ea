import { readdirSync } from "node:fs";
import { join } from "node:path";
import { parse as parseHcl } from "@cdktf/hcl2json";
import { readText } from "./files.js";

/** One IAM policy statement, from any of the formats in deploy/iam/. */
export interface Statement {
  where: string;
  sid: string | undefined;
  effect: string;
  actions: string[];
  /** NotAction / NotResource: an Allow with either grants nearly everything. */
  negated: boolean;
  /** Trust policy statements name a principal; permission statements do not. */
  trust: boolean;
  /** Only under a condition (CloudFormation Fn::If, a Terraform dynamic block). */
  optional: boolean;
}

/** Everything a permission policy here may allow: the exporter only reads. */
export const PERMISSION_ACTIONS = new Set([
  "cloudhsm:DescribeClusters",
  "cloudwatch:GetMetricData",
  "cloudwatch:ListMetrics",
  "kms:DescribeCustomKeyStores",
  "kms:DescribeKey",
  "kms:ListKeys",
  "organizations:ListAccounts",
  "organizations:ListAccountsForParent",
  "organizations:ListChildren",
  "sts:AssumeRole",
]);
/** Everything a trust policy here may allow. */
export const TRUST_ACTIONS = new Set([
  "sts:AssumeRole",
  "sts:AssumeRoleWithWebIdentity",
  "sts:TagSession",
]);

/** Why a statement grants too much, one line per problem; [] when it is read-only. */
export function guard(statement: Statement): string[] {
  if (statement.effect !== "Allow") return [];
  const problems: string[] = [];
  const at = `${statement.where} ${statement.sid ?? "(no Sid)"}`;
  if (statement.negated) problems.push(`${at}: NotAction/NotResource in an Allow`);
  const allowed = statement.trust ? TRUST_ACTIONS : PERMISSION_ACTIONS;
  for (const action of statement.actions) {
    if (action.includes("*")) problems.push(`${at}: wildcard action ${action}`);
    else if (!allowed.has(action)) problems.push(`${at}: ${action} is not a read-only action`);
  }
  if (statement.actions.length === 0) problems.push(`${at}: no action`);
  return problems;
}

function list(value: unknown): string[] {
  if (value === undefined) return [];
  return (Array.isArray(value) ? value : [value]).map(String);
}

type Json = Record<string, unknown>;

/** A statement in AWS's JSON shape (policy files and CloudFormation). */
export function fromJson(where: string, raw: Json, optional = false): Statement {
  return {
    where,
    sid: raw.Sid as string | undefined,
    effect: String(raw.Effect),
    actions: list(raw.Action),
    negated: raw.NotAction !== undefined || raw.NotResource !== undefined,
    trust: raw.Principal !== undefined || raw.NotPrincipal !== undefined,
    optional,
  };
}

export function policyFileStatements(path: string): Statement[] {
  const document = JSON.parse(readText(path)) as { Statement: Json | Json[] };
  const statements = Array.isArray(document.Statement) ? document.Statement : [document.Statement];
  return statements.map((raw) => fromJson(path, raw));
}

/** Statements of every policy document in a CloudFormation template, Fn::If branches included. */
export function cloudFormationStatements(where: string, template: unknown): Statement[] {
  const found: Statement[] = [];
  const visitStatement = (raw: unknown, optional: boolean): void => {
    if (raw === null || typeof raw !== "object") return;
    const branches = (raw as Json)["Fn::If"];
    if (Array.isArray(branches)) {
      for (const branch of branches.slice(1)) visitStatement(branch, true);
    } else if ("Effect" in raw) {
      found.push(fromJson(where, raw as Json, optional));
    }
  };
  const walk = (node: unknown): void => {
    if (node === null || typeof node !== "object") return;
    for (const [key, value] of Object.entries(node)) {
      if (key === "PolicyDocument" || key === "AssumeRolePolicyDocument") {
        const statements = (value as Json).Statement;
        for (const statement of Array.isArray(statements) ? statements : [statements]) {
          visitStatement(statement, false);
        }
      } else {
        walk(value);
      }
    }
  };
  walk(template);
  return found;
}

interface HclStatement {
  sid?: string;
  effect?: string;
  actions?: string[];
  not_actions?: string[];
  not_resources?: string[];
  principals?: unknown[];
  not_principals?: unknown[];
}

function fromHcl(where: string, raw: HclStatement, optional: boolean): Statement {
  return {
    where,
    sid: raw.sid,
    // aws_iam_policy_document statements allow unless told otherwise.
    effect: raw.effect ?? "Allow",
    actions: raw.actions ?? [],
    negated: raw.not_actions !== undefined || raw.not_resources !== undefined,
    trust: raw.principals !== undefined || raw.not_principals !== undefined,
    optional,
  };
}

export interface TerraformModule {
  /** hcl2json's rendering of each .tf file, by file name. */
  files: Record<string, Json>;
  statements: Statement[];
}

/** Parses every .tf file of a module; statements of its aws_iam_policy_document blocks. */
export async function readTerraform(dir: string): Promise<TerraformModule> {
  const files: Record<string, Json> = {};
  const statements: Statement[] = [];
  for (const name of readdirSync(dir).filter((file) => file.endsWith(".tf"))) {
    const parsed = (await parseHcl(name, readText(join(dir, name)))) as Json;
    files[name] = parsed;
    const documents = ((parsed.data as Json | undefined)?.aws_iam_policy_document ?? {}) as Record<
      string,
      { statement?: HclStatement[]; dynamic?: { statement?: { content: HclStatement[] }[] } }[]
    >;
    for (const [documentName, blocks] of Object.entries(documents)) {
      const where = `${name} ${documentName}`;
      for (const block of blocks) {
        for (const raw of block.statement ?? []) statements.push(fromHcl(where, raw, false));
        for (const dynamic of block.dynamic?.statement ?? []) {
          for (const raw of dynamic.content) statements.push(fromHcl(where, raw, true));
        }
      }
    }
  }
  return { files, statements };
}
