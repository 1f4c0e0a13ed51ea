import { fileURLToPath } from "node:url";
import { DescribeCustomKeyStoresCommand } from "@aws-sdk/client-kms";
import { fromTemporaryCredentials } from "@aws-sdk/credential-providers";
import { describe, expect, it } from "vitest";
import { loadScenarioFile, type Simulator, startSimulator } from "../../src/simulator/index.js";
import { FAKE_CREDENTIALS, kmsClient } from "../helpers/simulator.js";

const demo = loadScenarioFile(fileURLToPath(new URL("../../scenarios/demo.yaml", import.meta.url)));

function describeAs(simulator: Simulator, accountId: string, region: string) {
  const credentials = fromTemporaryCredentials({
    params: {
      RoleArn: `arn:aws:iam::${accountId}:role/kms-keystore-exporter`,
      RoleSessionName: "demo",
    },
    masterCredentials: FAKE_CREDENTIALS,
    clientConfig: { endpoint: simulator.url, region, maxAttempts: 1 },
  });
  const client = kmsClient(simulator, region, credentials);
  return () => client.send(new DescribeCustomKeyStoresCommand({}));
}

describe("the demo scenario", () => {
  it("serves every target through assumed roles; identity-prod eu-west-1 is flaky", async () => {
    const simulator = await startSimulator({ scenario: demo });
    try {
      for (const account of demo.accounts) {
        for (const { region, stores } of account.regions) {
          const call = describeAs(simulator, account.id, region);
          if (account.id === "333333333333" && region === "eu-west-1") {
            const outcomes = await Promise.all(
              Array.from({ length: 30 }, () =>
                call().then(
                  () => "ok",
                  (error: Error) => error.name,
                ),
              ),
            );
            expect(new Set(outcomes)).toEqual(new Set(["ok", "KMSInternalException"]));
          } else {
            const answer = await call();
            expect(answer.CustomKeyStores?.map((store) => store.CustomKeyStoreId)).toEqual(
              stores.map((store) => store.id),
            );
          }
        }
      }
    } finally {
      await simulator.close();
    }
  });
});
