import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { paginateDescribeCustomKeyStores } from "@aws-sdk/client-kms";
import { expect, it } from "vitest";
import { FAKE_CREDENTIALS, kmsClient, simulate } from "../helpers/simulator.js";
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

const CLI_ENV = {
  PATH: process.env.PATH,
  HOME: process.env.HOME,
  AWS_ACCESS_KEY_ID: "AKIAFAKEFAKEFAKEFAKE",
  AWS_SECRET_ACCESS_KEY: FAKE_CREDENTIALS.secretAccessKey,
  AWS_CONFIG_FILE: "/dev/null",
  AWS_SHARED_CREDENTIALS_FILE: "/dev/null",
  AWS_PAGER: "",
};

it.skipIf("skip" in aws)(
  "the AWS CLI pages through Organizations ListAccounts",
  async () => {
    const members = Array.from({ length: 7 }, (_, index) => `{id: "${100_000_000_000 + index}"}`);
    const simulator = await simulate(`
defaultAccountId: "100000000000"
organizations: {managementAccountId: "100000000000", pageSize: 3}
accounts: [${members.join(", ")}]
`);
    const { stdout } = await promisify(execFile)(
      "path" in aws ? aws.path : "aws",
      ["organizations", "list-accounts", "--endpoint-url", simulator.url, "--output", "json"],
      { env: { ...CLI_ENV, AWS_DEFAULT_REGION: "us-east-1" } },
    );
    const accounts = (JSON.parse(stdout) as { Accounts: { Id: string; Status: string }[] })
      .Accounts;
    expect(accounts.map((account) => account.Id)).toEqual(
      Array.from({ length: 7 }, (_, index) => String(100_000_000_000 + index)),
    );
    expect(simulator.callCount({ operation: "ListAccounts" })).toBe(3);
  },
  30_000,
);

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
      { env: CLI_ENV },
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
