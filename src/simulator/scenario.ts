import { readFileSync } from "node:fs";
import { parse as parseYaml } from "yaml";
import { z } from "zod";
import { parseDuration } from "../config/duration.js";

/**
 * The simulator's world, read from YAML. Optional store fields stay optional in the parsed
 * form (defaults are applied when a store is put on the wire) so that tests can build a
 * StoreSpec by hand for `setStores` without knowing every default.
 *
 * Top-level keys:
 * - `seed`: seeds probabilistic faults; `pageSize`: default DescribeCustomKeyStores page size.
 * - `defaultAccountId`: the account of credentials the simulator did not issue itself.
 * - `rateLimit: {perSecond, burst}`: default DescribeCustomKeyStores token bucket for every
 *   account × region (a region's own `rateLimit` wins). Over the limit: 400 ThrottlingException.
 * - `organizations: {managementAccountId, pageSize, faults, rootId, organizationalUnits}`:
 *   turns on Organizations (ListAccounts, ListChildren, ListAccountsForParent) for callers
 *   in the management account. Every entry of `accounts` is a member, under its `parent`
 *   OU (default: the root); `organizationalUnits[]` are `{id, name, parent}`. Faults count
 *   every Organizations call.
 * - `accounts[]`: `id`, `name`, `email`, `status` (ACTIVE | SUSPENDED | PENDING_CLOSURE),
 *   `denyAssumeRole`, and `regions[]` with `region`, `pageSize`, `rateLimit`, `generate`,
 *   `stores`, `clusters`, `keys` and `faults`.
 * - `clusters[]` (CloudHSM DescribeClusters): `id`, `state`, `hsms[]` of
 *   `{availabilityZone, state}`. A cluster that a store of the region names and that is not
 *   listed is ACTIVE with two ACTIVE HSMs in zones `<region>a` and `<region>b`.
 * - A store's `xksMetrics` are its CloudWatch AWS/KMS series (ListMetrics, GetMetricData). An
 *   EXTERNAL_KEY_STORE store without them has healthy ones while it is CONNECTED
 *   (DEFAULT_XKS_METRICS) and none otherwise.
 * - `keys[]` (ListKeys, DescribeKey): `{id, count, store, state, denyDescribeKey}`; see keys.ts.
 * - A fault applies to `operation` (default DescribeCustomKeyStores; also DescribeClusters,
 *   ListMetrics, GetMetricData, ListKeys and DescribeKey); each operation counts its own
 *   calls for `calls`.
 */

// YAML reads `at: 0` as a number; every other duration is a string such as "30s".
const duration = z.union([z.string(), z.literal(0)]).transform((value, ctx) => {
  const ms = parseDuration(String(value));
  if (ms === undefined) {
    ctx.addIssue({ code: "custom", message: `not a duration: "${value}" (examples: 30s, 1m30s)` });
    return z.NEVER;
  }
  return ms;
});

const ACCOUNT_ID_HINT = "must be a 12-digit account id in quotes";
const accountId = z.string({ error: ACCOUNT_ID_HINT }).regex(/^\d{12}$/, ACCOUNT_ID_HINT);
const pageSize = z.number().int().min(1).max(1000);
const storeType = z.enum(["AWS_CLOUDHSM", "EXTERNAL_KEY_STORE"]);
// AWS may add connection states, so unknown ones pass through to the wire unchanged.
const connectionState = z.string().min(1);

const timelineStep = z
  .object({ at: duration, state: connectionState, errorCode: z.string().min(1).optional() })
  .strict();

const xksConfig = z
  .object({
    connectivity: z.string().optional(),
    uriEndpoint: z.string().optional(),
    uriPath: z.string().optional(),
    vpcEndpointServiceName: z.string().optional(),
    vpcEndpointServiceOwner: z.string().optional(),
    accessKeyId: z.string().optional(),
  })
  .strict();

