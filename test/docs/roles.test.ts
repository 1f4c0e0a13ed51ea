import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parse as parseYaml } from "yaml";
import { PACKAGE_ROOT } from "../../src/package/version.js";
import { MANUAL_PAGES, readPage } from "./manual.js";

/**
 * A user copies role ARNs and names from the manual into their config, and the exporter's
 * policy from deploy/iam/. Every role the manual tells the exporter to assume must be one
 * that policy lets it assume, or the copy ends in AccessDenied.
 */

interface PolicyStatement {
  Effect: string;
  Action: string | string[];
  Resource: string | string[];
}

const policy = JSON.parse(
  readFileSync(join(PACKAGE_ROOT, "deploy/iam/exporter-policy.json"), "utf8"),
) as { Statement: PolicyStatement[] };

/** IAM's wildcards: * any run of characters, ? one character; matching ignores nothing else. */
function iamMatch(pattern: string, value: string): boolean {
  const source = pattern
    .replace(/[.+^${}()|[\]\\]/g, "\\$&")
    .replace(/\*/g, ".*")
    .replace(/\?/g, ".");
  return new RegExp(`^${source}$`).test(value);
}

const asList = (value: string | string[]) => (Array.isArray(value) ? value : [value]);

function policyAllowsAssuming(statements: PolicyStatement[], roleArn: string): boolean {
  return statements.some(
    (statement) =>
      statement.Effect === "Allow" &&
      asList(statement.Action).some((action) => iamMatch(action, "sts:AssumeRole")) &&
      asList(statement.Resource).some((resource) => iamMatch(resource, roleArn)),
  );
}

/** The exporter's own role: what the shipped ServiceAccount runs as (IRSA). Never assumed. */
const EXPORTER_ROLE_ARN = (
  parseYaml(readFileSync(join(PACKAGE_ROOT, "deploy/kubernetes/serviceaccount.yaml"), "utf8")) as {
    metadata: { annotations: Record<string, string> };
  }
).metadata.annotations["eks.amazonaws.com/role-arn"] as string;
const EXPORTER_ROLE_NAME = EXPORTER_ROLE_ARN.replace(/^.*:role\//, "");

interface RoleReference {
  where: string;
  line: string;
  roleArn: string;
  /** Written where the exporter takes a role to assume (config keys, assume-role commands). */
  assumed: boolean;
}

const ROLE_ARN_TEXT = /arn:[\w-]+:iam::(?:\d{12}|\*|[A-Z_]+):role\/[\w+=,.@/-]*[\w+=,.@-]/g;
const MEMBER_ROLE_NAME = /memberRoleName: *["']?([\w+=,.@/-]+)/g;
const ASSUMED_CONTEXT = /roleArn|memberRoleName|--role-arn|RoleArn:/;

function roleReferences(where: string, text: string): RoleReference[] {
  return text.split("\n").flatMap((line, index) => {
    const at = `${where}:${index + 1}`;
    const arns = [...line.matchAll(ROLE_ARN_TEXT)].map((match) => match[0]);
    const names = [...line.matchAll(MEMBER_ROLE_NAME)].map(
      (match) => `arn:aws:iam::123456789012:role/${match[1]}`,
    );
    return [...arns, ...names].map((roleArn) => ({
      where: at,
      line: line.trim(),
      // Account placeholders (ACCOUNT_ID) stand for any account.
      roleArn: roleArn.replace(/::[A-Z_]+:/, "::123456789012:"),
      assumed: ASSUMED_CONTEXT.test(line),
    }));
  });
}

/** The problem of one reference; undefined when a user who copies it gets no AccessDenied. */
function roleProblem(reference: RoleReference): string | undefined {
  const name = reference.roleArn.replace(/^.*:role\//, "");
  if (name === EXPORTER_ROLE_NAME && !reference.assumed) return undefined;
  if (policyAllowsAssuming(policy.Statement, reference.roleArn)) return undefined;
  return `${reference.where}: ${reference.roleArn} is not assumable under deploy/iam/exporter-policy.json (${reference.line})`;
}

const PAGES = [...MANUAL_PAGES, "deploy/iam/README.md", "deploy/kubernetes/config.yml"];
const references = PAGES.flatMap((page) => roleReferences(page, readPage(page)));

describe("roles in the manual and the shipped IAM policy", () => {
  it("finds the role ARNs and names of the manual", () => {
    expect(references.filter((r) => r.assumed).length).toBeGreaterThanOrEqual(6);
    expect(references.some((r) => r.where.startsWith("README.md"))).toBe(true);
  });

  it("every role the manual has the exporter assume is allowed by the shipped policy", () => {
    expect(references.map(roleProblem).filter(Boolean)).toEqual([]);
  });

  it("would catch a role the policy does not allow, and the exporter's own role as a target", () => {
    const bad = roleReferences(
      "fixture",
      [
        "    roleArn: arn:aws:iam::999999999999:role/org-reader",
        `  - roleArn: arn:aws:iam::111111111111:role/${EXPORTER_ROLE_NAME}`,
        "    memberRoleName: kms-keystore-exporter",
        "aws sts assume-role --role-arn arn:aws:iam::ACCOUNT_ID:role/other \\",
      ].join("\n"),
    );
    expect(bad.map(roleProblem).filter(Boolean)).toHaveLength(4);
    const good = roleReferences(
      "fixture",
      `eks.amazonaws.com/role-arn: ${EXPORTER_ROLE_ARN}\nroleArn: arn:aws:iam::111111111111:role/kms-keystore-exporter-reader`,
    );
    expect(good.map(roleProblem).filter(Boolean)).toEqual([]);
  });

  it("matches IAM wildcards as IAM does", () => {
    const statements = [
      { Effect: "Allow", Action: "sts:Assume*", Resource: "arn:*:iam::*:role/r?" },
    ];
    expect(policyAllowsAssuming(statements, "arn:aws:iam::111111111111:role/r1")).toBe(true);
    expect(policyAllowsAssuming(statements, "arn:aws-cn:iam::111111111111:role/r2")).toBe(true);
    expect(policyAllowsAssuming(statements, "arn:aws:iam::111111111111:role/r12")).toBe(false);
    expect(
      policyAllowsAssuming(
        [{ Effect: "Deny", Action: "*", Resource: "*" }],
        "arn:aws:iam::111111111111:role/r1",
      ),
    ).toBe(false);
  });
});
