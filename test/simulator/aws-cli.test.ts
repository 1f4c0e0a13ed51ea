import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { paginateDescribeCustomKeyStores } from "@aws-sdk/client-kms";
import { expect, it } from "vitest";
import { kmsClient, simulate } from "../helpers/simulator.js";
import { toolOrSkipReason } from "../helpers/tools.js";

const aws = toolOrSkipReason("aws");

const FIVE_STORES_TWO_PER_PAGE = `
pageSize: 2
accounts:
  - id: "000000000000"
    regions:
      - region: us-east-1
        generate: {count: 5, type: EXTERNAL_KEY_STORE, state: FAILED, errorCode: XKS_PROXY_NOT_REACHABLE}
`;

it.skipIf("skip" in aws)(
  "the AWS CLI pages through the same stores as the SDK",
  async () => {
    const simulator = await simulate(FIVE_STORES_TWO_PER_PAGE);
    const sdkIds: string[] = [];
    for await (const page of paginateDescribeCustomKeyStores(
      { client: kmsClient(simulator) },
      {},
    )) {
      sdkIds.push(...(page.CustomKeyStores ?? []).map((store) => store.CustomKeyStoreId ?? ""));
    }
    const { stdout } = await promisify(execFile)(
      "path" in aws ? aws.path : "aws",
      [
        "kms",
        "describe-custom-key-stores",
        "--endpoint-url",
        simulator.url,
        "--region",
        "us-east-1",
        "--output",
        "json",
      ],
      {
        env: {
          PATH: process.env.PATH,
          HOME: process.env.HOME,
          AWS_ACCESS_KEY_ID: "AKIAFAKEFAKEFAKEFAKE",
          AWS_SECRET_ACCESS_KEY: "fake-secret",
          AWS_CONFIG_FILE: "/dev/null",
          AWS_SHARED_CREDENTIALS_FILE: "/dev/null",
          AWS_PAGER: "",
        },
      },
    );
    const cliIds = (
      JSON.parse(stdout) as { CustomKeyStores: { CustomKeyStoreId: string }[] }
    ).CustomKeyStores.map((store) => store.CustomKeyStoreId);
    expect(sdkIds).toHaveLength(5);
    expect(cliIds).toEqual(sdkIds);
    // Three pages each for the SDK and the CLI.
    expect(simulator.callCount({ operation: "DescribeCustomKeyStores", region: "us-east-1" })).toBe(
      6,
    );
  },
  30_000,
);