/** Requests of one operation of an external key store's proxy in a 5-minute period. */
const xksOperation = z
  .object({
    kmsOperation: z.string().min(1),
    xksOperation: z.string().min(1),
    keySpec: z.string().min(1).default("AES_256"),
    /** Requests answered without error: XksProxyErrors under the success ErrorType. */
    successes: z.number().int().min(0).default(0),
    /** Failed requests: XksProxyErrors under this ErrorType and ExceptionName. */
    errors: z
      .array(
        z
          .object({
            errorType: z.string().min(1),
            exceptionName: z.string().min(1),
            count: z.number().int().min(1),
          })
          .strict(),
      )
      .default([]),
    /** XksProxyLatency: `count` samples averaging `averageMs`, the slowest `maxMs`. */
    latency: z
      .object({
        count: z.number().int().min(1),
        averageMs: z.number().min(0),
        maxMs: z.number().min(0).optional(),
      })
      .strict()
      .optional(),
  })
  .strict();

/**
 * What CloudWatch holds for one external key store in the newest 5-minute period, in
 * CloudWatch's own units; the two periods before it hold other values (see cloudwatch-series.ts).
 */
const xksMetrics = z
  .object({
    /** XksProxyCertificateDaysToExpire by its CertificateName dimension. */
    certificates: z.record(z.string().min(1), z.number()).optional(),
    credentialAgeDays: z.number().optional(),
    operations: z.array(xksOperation).optional(),
    /** Instances by the XksExternalKeyManagerState dimension (Active, Degraded, Unavailable). */
    externalKeyManagers: z.record(z.string().min(1), z.number().int().min(0)).optional(),
    /** Published more than 3 hours ago only: ListMetrics lists the series without RecentlyActive. */
    stale: z.boolean().optional(),
    /** Answer this store's queries with this StatusCode and no values (InternalError, Forbidden). */
    statusCode: z.string().min(1).optional(),
  })
  .strict();

const hsmSpec = z
  .object({ availabilityZone: z.string().min(1), state: z.string().min(1).default("ACTIVE") })
  .strict();

const clusterSpec = z
  .object({
    id: z.string().min(1),
    state: z.string().min(1).default("ACTIVE"),
    hsms: z.array(hsmSpec).default([]),
  })
  .strict();

const storeSpec = z
  .object({
    id: z.string().min(1),
    name: z.string().min(1),
    type: storeType.optional(),
    state: connectionState,
    errorCode: z.string().min(1).optional(),
    creationDate: z
      .string()
      .refine((text) => !Number.isNaN(Date.parse(text)), "not an ISO 8601 date")
      .optional(),
    cloudHsmClusterId: z.string().optional(),
    trustAnchorCertificate: z.string().optional(),
    xks: xksConfig.optional(),
    xksMetrics: xksMetrics.optional(),
    timeline: z.array(timelineStep).optional(),
  })
  .strict();

/**
 * KMS keys of a region (ListKeys, DescribeKey). An entry with `count` stands for that many
 * keys with generated ids; `store` is the custom key store id that holds them (none: keys
 * outside every store); `denyDescribeKey`: their key policy refuses kms:DescribeKey.
 */
const keySpec = z
  .object({
    id: z.string().min(1).optional(),
    count: z.number().int().min(1).max(100_000).default(1),
    store: z.string().min(1).optional(),
    state: z.string().min(1).default("Enabled"),
    denyDescribeKey: z.boolean().default(false),
  })
  .strict()
  .refine((key) => key.id === undefined || key.count === 1, {
    path: ["id"],
    message: "an id names one key: leave it out with count",
  });

const faultKind = z.enum([
  "internal-error",
  "throttling",
  "access-denied",
  "html-5xx",
  "truncated-json",
  "slow",
  "hang",
  "reset",
  "repeat-marker",
  "invalid-marker",
  "empty-body",
  "empty-object",
  "null-list",
  "array-body",
  "object-list",
  "null-entry",
  "iso-creation-date",
  "huge-name",
  "over-limit",
  "huge-body",
  "distinct-error-names",
  "huge-error-name",
  "marker-on-last-page",
  "truncated-without-marker",
  "oversized-marker",
]);

const faultSpec = z
  .object({
    kind: faultKind,
    operation: z
      .enum([
        "DescribeCustomKeyStores",
        "DescribeClusters",
        "ListMetrics",
        "GetMetricData",
        "ListKeys",
        "DescribeKey",
      ])
      .optional(),
    calls: z.array(z.number().int().min(1)).min(1).optional(),
    probability: z.number().min(0).max(1).optional(),
    delay: duration.optional(),
  })
  .strict()
  .superRefine((fault, ctx) => {
    if (fault.calls !== undefined && fault.probability !== undefined) {
      ctx.addIssue({
        code: "custom",
        path: ["probability"],
        message: "use calls or probability, not both",
      });
    }
    if (fault.kind === "slow" && fault.delay === undefined) {
      ctx.addIssue({ code: "custom", path: ["delay"], message: "kind slow needs a delay" });
    }
    if (fault.kind !== "slow" && fault.delay !== undefined) {
      ctx.addIssue({ code: "custom", path: ["delay"], message: "delay applies only to kind slow" });
    }
  });

