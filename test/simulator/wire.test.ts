import { describe, expect, it } from "vitest";
import { simulate } from "../helpers/simulator.js";

const SCENARIO = `
accounts:
  - id: "000000000000"
    regions:
      - region: us-east-1
        stores: [{id: cks-00000000000000001, name: one, state: CONNECTED}]
        faults: [{kind: hang, calls: [2, 3]}]
`;

const SIGNED =
  "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20261128/us-east-1/kms/aws4_request, SignedHeaders=host, Signature=00";

function kmsRequest(headers: Record<string, string>, body = "{}"): RequestInit {
  return {
    method: "POST",
    headers: { "Content-Type": "application/x-amz-json-1.1", ...headers },
    body,
  };
}

describe("raw wire behaviour", () => {
  it("answers with a request id, a current Date and the KMS JSON content type", async () => {
    const simulator = await simulate(SCENARIO);
    const response = await fetch(
      simulator.url,
      kmsRequest({ "X-Amz-Target": "TrentService.DescribeCustomKeyStores", Authorization: SIGNED }),
    );
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("application/x-amz-json-1.1");
    expect(response.headers.get("x-amzn-requestid")).toMatch(/^[0-9a-f-]{36}$/);
    const skew = Math.abs(Date.parse(response.headers.get("date") ?? "") - Date.now());
    expect(skew).toBeLessThan(5_000);
    const body = await response.json();
    expect(body).toEqual({
      CustomKeyStores: [
        {
          CustomKeyStoreId: "cks-00000000000000001",
          CustomKeyStoreName: "one",
          CustomKeyStoreType: "AWS_CLOUDHSM",
          ConnectionState: "CONNECTED",
          CreationDate: Date.parse("2024-01-02T03:04:05Z") / 1000,
        },
      ],
      Truncated: false,
    });
  });

  it.each([
    [
      "a missing Authorization header",
      { "X-Amz-Target": "TrentService.DescribeCustomKeyStores" },
      "MissingAuthenticationTokenException",
    ],
    [
      "an unimplemented KMS operation",
      { "X-Amz-Target": "TrentService.ListAliases", Authorization: SIGNED },
      "UnknownOperationException",
    ],
    [
      "another service's target",
      { "X-Amz-Target": "AmazonSSM.GetParameter", Authorization: SIGNED },
      "UnknownOperationException",
    ],
    ["no target and no Action", { Authorization: SIGNED }, "UnknownOperationException"],
  ])("rejects %s", async (_, headers, name) => {
    const simulator = await simulate(SCENARIO);
    const response = await fetch(simulator.url, kmsRequest(headers));
    expect(response.status).toBe(400);
    expect(response.headers.get("x-amzn-errortype")).toBe(name);
    expect(await response.json()).toMatchObject({ __type: name });
  });

  it.each([
    ["BaldrApiService.DescribeClusters", "cloudhsm"],
    ["GraniteServiceVersion20100801.GetMetricData", "monitoring"],
  ])("refuses %s signed for kms instead of %s, as AWS does", async (target, service) => {
    const simulator = await simulate(SCENARIO);
    const response = await fetch(
      simulator.url,
      kmsRequest({ "X-Amz-Target": target, Authorization: SIGNED }),
    );
    expect(response.status).toBe(403);
    expect(await response.json()).toMatchObject({
      __type: "InvalidSignatureException",
      message: `Credential should be scoped to correct service: '${service}'.`,
    });
  });

  it("answers an unknown STS action with an awsQuery error", async () => {
    const simulator = await simulate(SCENARIO);
    const response = await fetch(simulator.url, {
      method: "POST",
      headers: { "Content-Type": "application/x-www-form-urlencoded", Authorization: SIGNED },
      body: "Action=GetSessionToken&Version=2011-06-15",
    });
    expect(response.status).toBe(400);
    expect(await response.text()).toMatch(/<Code>InvalidAction<\/Code>/);
  });

  it("hangs until the client gives up, and close() still resolves promptly", async () => {
    const simulator = await simulate(SCENARIO);
    const describe = (signal?: AbortSignal) =>
      fetch(simulator.url, {
        ...kmsRequest({
          "X-Amz-Target": "TrentService.DescribeCustomKeyStores",
          Authorization: SIGNED,
        }),
        ...(signal ? { signal } : {}),
      });
    expect((await describe()).status).toBe(200);
    const aborted = await describe(AbortSignal.timeout(200)).catch((error: Error) => error);
    expect((aborted as Error).name).toBe("TimeoutError");
    const hung = describe().catch((error: Error) => error);
    await new Promise((resolve) => setTimeout(resolve, 50));
    const started = performance.now();
    await simulator.close();
    expect(performance.now() - started).toBeLessThan(500);
    expect(await hung).toBeInstanceOf(Error);
  });
});
