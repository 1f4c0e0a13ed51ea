import { readdirSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { parse as parseYaml } from "yaml";
import { IAM_DIR, KUBERNETES_BASE, readText } from "./files.js";
import {
  cloudFormationStatements,
  fromJson,
  guard,
  policyFileStatements,
  readTerraform,
  type Statement,
  type TerraformModule,
} from "./iam.js";

const POLICY_FILES = readdirSync(IAM_DIR)
  .filter((name) => name.endsWith(".json"))
  .map((name) => join(IAM_DIR, name));
const TEMPLATE_FILE = join(IAM_DIR, "member-role.cfn.yaml");
const TERRAFORM_DIR = join(IAM_DIR, "terraform");

interface Template {
  Parameters: Record<string, { Default?: unknown }>;
  Conditions: Record<string, unknown>;
  Resources: Record<string, { Type: string; Properties: Record<string, unknown> }>;
}
const template = parseYaml(readText(TEMPLATE_FILE)) as Template;
const templateStatements = cloudFormationStatements(TEMPLATE_FILE, template);

/** The member role's name as the exporter's Kubernetes config expects it. */
const configuredMemberRole = (
  parseYaml(readText(join(KUBERNETES_BASE, "config.yml"))) as {
    discovery: { organizations: { memberRoleName: string } };
  }
).discovery.organizations.memberRoleName;

function permissions(statements: Statement[]): { action: string; optional: boolean }[] {
  return statements
    .filter((statement) => !statement.trust)
    .flatMap((statement) =>
      statement.actions.map((action) => ({ action, optional: statement.optional })),
    )
    .sort((a, b) => a.action.localeCompare(b.action));
}

/** The member role grants DescribeCustomKeyStores, and Organizations' lists only when opted in. */
const MEMBER_PERMISSIONS = [
  { action: "cloudhsm:DescribeClusters", optional: true },
  { action: "cloudwatch:GetMetricData", optional: true },
  { action: "cloudwatch:ListMetrics", optional: true },
  { action: "kms:DescribeCustomKeyStores", optional: false },
  { action: "kms:DescribeKey", optional: true },
  { action: "kms:ListKeys", optional: true },
  { action: "organizations:ListAccounts", optional: true },
  { action: "organizations:ListAccountsForParent", optional: true },
  { action: "organizations:ListChildren", optional: true },
];

describe("the IAM guard", () => {
  it.each([
    ["kms:Encrypt"],
    ["kms:Decrypt"],
    ["kms:GenerateDataKey"],
    ["kms:ConnectCustomKeyStore"],
    ["kms:*"],
    ["kms:Describe*"],
    ["*"],
    ["iam:PassRole"],
  ])("rejects an Allow of %s", (action) => {
    const statement = fromJson("test", { Effect: "Allow", Action: action, Resource: "*" });
    expect(guard(statement)).toHaveLength(1);
  });

  it("rejects NotAction in an Allow, and trust actions in a permission policy", () => {
    expect(guard(fromJson("test", { Effect: "Allow", NotAction: "kms:Decrypt" }))).not.toEqual([]);
    expect(guard(fromJson("test", { Effect: "Allow", Action: "sts:TagSession" }))).toHaveLength(1);
  });

  it("accepts the read-only actions", () => {
    const statement = fromJson("test", {
      Effect: "Allow",
      Action: ["kms:DescribeCustomKeyStores", "organizations:ListAccounts"],
    });
    expect(guard(statement)).toEqual([]);
  });
});

describe("deploy/iam", () => {
  let terraform: TerraformModule;
  beforeAll(async () => {
    terraform = await readTerraform(TERRAFORM_DIR);
  });

  it("every policy grants no write or cryptographic action", () => {
    const statements = [
      ...POLICY_FILES.flatMap(policyFileStatements),
      ...templateStatements,
      ...terraform.statements,
    ];
    expect(statements.length).toBeGreaterThanOrEqual(9);
    expect(statements.flatMap(guard)).toEqual([]);
  });

  it("the exporter's policy: one statement per feature, each with its own Sid", () => {
    const statements = policyFileStatements(join(IAM_DIR, "exporter-policy.json"));
    const sids = statements.map((statement) => statement.sid);
    expect(new Set(sids).size).toBe(statements.length);
    expect(statements.map((statement) => statement.actions)).toEqual([
      ["sts:AssumeRole"],
      ["kms:DescribeCustomKeyStores"],
      ["cloudhsm:DescribeClusters"],
      ["cloudwatch:GetMetricData", "cloudwatch:ListMetrics"],
      ["kms:ListKeys", "kms:DescribeKey"],
      [
        "organizations:ListAccounts",
        "organizations:ListAccountsForParent",
        "organizations:ListChildren",
      ],
    ]);
    const assume = JSON.parse(readText(join(IAM_DIR, "exporter-policy.json"))).Statement[0];
    expect(assume.Resource).toBe(`arn:*:iam::*:role/${configuredMemberRole}`);
    // Each Sid is explained in the README beside it.
    const readme = readText(join(IAM_DIR, "README.md"));
    for (const sid of sids) expect(readme).toContain(`\`${sid}\``);
  });

  it("CloudFormation: the member role trusts only the exporter's role, with an external id", () => {
    const role = template.Resources.ReaderRole;
    expect(role?.Type).toBe("AWS::IAM::Role");
    const document = role?.Properties.AssumeRolePolicyDocument as { Statement: unknown[] };
    expect(document.Statement).toEqual([
      expect.objectContaining({
        Effect: "Allow",
        Principal: { AWS: { Ref: "ExporterRoleArn" } },
        Action: "sts:AssumeRole",
        Condition: { StringEquals: { "sts:ExternalId": { Ref: "ExternalId" } } },
      }),
    ]);
    expect(permissions(templateStatements)).toEqual(MEMBER_PERMISSIONS);
    expect(template.Parameters.RoleName?.Default).toBe(configuredMemberRole);
  });

  it("CloudFormation: every Ref and condition is declared", () => {
    const text = readText(TEMPLATE_FILE);
    const refs = [...text.matchAll(/Ref: (\w+(?:::\w+)?)/g)].map((match) => match[1] ?? "");
    for (const ref of refs) {
      const declared =
        ref.startsWith("AWS::") || ref in template.Parameters || ref in template.Resources;
      expect(declared, ref).toBe(true);
    }
    expect(Object.keys(template.Conditions)).toEqual([
      "ListAccounts",
      "DescribeClusters",
      "GetMetricData",
      "KeyInventory",
    ]);
    for (const condition of Object.keys(template.Conditions)) {
      expect(text).toContain(`- ${condition}`);
    }
  });

  it("Terraform: the same role as the CloudFormation template", () => {
    const trust = terraform.statements.filter((statement) => statement.trust);
    expect(trust.map((statement) => statement.actions)).toEqual([["sts:AssumeRole"]]);
    expect(permissions(terraform.statements)).toEqual(MEMBER_PERMISSIONS);
    const main = readText(join(TERRAFORM_DIR, "main.tf"));
    expect(main).toMatch(/variable\s*=\s*"sts:ExternalId"/);
    expect(main).toMatch(/identifiers\s*=\s*\[var\.exporter_role_arn\]/);
    const variables = terraform.files["variables.tf"]?.variable as Record<
      string,
      { default?: unknown }[]
    >;
    expect(variables.role_name?.[0]?.default).toBe(configuredMemberRole);
    // Every var.X the module reads is declared.
    const used = new Set(
      Object.keys(terraform.files)
        .map((name) => readText(join(TERRAFORM_DIR, name)))
        .flatMap((text) => [...text.matchAll(/\bvar\.(\w+)/g)].map((match) => match[1])),
    );
    expect([...used].sort()).toEqual(Object.keys(variables).sort());
  });
});

describe("the IAM documentation", () => {
  it("names every action the policies, the StackSet and the Terraform module grant", async () => {
    const terraform = await readTerraform(TERRAFORM_DIR);
    const granted = new Set(
      permissions([
        ...POLICY_FILES.flatMap(policyFileStatements),
        ...templateStatements,
        ...terraform.statements,
      ]).map((permission) => permission.action),
    );
    expect(granted).toContain("cloudwatch:ListMetrics");
    const docs = readText(join(IAM_DIR, "../../docs/iam.md"));
    for (const action of granted) expect(docs).toContain(`\`${action}\``);
  });
});