const rateLimit = z
  .object({
    /** Tokens added per second. */
    perSecond: z.number().positive(),
    /** Bucket capacity; default: perSecond rounded up (at least 1). */
    burst: z.number().int().min(1).optional(),
  })
  .strict();

const accountStatus = z.enum(["ACTIVE", "SUSPENDED", "PENDING_CLOSURE"]);

const rootId = z.string().regex(/^r-[0-9a-z]{4,32}$/, "must be a root id such as r-a1b2");
const unitId = z
  .string()
  .regex(/^ou-[0-9a-z]{4,32}-[a-z0-9]{8,32}$/, "must be an OU id such as ou-a1b2-abcdefgh");

const organizationalUnitSpec = z
  .object({
    id: unitId,
    name: z.string().optional(),
    /** The root (default) or another OU. */
    parent: z.string().optional(),
  })
  .strict();

const organizationsSpec = z
  .object({
    managementAccountId: accountId,
    /** Largest page of any Organizations list, whatever MaxResults asks (AWS allows 20). */
    pageSize: z.number().int().min(1).max(20).optional(),
    faults: z.array(faultSpec).default([]),
    rootId: rootId.optional(),
    organizationalUnits: z.array(organizationalUnitSpec).default([]),
  })
  .strict()
  .superRefine((spec, ctx) => {
    reportDuplicates(spec.organizationalUnits, "id", ctx, ["organizationalUnits"]);
    const known = new Set([spec.rootId ?? "r-a1b2", ...spec.organizationalUnits.map((u) => u.id)]);
    spec.organizationalUnits.forEach((unit, index) => {
      if (unit.parent !== undefined && (!known.has(unit.parent) || unit.parent === unit.id))
        ctx.addIssue({
          code: "custom",
          path: ["organizationalUnits", index, "parent"],
          message: `unknown parent "${unit.parent}"`,
        });
    });
  });

const generateSpec = z
  .object({
    // Well past the exporter's stores-per-target cap (10,000 by default), to test that cap.
    count: z.number().int().min(0).max(250_000),
    type: storeType.default("AWS_CLOUDHSM"),
    state: connectionState.default("CONNECTED"),
    errorCode: z.string().min(1).optional(),
  })
  .strict();

const regionSpec = z
  .object({
    region: z.string().regex(/^[a-z]{2}(-[a-z]+)+-\d+$/, "must be a region name such as us-east-1"),
    pageSize: pageSize.optional(),
    rateLimit: rateLimit.optional(),
    generate: generateSpec.optional(),
    stores: z.array(storeSpec).default([]),
    clusters: z.array(clusterSpec).optional(),
    keys: z.array(keySpec).optional(),
    faults: z.array(faultSpec).default([]),
  })
  .strict()
  .superRefine((target, ctx) => {
    reportDuplicates(target.stores, "id", ctx, ["stores"]);
    reportDuplicates(target.stores, "name", ctx, ["stores"]);
    reportDuplicates(target.clusters ?? [], "id", ctx, ["clusters"]);
  });

const accountSpec = z
  .object({
    id: accountId,
    name: z.string().optional(),
    /** Organizations member email; default aws+<id>@example.com. */
    email: z.string().min(1).optional(),
    /** Organizations member status; default ACTIVE. */
    status: accountStatus.optional(),
    denyAssumeRole: z.boolean().optional(),
    /**
     * Credentials AWS never hands out (AssumeRole allows 900 s at least): `short-lived` expire
     * in 2 minutes, `expired` a minute ago, `huge-access-key-id` carry a 1 MiB AccessKeyId.
     */
    assumeRoleFault: z.enum(["short-lived", "expired", "huge-access-key-id"]).optional(),
    /** The OU the account is in (ListChildren, ListAccountsForParent); default: the root. */
    parent: z.string().optional(),
    regions: z.array(regionSpec).default([]),
  })
  .strict()
  .superRefine((account, ctx) => reportDuplicates(account.regions, "region", ctx, ["regions"]));

