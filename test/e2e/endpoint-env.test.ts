import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { PACKAGE_ROOT } from "../../src/package/version.js";
import { parseScenario, startSimulator } from "../../src/simulator/index.js";
import { startCli, waitForReady } from "../helpers/cli.js";
import { parseExposition, samplesNamed } from "../helpers/exposition.js";

describe("the CLI against AWS_ENDPOINT_URL, with the SDK's default credential chain", () => {
  it("finds its own account with GetCallerIdentity and polls it, credentials from the environment", async () => {
    const scenario = {
      ...parseScenario(readFileSync(join(PACKAGE_ROOT, "scenarios", "example-small.yaml"), "utf8")),
      credentials: [{ accessKeyId: "AKIAENVENVENVENVENV1", secretAccessKey: "env-secret" }],
    };
    const simulator = await startSimulator({ scenario });
    try {
      const cli = await startCli([], {
        AWS_ENDPOINT_URL: simulator.url,
        AWS_ACCESS_KEY_ID: "AKIAENVENVENVENVENV1",
        AWS_SECRET_ACCESS_KEY: "env-secret",
        AWS_REGION: "us-east-1",
        // Keep the machine's own AWS config out of the chain.
        AWS_CONFIG_FILE: "/dev/null",
        AWS_SHARED_CREDENTIALS_FILE: "/dev/null",
        AWS_EC2_METADATA_DISABLED: "true",
      });
      await waitForReady(cli.url);
      const samples = parseExposition(await (await fetch(`${cli.url}/metrics`)).text());
      const ids = samplesNamed(samples, "aws_kms_custom_key_store_info", {
        account_id: "111111111111",
      })
        .map((sample) => sample.labels.custom_key_store_id)
        .sort();
      expect(ids).toEqual(
        scenario.accounts[0]?.regions[0]?.stores?.map((store) => store.id).sort(),
      );
      expect(simulator.callCount({ operation: "GetCallerIdentity" })).toBe(1);
      cli.child.kill("SIGTERM");
      expect((await cli.exit).code).toBe(0);
      expect(cli.stdout()).not.toContain("env-secret");
    } finally {
      await simulator.close();
    }
  });
});
