import { parseDocument } from "yaml";
import { z } from "zod";
import { ROLE_ARN } from "../aws/arn.js";
import { parseDuration } from "./duration.js";
import { ConfigError } from "./errors.js";

export const REGION = /^[a-z]{2}(?:-[a-z]+)+-\d{1,2}$/;

const duration = z.string().transform((text, context) => {
  const ms = parseDuration(text);
  if (ms === undefined) {
    context.addIssue({
      code: "custom",
      message: `not a duration: ${JSON.stringify(text)} (use e.g. 500ms, 30s, 5m, 1h)`,
    });
    return z.NEVER;
  }
  return ms;
});

const positiveDuration = duration.refine((ms) => ms > 0, "must be longer than 0");
/** Timer durations: Node's setTimeout fires at once for 2^31 ms (24.8 days) or more. */
const timerDuration = positiveDuration.refine((ms) => ms <= 86_400_000, "must be at most 24h");

const region = z.string().regex(REGION, "not an AWS region name (like us-east-1)");

const regionList = z
  .array(region)
  .min(1, "the region list is empty")
  .refine((list) => new Set(list).size === list.length, "a region is listed twice");

const roleArn = z
  .string()
  .regex(ROLE_ARN, "not an IAM role ARN (arn:aws:iam::<12-digit account>:role/<name>)");
const externalId = z.string().min(2).max(1224);
const accountId = z.string().regex(/^\d{12}$/, "not a 12-digit account id");

const account = z.strictObject({
  roleArn: roleArn.optional(),
  externalId: externalId.optional(),
  name: z.string().min(1).max(256).optional(),
  regions: regionList.optional(),
});

const organizations = z.strictObject({
  roleArn: roleArn.optional(),
  externalId: externalId.optional(),
  memberRoleName: z.string().regex(/^[\w+=,.@-]{1,64}$/, "not an IAM role name"),
  memberExternalId: externalId.optional(),
  refresh: timerDuration.optional(),
  excludeAccounts: z.array(accountId).optional(),
  regions: regionList.optional(),
});

const shard = z
  .strictObject({
    index: z.number().int("must be a whole number").min(0, "must be 0 or more"),
    count: z.number().int("must be a whole number").min(1, "must be at least 1"),
  })
  .refine((value) => value.index < value.count, {
    message: "index must be less than count",
    path: ["index"],
  });

const retry = z.strictObject({
  maxAttempts: z.number().int().min(1, "must be at least 1").max(20),
  minDelay: timerDuration,
  maxDelay: timerDuration,
});

const fileSchema = z.strictObject({
  interval: timerDuration.optional(),
  timeout: timerDuration.optional(),
  concurrency: z.number().int("must be a whole number").min(1, "must be at least 1").optional(),
  retry: retry.partial().optional(),
  rateLimit: z
    .strictObject({
      perSecond: z.number().positive("must be more than 0").max(1_000),
      burst: z.number().int("must be a whole number").min(1, "must be at least 1").max(1_000),
    })
    .partial()
    .optional(),
  maxStaleness: positiveDuration.optional(),
  regions: regionList.optional(),
  accounts: z.array(account).min(1, "the account list is empty").optional(),
  sessionDuration: duration
    .refine((ms) => ms >= 900_000 && ms <= 43_200_000, "must be between 15m and 12h (STS limits)")
    .optional(),
  discovery: z.strictObject({ organizations }).optional(),
  shard: shard.optional(),
});

export type FileConfig = z.output<typeof fileSchema>;

function issuePath(path: readonly PropertyKey[]): string {
  return path
    .map((part, index) =>
      typeof part === "number" ? `[${part}]` : `${index === 0 ? "" : "."}${String(part)}`,
    )
    .join("");
}

function describeIssue(issue: z.core.$ZodIssue): string {
  const at = issuePath(issue.path);
  if (issue.code === "unrecognized_keys") {
    const prefix = at === "" ? "" : `${at}.`;
    return issue.keys.map((key) => `${prefix}${key}: unknown key`).join("\n");
  }
  return `${at === "" ? "(top level)" : at}: ${issue.message}`;
}

/** Parses and validates the YAML text of a config file. */
export function parseConfigFile(text: string, fileName: string): FileConfig {
  const document = parseDocument(text, { uniqueKeys: true });
  if (document.errors.length > 0) {
    throw new ConfigError(
      document.errors.map((error) => `${fileName}: invalid YAML: ${error.message.split("\n")[0]}`),
    );
  }
  const raw: unknown = document.toJS() ?? {};
  const result = fileSchema.safeParse(raw);
  if (!result.success) {
    throw new ConfigError(
      result.error.issues.flatMap((issue) =>
        describeIssue(issue)
          .split("\n")
          .map((line) => `${fileName}: ${line}`),
      ),
    );
  }
  return result.data;
}
