import { DescribeCustomKeyStoresCommand } from "@aws-sdk/client-kms";
import { ListAccountsCommand } from "@aws-sdk/client-organizations";
import { describe, expect, it } from "vitest";
import { dispatch } from "../../src/simulator/dispatch.js";
import { parseScenario, startSimulator } from "../../src/simulator/index.js";
import { World } from "../../src/simulator/world.js";
import { kmsClient, organizationsClient, signedRequest } from "../helpers/simulator.js";

const REGIONS = ["us-east-1", "us-west-2", "eu-west-1", "ap-southeast-2"];
const ACCOUNTS = 2_000;
const BIG_TARGETS = 20;

const accountId = (index: number) => String(200_000_000_000 + index);

/** 2,000 accounts × 4 regions × 3 stores, plus 20 targets (accounts 0-4) of 3,000 stores. */
function bigScenario(): string {
  const lines = [
    `defaultAccountId: "${accountId(0)}"`,
    `organizations: {managementAccountId: "${accountId(0)}"}`,
    "accounts:",
  ];
  for (let index = 0; index < ACCOUNTS; index += 1) {
    lines.push(`  - id: "${accountId(index)}"`, "    regions:");
    for (const region of REGIONS) {
      const count = index * REGIONS.length + REGIONS.indexOf(region) < BIG_TARGETS ? 3_000 : 3;
      lines.push(`      - {region: ${region}, generate: {count: ${count}}}`);
    }
  }
  return lines.join("\n");
}

describe("generate at scale", () => {
  const yamlText = bigScenario();

  // 8,000 calls each signed and verified (SigV4) make this the slowest test of the file.
  it("parses 2,000 accounts × 4 regions and answers one call per target", async () => {
    const scenario = parseScenario(yamlText);
    expect(scenario.accounts).toHaveLength(ACCOUNTS);
    const world = new World(scenario, "nonce");
    const clock = { elapsedMs: 0, wallClockMs: Date.now(), random: Math.random };
    const sizes = new Map<number, number>();
    let truncated = 0;
    for (const [index, account] of scenario.accounts.entries()) {
      const credentials = {
        accessKeyId: `ASIA${String(index).padStart(16, "0")}`,
        secretAccessKey: `secret-${index}`,
        sessionToken: `token-${index}`,
      };
      world.bindCredentials(credentials, {
        accountId: account.id,
        arn: `arn:aws:sts::${account.id}:assumed-role/reader/scale`,
        userId: `AROA:${index}`,
      });
      for (const region of REGIONS) {
        const call = await signedRequest("http://127.0.0.1:1", {
          service: "kms",
          region,
          target: "TrentService.DescribeCustomKeyStores",
          credentials,
        });
        const { outcome, facts } = await dispatch(call, world, clock);
        expect(facts).toMatchObject({ accountId: account.id, region });
        if (!("reply" in outcome)) throw new Error("no reply");
        expect(outcome.reply.status).toBe(200);
        const page = JSON.parse(outcome.reply.body) as {
          CustomKeyStores: unknown[];
          Truncated: boolean;
        };
        sizes.set(page.CustomKeyStores.length, (sizes.get(page.CustomKeyStores.length) ?? 0) + 1);
        if (page.Truncated) truncated += 1;
      }
    }
    // The 3,000-store targets answer a full first page of 1,000 and a marker.
    expect(Object.fromEntries(sizes)).toEqual({
      3: ACCOUNTS * REGIONS.length - BIG_TARGETS,
      1000: BIG_TARGETS,
    });
    expect(truncated).toBe(BIG_TARGETS);
  }, 120_000);

  it("generates a target's stores once and reuses them for every call", () => {
    const world = new World(parseScenario(yamlText), "nonce");
    const target = world.target(accountId(0), "us-east-1");
    const first = target.stores;
    expect(first).toHaveLength(3_000);
    expect(world.target(accountId(0), "us-east-1").stores).toBe(first);
  });

  it("serves the SDK: a 3,000-store target, ListAccounts over 2,000 members", async () => {
    const simulator = await startSimulator({ scenario: parseScenario(yamlText) });
    try {
      const page = await kmsClient(simulator).send(new DescribeCustomKeyStoresCommand({}));
      expect(page.CustomKeyStores).toHaveLength(1_000);
      const client = organizationsClient(simulator);
      let token: string | undefined;
      let members = 0;
      do {
        const answer = await client.send(new ListAccountsCommand({ NextToken: token }));
        members += answer.Accounts?.length ?? 0;
        token = answer.NextToken;
      } while (token !== undefined);
      expect(members).toBe(ACCOUNTS);
      expect(simulator.callCount({ operation: "ListAccounts" })).toBe(ACCOUNTS / 20);
    } finally {
      await simulator.close();
    }
  });
});
