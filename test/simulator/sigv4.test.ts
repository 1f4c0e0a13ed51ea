import { DescribeCustomKeyStoresCommand, KMSClient } from "@aws-sdk/client-kms";
import { AssumeRoleCommand, GetCallerIdentityCommand, STSClient } from "@aws-sdk/client-sts";
import { describe, expect, it } from "vitest";
import {
  asFetch,
  FAKE_CREDENTIALS,
  kmsClient,
  type SignedCall,
  signedRequest,
  simulate,
} from "../helpers/simulator.js";

const SCENARIO = `
accounts:
  - id: "111111111111"
    regions: [{region: eu-west-1, stores: [{id: cks-11111111111111111, name: one, state: CONNECTED}]}]
`;

const WRONG_SECRET = { ...FAKE_CREDENTIALS, secretAccessKey: "not/the/secret/the/simulator/holds" };

function failure(promise: Promise<unknown>) {
  return promise.then(
    () => {
      throw new Error("expected a refusal");
    },
    (error: Error & { $metadata?: { httpStatusCode?: number } }) => error,
  );
}

function sts(url: string, credentials = FAKE_CREDENTIALS) {
  return new STSClient({ region: "eu-west-1", endpoint: url, credentials, maxAttempts: 1 });
}

async function assumeRole(url: string) {
  const { Credentials: issued } = await sts(url).send(
    new AssumeRoleCommand({
      RoleArn: "arn:aws:iam::111111111111:role/reader",
      RoleSessionName: "sigv4",
    }),
  );
  return {
    accessKeyId: issued?.AccessKeyId ?? "",
    secretAccessKey: issued?.SecretAccessKey ?? "",
    sessionToken: issued?.SessionToken ?? "",
  };
}

