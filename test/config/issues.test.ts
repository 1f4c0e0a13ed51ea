import { describe, expect, it } from "vitest";
import { checkConfigFile } from "../../src/config/file.js";
import { shown, unknownKeyProblem } from "../../src/config/issues.js";

/** Every key the file takes, each with a valid value. */
const FULL = {
  interval: "1m",
  timeout: "30s",
  concurrency: 4,
  retry: { maxAttempts: 3, minDelay: "100ms", maxDelay: "2s" },
  rateLimit: { perSecond: 4, burst: 1 },
  maxStaleness: "1h",
  regions: ["us-east-1"],
  accounts: [
    {
      roleArn: "arn:aws:iam::111111111111:role/reader",
      externalId: "ext-id",
      name: "prod",
      regions: ["eu-west-1"],
      stores: { types: ["EXTERNAL_KEY_STORE"] },
    },
  ],
  stores: { include: ["^prod-"], exclude: ["-sandbox$"], types: ["AWS_CLOUDHSM"] },
  sts: { region: "us-east-1" },
  sessionDuration: "1h",
  discovery: {
    organizations: {
      roleArn: "arn:aws:iam::999999999999:role/org",
      externalId: "ext-id",
      memberRoleName: "reader",
      memberExternalId: "ext-id",
      refresh: "1h",
      region: "us-east-1",
      excludeAccounts: ["123456789012"],
      includeOrganizationalUnits: ["ou-a1b2-prod0001"],
      excludeOrganizationalUnits: ["ou-a1b2-sandbox1"],
      regions: ["us-east-1"],
    },
  },
  shard: { index: 0, count: 1 },
};

/** Values of every kind and edge the schema meets: wrong types, empties, out of range. */
const BAD_VALUES: unknown[] = [
  null,
  true,
  0,
  -1,
  1.5,
  1e9,
  "",
  "x",
  "60",
  [],
  ["x"],
  [1],
  {},
  { x: 1 },
  "x".repeat(2_000),
];

/** Every path to a value in the object, arrays' entries included. */
function paths(value: unknown, prefix: Array<string | number> = []): Array<Array<string | number>> {
  if (value === null || typeof value !== "object") return [prefix];
  const entries = Array.isArray(value)
    ? value.map((v, i) => [i, v] as const)
    : Object.entries(value);
  return [prefix, ...entries.flatMap(([key, v]) => paths(v, [...prefix, key]))];
}

function withValue(path: Array<string | number>, replacement: unknown): unknown {
  const copy = structuredClone(FULL) as Record<string | number, unknown>;
  let node: Record<string | number, unknown> = copy;
  for (const key of path.slice(0, -1)) node = node[key] as Record<string | number, unknown>;
  node[path.at(-1) as string | number] = replacement;
  return copy;
}

const LIBRARY_WORDING =
  /Invalid|Too (small|big)|received|expected (string|number|int|array|object)|>=|<=|Unrecognized|\bNaN\b|undefined/;

describe("config messages in the project's voice", () => {
  it("accepts the full example", () => {
    expect(checkConfigFile(FULL, "c.yml").problems).toEqual([]);
  });

  it("never shows the validator's wording, and names the key, for any bad value anywhere", () => {
    let checked = 0;
    for (const path of paths(FULL).filter((p) => p.length > 0)) {
      for (const bad of BAD_VALUES) {
        const { problems } = checkConfigFile(withValue(path, bad), "c.yml");
        for (const problem of problems) {
          checked++;
          expect(problem, `${path.join(".")} = ${JSON.stringify(bad)}`).not.toMatch(
            LIBRARY_WORDING,
          );
          expect(problem).toMatch(/^c\.yml: [\w[\]().]+( [\w ]+)?: \S/);
        }
      }
    }
    expect(checked).toBeGreaterThan(300);
  });

  it("says which value was wrong", () => {
    const { problems } = checkConfigFile(
      { regions: ["us-east-1", "mars-north-9x"], concurrency: 2.5, shard: { index: 4, count: 2 } },
      "c.yml",
    );
    expect(problems).toEqual([
      'c.yml: regions[1]: "mars-north-9x" is not an AWS region name (like us-east-1)',
      "c.yml: concurrency: expected a whole number, got 2.5",
      "c.yml: shard.index: 4 must be less than count (2)",
    ]);
  });

  it("names a missing required key", () => {
    expect(checkConfigFile({ discovery: { organizations: {} } }, "c.yml").problems).toEqual([
      "c.yml: discovery.organizations.memberRoleName: is required",
    ]);
  });

  it("suggests the key an unknown one is a typo of, at any depth", () => {
    expect(
      checkConfigFile(
        {
          timout: "1m",
          retry: { maxAtempts: 2 },
          discovery: { organizations: { memberRoleName: "r", refesh: "1h" } },
        },
        "c.yml",
      ).problems,
    ).toEqual([
      "c.yml: timout: unknown key; did you mean timeout?",
      "c.yml: retry.maxAtempts: unknown key; did you mean maxAttempts?",
      "c.yml: discovery.organizations.refesh: unknown key; did you mean refresh?",
    ]);
    expect(unknownKeyProblem("bogus", ["interval"])).toBe("bogus: unknown key");
  });

  it.each([
    [null, "an empty value"],
    [[], "an empty list"],
    [["a"], "a list"],
    [{ a: 1 }, "a mapping (key: value)"],
    ["x", '"x"'],
    [3, "3"],
    [false, "false"],
  ])("shows %j as %s", (value, text) => {
    expect(shown(value)).toBe(text);
  });
});
