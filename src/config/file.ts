import { z } from "zod";
import { accountIdOfRoleArn, ROLE_ARN } from "../aws/arn.js";
import { DAY_MS, formatDuration, parseDuration } from "./duration.js";
import { configErrorMap, describeIssue, shown, unknownKeyProblem } from "./issues.js";
import { boundedList, LIMITS, storePattern } from "./limits.js";

export const REGION = /^[a-z]{2}(?:-[a-z]+)+-\d{1,2}$/;
/** A role name (at most 64) after an optional IAM path (`service-role/`, at most 512). */
const ROLE_NAME = /^(?=.{1,576}$)(?:[\w+=,.@-]+\/){0,16}[\w+=,.@-]{1,64}$/;

/** Ways to write the amount of a bare number as a duration: 60 → "60s or 1m". */
function examplesFor(amount: number): string {
  const seconds = `${amount}s`;
  const longer = formatDuration(amount * 1_000);
  return longer === seconds ? `${seconds} or ${amount}ms` : `${seconds} or ${longer}`;
}

/** Why a config value is not a duration, in words; undefined when it is one. */
function durationProblem(value: unknown): string | undefined {
  const bare = typeof value === "number" || (typeof value === "string" && /^\d+$/.test(value));
  if (bare && Number(value) !== 0) {
    const amount = Number(value);
    const example = Number.isInteger(amount) && amount > 0 ? examplesFor(amount) : "30s or 1m";
    return `${value} has no unit: write a duration like ${example}`;
  }
  if (typeof value !== "string" && typeof value !== "number") {
    return `expected a duration like 30s or 5m, got ${shown(value)}`;
  }
  if (parseDuration(String(value)) === undefined) {
    return `${JSON.stringify(value)} is not a duration (write it like 500ms, 30s, 5m or 1h30m)`;
  }
  return undefined;
}

/**
 * A Prometheus duration, bounded. The checks run on the user's own text, so a message
 * shows what they wrote ("4w"), not what it came to in milliseconds.
 */
function duration(bounds: { min?: [number, string]; max?: [number, string] } = {}) {
  return z.unknown().transform((value, context) => {
    const reject = (message: string) => {
      context.addIssue({ code: "custom", message });
      return z.NEVER;
    };
    const problem = durationProblem(value);
    if (problem !== undefined) return reject(problem);
    const ms = parseDuration(String(value)) ?? 0;
    const [min, minText] = bounds.min ?? [0, ""];
    const [max, maxText] = bounds.max ?? [Number.POSITIVE_INFINITY, ""];
    if (ms < min) return reject(`${value} is too short: ${minText}`);
    if (ms > max) return reject(`${value} is too long: ${maxText}`);
    return ms;
  });
}

const positiveDuration = () => duration({ min: [1, "must be longer than 0"] });
/** Timer durations: Node's setTimeout fires at once for 2^31 ms (24.8 days) or more. */
const timerDuration = () =>
  duration({
    min: [1, "must be longer than 0"],
    max: [DAY_MS, "at most 24h (timers cannot wait longer)"],
  });

const region = z.string().regex(REGION, {
  error: (issue) => `${shown(issue.input)} is not an AWS region name (like us-east-1)`,
});

const regionList = boundedList(region, LIMITS.regionsPerList, "regions in one list", [
  1,
  "the region list is empty",
]).superRefine((list, context) => {
  const seen = new Set<string>();
  const twice = list.filter((name) => seen.size === seen.add(name).size);
  if (twice.length > 0)
    context.addIssue({ code: "custom", message: `${twice.join(", ")} is listed twice` });
});

const roleArn = z.string().regex(ROLE_ARN, {
  error: (issue) =>
    `${shown(issue.input)} is not an IAM role ARN (arn:aws:iam::<12-digit account>:role/<name>)`,
});
const externalId = z.string().min(2).max(1224);
const accountId = z.string().regex(/^\d{12}$/, {
  error: (issue) => `${shown(issue.input)} is not a 12-digit account id`,
});