/**
 * The static credentials every scenario accepts unless it lists its own: the simulator
 * verifies signatures, so a client needs a secret it knows.
 */
export const SIMULATOR_CREDENTIALS = {
  accessKeyId: "AKIAFAKEFAKEFAKEFAKE",
  secretAccessKey: "fake/secret/fake/secret/fake/secret/0000",
} as const;

const staticCredential = z
  .object({
    accessKeyId: z.string().min(16).max(128),
    secretAccessKey: z.string().min(1),
    /** For temporary keys handed to a client from outside (AWS_SESSION_TOKEN). */
    sessionToken: z.string().min(1).optional(),
  })
  .strict();

const scenarioSchema = z
  .object({
    seed: z.number().int().optional(),
    /** Keys of the default account, whose signatures the simulator verifies. */
    credentials: z
      .array(staticCredential)
      .min(1)
      .default(() => [{ ...SIMULATOR_CREDENTIALS }]),
    pageSize: pageSize.optional(),
    rateLimit: rateLimit.optional(),
    organizations: organizationsSpec.optional(),
    defaultAccountId: accountId.default("000000000000"),
    accounts: z.array(accountSpec).default([]),
  })
  .strict()
  .superRefine((scenario, ctx) => reportDuplicates(scenario.accounts, "id", ctx, ["accounts"]));

function reportDuplicates<K extends string>(
  items: readonly Record<K, string>[],
  key: K,
  ctx: z.RefinementCtx,
  at: string[],
): void {
  const seen = new Set<string>();
  items.forEach((item, index) => {
    const value = item[key];
    if (seen.has(value)) {
      ctx.addIssue({
        code: "custom",
        path: [...at, index, key],
        message: `duplicate ${key} "${value}"`,
      });
    }
    seen.add(value);
  });
}

export type Scenario = z.output<typeof scenarioSchema>;
export type OrganizationalUnitSpec = z.output<typeof organizationalUnitSpec>;
export type AccountSpec = z.output<typeof accountSpec>;
export type StoreSpec = z.output<typeof storeSpec>;
export type ClusterSpec = z.output<typeof clusterSpec>;
export type KeySpec = z.output<typeof keySpec>;
export type XksMetricsSpec = z.output<typeof xksMetrics>;
export type XksOperationSpec = z.output<typeof xksOperation>;
export type FaultSpec = z.output<typeof faultSpec>;
export type FaultKind = z.output<typeof faultKind>;
export type GenerateSpec = z.output<typeof generateSpec>;
export type RegionSpec = z.output<typeof regionSpec>;
export type RateLimitSpec = z.output<typeof rateLimit>;
export type AccountStatus = z.output<typeof accountStatus>;
export type OrganizationsSpec = z.output<typeof organizationsSpec>;

function describeIssue(issue: z.core.$ZodIssue): string {
  const where = issue.path.length > 0 ? issue.path.join(".") : "(top level)";
  if (issue.code === "unrecognized_keys") {
    const prefix = issue.path.length > 0 ? `${where}.` : "";
    return `unknown key ${issue.keys.map((key) => `"${prefix}${key}"`).join(", ")}`;
  }
  return `${where}: ${issue.message}`;
}

/** The document when the text is a JSON object, else undefined (YAML flow maps are not JSON). */
function parseJson(text: string): unknown {
  if (!text.trimStart().startsWith("{")) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

export function parseScenario(yamlText: string): Scenario {
  let document: unknown;
  try {
    // JSON is YAML too, and JSON.parse reads a large generated scenario many times faster.
    document = parseJson(yamlText) ?? parseYaml(yamlText);
  } catch (error) {
    throw new Error(`scenario is not valid YAML: ${(error as Error).message}`);
  }
  const result = scenarioSchema.safeParse(document ?? {});
  if (!result.success) {
    throw new Error(`invalid scenario: ${result.error.issues.map(describeIssue).join("; ")}`);
  }
  return result.data;
}

export function loadScenarioFile(path: string): Scenario {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (error) {
    throw new Error(`cannot read scenario ${path}: ${(error as Error).message}`);
  }
  try {
    return parseScenario(text);
  } catch (error) {
    throw new Error(`${path}: ${(error as Error).message}`);
  }
}
