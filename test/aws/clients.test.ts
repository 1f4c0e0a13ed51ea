import { DescribeCustomKeyStoresCommand } from "@aws-sdk/client-kms";
import { describe, expect, it } from "vitest";
import {
  awsSettingsFor,
  clientOptions,
  createKmsClient,
  createRequestHandler,
} from "../../src/aws/clients.js";
import { FAKE_CREDENTIALS, simulate } from "../helpers/simulator.js";

describe("AWS clients", () => {
  it("bounds one HTTP attempt by the poll timeout, at most 10 s", () => {
    expect(awsSettingsFor(4_000).requestTimeoutMs).toBe(4_000);
    expect(awsSettingsFor(30_000).requestTimeoutMs).toBe(10_000);
    expect(awsSettingsFor(30_000, { endpoint: "http://127.0.0.1:1" }).endpoint).toBe(
      "http://127.0.0.1:1",
    );
  });

  it("leaves the endpoint and credentials to the SDK unless given", () => {
    const handler = createRequestHandler(awsSettingsFor(5_000), 4);
    const options = clientOptions("eu-west-1", undefined, awsSettingsFor(5_000), handler);
    expect(options).toEqual({ region: "eu-west-1", requestHandler: handler });
    handler.destroy();
  });

  it("makes KMS clients that try once: the poller's retry policy is the only one", async () => {
    const simulator = await simulate(
      'defaultAccountId: "111111111111"\naccounts:\n  - id: "111111111111"\n    regions:\n      - region: us-east-1\n        faults: [{kind: internal-error, calls: [1, 2, 3]}]\n',
    );
    const settings = awsSettingsFor(5_000, {
      endpoint: simulator.url,
      baseCredentials: async () => FAKE_CREDENTIALS,
    });
    const handler = createRequestHandler(settings, 4);
    const client = createKmsClient("us-east-1", settings.baseCredentials, settings, handler);
    await expect(client.send(new DescribeCustomKeyStoresCommand({}))).rejects.toMatchObject({
      name: "KMSInternalException",
    });
    expect(simulator.callCount({ operation: "DescribeCustomKeyStores" })).toBe(1);
    handler.destroy();
  });
});