export const STORE_TYPES = ["AWS_CLOUDHSM", "EXTERNAL_KEY_STORE"] as const;

const patternList = () =>
  boundedList(storePattern, LIMITS.patternsPerFilter, "patterns in one filter", [1]);

const storeFilter = z.strictObject({
  include: patternList().optional(),
  exclude: patternList().optional(),
  types: z.array(z.enum(STORE_TYPES)).min(1).optional(),
});

/** An OU id (ou-…) or a root id (r-…), as Organizations spells them. */
const unitOrRootId = z.string().regex(/^(?:ou-[0-9a-z]{4,32}-[a-z0-9]{8,32}|r-[0-9a-z]{4,32})$/, {
  error: (issue) =>
    `${shown(issue.input)} is not an organizational unit id (like ou-a1b2-c3d4e5f6) or root id (like r-a1b2)`,
});

const account = z.strictObject({
  roleArn: roleArn.optional(),
  externalId: externalId.optional(),
  name: z.string().min(1).max(256).optional(),
  regions: regionList.optional(),
  /** Replaces the global filter for this account. */
  stores: storeFilter.optional(),
});

const organizations = z.strictObject({
  roleArn: roleArn.optional(),
  externalId: externalId.optional(),
  memberRoleName: z.string().regex(ROLE_NAME, {
    error: (issue) =>
      `${shown(issue.input)} is not an IAM role name: up to 64 letters, digits and +=,.@_-, after an optional path like service-role/`,
  }),
  memberExternalId: externalId.optional(),
  refresh: timerDuration().optional(),
  /** Organizations' endpoint; default: the one of the partition (us-east-1 for aws). */
  region: region.optional(),
  excludeAccounts: boundedList(accountId, LIMITS.excludedAccounts, "excluded accounts").optional(),
  includeOrganizationalUnits: boundedList(
    unitOrRootId,
    LIMITS.organizationalUnits,
    "units",
    [1],
  ).optional(),
  excludeOrganizationalUnits: boundedList(
    unitOrRootId,
    LIMITS.organizationalUnits,
    "units",
    [1],
  ).optional(),
  regions: regionList.optional(),
});

const wholeNumber = () => z.number().int();

const shard = z
  .strictObject({
    index: wholeNumber().min(0),
    count: wholeNumber().min(1),
  })
  .refine((value) => value.index < value.count, {
    error: (issue) => {
      const value = issue.input as { index: number; count: number };
      return `${value.index} must be less than count (${value.count})`;
    },
    path: ["index"],
  });

const retry = z
  .strictObject({
    maxAttempts: wholeNumber().min(1).max(20),
    minDelay: timerDuration(),
    maxDelay: timerDuration(),
  })
  .partial();

const SHAPE = {
  interval: duration({
    min: [LIMITS.minIntervalMs, "at least 1s (KMS allows 5 calls/s per account and region)"],
    max: [DAY_MS, "at most 24h (timers cannot wait longer)"],
  }).optional(),
  timeout: timerDuration().optional(),
  concurrency: wholeNumber().min(1).max(LIMITS.concurrency).optional(),
  retry: retry.optional(),
  rateLimit: z
    .strictObject({
      perSecond: z.number().min(LIMITS.minRatePerSecond).max(LIMITS.maxRatePerSecond),
      burst: wholeNumber().min(1).max(1_000),
    })
    .partial()
    .optional(),
  maxStaleness: positiveDuration().optional(),
  regions: regionList.optional(),
  accounts: boundedList(account, LIMITS.accounts, "accounts", [
    1,
    "the account list is empty",
  ]).optional(),
  sessionDuration: duration({
    min: [900_000, "at least 15m (an STS limit)"],
    max: [43_200_000, "at most 12h (an STS limit)"],
  }).optional(),
  /** More stores than this in one answer is an InvalidResponse, not a fleet to export. */
  maxStoresPerTarget: wholeNumber().min(1).max(1_000_000).optional(),
  stores: storeFilter.optional(),
  discovery: z.strictObject({ organizations }).optional(),
  /** STS for AssumeRole and GetCallerIdentity; default: each account's first region. */
  sts: z.strictObject({ region: region.optional() }).optional(),
  shard: shard.optional(),
  enrich: z
    .strictObject({
      interval: timerDuration().optional(),
      cloudhsm: z.boolean().optional(),
      xks: z.boolean().optional(),
      keys: z.boolean().optional(),
      // KMS's quotas per account and region: ListKeys 500/s, DescribeKey 2,000/s.
      keysRateLimit: z
        .strictObject({
          listKeys: z.number().positive().max(500),
          describeKey: z.number().positive().max(2_000),
        })
        .partial()
        .optional(),
    })
    .optional(),
};