describe("the simulator verifies SigV4 as AWS does", () => {
  it("accepts the SDK's signature with the static test credentials and with issued ones", async () => {
    const simulator = await simulate(SCENARIO);
    const role = await assumeRole(simulator.url);
    const page = await kmsClient(simulator, "eu-west-1", role).send(
      new DescribeCustomKeyStoresCommand({}),
    );
    expect(page.CustomKeyStores?.map((store) => store.CustomKeyStoreId)).toEqual([
      "cks-11111111111111111",
    ]);
    expect(
      simulator.callCount({ operation: "DescribeCustomKeyStores", accountId: "111111111111" }),
    ).toBe(1);
  });

  it("refuses a KMS request signed with the wrong secret: InvalidSignatureException, 400", async () => {
    const simulator = await simulate(SCENARIO);
    const error = await failure(
      kmsClient(simulator, "eu-west-1", WRONG_SECRET).send(new DescribeCustomKeyStoresCommand({})),
    );
    expect(error.name).toBe("InvalidSignatureException");
    expect(error.message).toMatch(/signature we calculated does not match/);
    expect(error.$metadata?.httpStatusCode).toBe(400);
  });

  it("refuses an STS request signed with the wrong secret: SignatureDoesNotMatch, 403", async () => {
    const simulator = await simulate(SCENARIO);
    const error = await failure(
      sts(simulator.url, WRONG_SECRET).send(new GetCallerIdentityCommand({})),
    );
    expect(error.name).toBe("SignatureDoesNotMatch");
    expect(error.$metadata?.httpStatusCode).toBe(403);
  });

  it("refuses issued credentials signed with a wrong secret or without their session token", async () => {
    const simulator = await simulate(SCENARIO);
    const role = await assumeRole(simulator.url);
    const describeWith = (credentials: typeof role | Omit<typeof role, "sessionToken">) =>
      failure(
        new KMSClient({
          region: "eu-west-1",
          endpoint: simulator.url,
          credentials,
          maxAttempts: 1,
        }).send(new DescribeCustomKeyStoresCommand({})),
      );
    expect((await describeWith({ ...role, secretAccessKey: "wrong" })).name).toBe(
      "InvalidSignatureException",
    );
    const { sessionToken: _, ...withoutToken } = role;
    expect((await describeWith(withoutToken)).name).toBe("UnrecognizedClientException");
    expect((await describeWith({ ...role, sessionToken: "another" })).name).toBe(
      "UnrecognizedClientException",
    );
  });

  it("refuses an access key id it never issued", async () => {
    const simulator = await simulate(SCENARIO);
    const stranger = { accessKeyId: "AKIASTRANGERSTRANGER", secretAccessKey: "s" };
    const kms = await failure(
      kmsClient(simulator, "eu-west-1", stranger).send(new DescribeCustomKeyStoresCommand({})),
    );
    expect([kms.name, kms.$metadata?.httpStatusCode]).toEqual(["UnrecognizedClientException", 400]);
    const query = await failure(
      sts(simulator.url, stranger).send(new GetCallerIdentityCommand({})),
    );
    expect([query.name, query.$metadata?.httpStatusCode]).toEqual(["InvalidClientTokenId", 403]);
  });

  it.each<[string, Partial<SignedCall>, string]>([
    ["KMS signed for sts", { service: "sts" }, "'kms'"],
    ["KMS signed for organizations", { service: "organizations" }, "'kms'"],
    [
      "Organizations signed for kms",
      { target: "AWSOrganizationsV20161128.ListAccounts" },
      "'organizations'",
    ],
  ])("refuses %s", async (_, call, expected) => {
    const simulator = await simulate(SCENARIO);
    const request = await signedRequest(simulator.url, {
      service: "kms",
      target: "TrentService.DescribeCustomKeyStores",
      ...call,
    });
    const response = await fetch(simulator.url, asFetch(request));
    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({
      __type: "InvalidSignatureException",
      message: `Credential should be scoped to correct service: ${expected}.`,
    });
  });

  it("refuses STS signed for kms with SignatureDoesNotMatch", async () => {
    const simulator = await simulate(SCENARIO);
    const request = await signedRequest(simulator.url, {
      service: "kms",
      body: "Action=GetCallerIdentity&Version=2011-06-15",
    });
    const response = await fetch(simulator.url, asFetch(request));
    expect(response.status).toBe(403);
    expect(await response.text()).toMatch(/<Code>SignatureDoesNotMatch<\/Code>/);
  });

  it("refuses a body changed after signing and a scope dated another day", async () => {
    const simulator = await simulate(SCENARIO);
    const tampered = await signedRequest(simulator.url, {
      service: "kms",
      target: "TrentService.DescribeCustomKeyStores",
    });
    const changed = await fetch(simulator.url, { ...asFetch(tampered), body: '{"Limit":1}' });
    expect(changed.status).toBe(400);
    expect(changed.headers.get("x-amzn-errortype")).toBe("InvalidSignatureException");

    const request = await signedRequest(simulator.url, {
      service: "kms",
      target: "TrentService.DescribeCustomKeyStores",
    });
    const headers = request.headers as Record<string, string>;
    headers.authorization = (headers.authorization ?? "").replace(/\/\d{8}\//, "/20000101/");
    const redated = await fetch(simulator.url, asFetch(request));
    expect(redated.status).toBe(400);
    expect(await redated.json()).toMatchObject({
      __type: "InvalidSignatureException",
      message: expect.stringMatching(/^Date in Credential scope does not match/),
    });
  });

  it("accepts the static credentials a scenario lists instead of the default pair", async () => {
    const simulator = await simulate(`
credentials: [{accessKeyId: AKIAOWNOWNOWNOWNOWN1, secretAccessKey: own-secret}]
`);
    const own = { accessKeyId: "AKIAOWNOWNOWNOWNOWN1", secretAccessKey: "own-secret" };
    expect((await sts(simulator.url, own).send(new GetCallerIdentityCommand({}))).Account).toBe(
      "000000000000",
    );
    const error = await failure(sts(simulator.url).send(new GetCallerIdentityCommand({})));
    expect(error.name).toBe("InvalidClientTokenId");
  });
});