type Shape = typeof SHAPE;
/** Every top-level key of the file. */
export const FILE_KEYS = Object.keys(SHAPE);
export type FileConfig = { [K in keyof Shape]?: z.output<Shape[K]> };
type AccountEntry = z.output<typeof account>;

/** The keys of the file that are valid on their own, and the problems of the others. */
export interface CheckedFile {
  file: FileConfig;
  invalidKeys: Set<string>;
  problems: string[];
}

/** Per-entry checks of `accounts` that no single entry's schema can see. */
function accountChecks(entries: Array<[number, AccountEntry]>, problems: string[]): void {
  const seen = new Map<string, number>();
  const withoutRole: number[] = [];
  for (const [index, entry] of entries) {
    if (entry.roleArn === undefined) {
      withoutRole.push(index);
      if (entry.externalId !== undefined) {
        problems.push(`accounts[${index}].externalId: only meaningful together with roleArn`);
      }
      continue;
    }
    const accountId = accountIdOfRoleArn(entry.roleArn);
    if (accountId === undefined) continue;
    const first = seen.get(accountId);
    if (first !== undefined) {
      problems.push(
        `accounts[${index}].roleArn: account ${accountId} is listed twice (also accounts[${first}])`,
      );
    } else seen.set(accountId, index);
  }
  if (withoutRole.length > 1) {
    problems.push(
      `accounts: ${withoutRole.map((i) => `accounts[${i}]`).join(", ")} have no roleArn; only one entry may be the default credentials' account`,
    );
  }
}

/**
 * Validates the parsed YAML of a config file. Each key is checked on its own, so one bad key
 * hides neither another nor the checks between keys (load.ts makes those, with the defaults);
 * every message starts with the file name.
 */
export function checkConfigFile(raw: unknown, fileName: string): CheckedFile {
  if (raw === null || typeof raw !== "object" || Array.isArray(raw)) {
    return {
      file: {},
      invalidKeys: new Set(FILE_KEYS),
      problems: [`${fileName}: expected a mapping of keys (like interval: 60s), got ${shown(raw)}`],
    };
  }
  const problems: string[] = [];
  const file: Record<string, unknown> = {};
  const invalidKeys = new Set<string>();
  for (const [key, value] of Object.entries(raw)) {
    // Own keys only: `constructor` or `__proto__` in the file must not find Object's members.
    const schema = Object.hasOwn(SHAPE, key) ? SHAPE[key as keyof Shape] : undefined;
    if (schema === undefined) {
      problems.push(unknownKeyProblem(key, FILE_KEYS));
      continue;
    }
    const result = schema.safeParse(value, { error: configErrorMap });
    if (result.success) {
      file[key] = result.data;
      continue;
    }
    invalidKeys.add(key);
    problems.push(...result.error.issues.flatMap((issue) => describeIssue(issue, [key])));
  }
  const rawAccounts = (raw as { accounts?: unknown }).accounts;
  if (Array.isArray(rawAccounts) && rawAccounts.length <= LIMITS.accounts) {
    const entries = ((raw as { accounts: unknown[] }).accounts ?? []).flatMap((entry, index) => {
      const result = account.safeParse(entry);
      return result.success ? [[index, result.data] as [number, AccountEntry]] : [];
    });
    accountChecks(entries, problems);
  }
  return {
    file: file as FileConfig,
    invalidKeys,
    problems: problems.map((problem) => `${fileName}: ${problem}`),
  };
}
