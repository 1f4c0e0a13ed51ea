import { describe, expect, it } from "vitest";
import { asFetch, type SignedCall, signedRequest, simulate } from "../helpers/simulator.js";
import { until } from "../helpers/wait.js";

const SCENARIO = `
accounts:
  - id: "000000000000"
    regions:
      - region: us-east-1
        stores: [{id: cks-00000000000000001, name: one, state: CONNECTED}]
        faults: [{kind: hang, calls: [2, 3]}]
`;

const DESCRIBE = "TrentService.DescribeCustomKeyStores";

/** A raw request signed as the SDK signs it, by default a KMS DescribeCustomKeyStores. */
async function signed(url: string, call: Partial<SignedCall> = {}): Promise<RequestInit> {
  return asFetch(await signedRequest(url, { service: "kms", target: DESCRIBE, ...call }));
}

describe("raw wire behaviour", () => {
  it("answers with a request id, a current Date and the KMS JSON content type", async () => {
    const simulator = await simulate(SCENARIO);
    const before = Date.now();
    const response = await fetch(simulator.url, await signed(simulator.url));
    const after = Date.now();
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("application/x-amz-json-1.1");
    expect(response.headers.get("x-amzn-requestid")).toMatch(/^[0-9a-f-]{36}$/);
    // Written while the request was under way (an HTTP date has whole seconds), however long
    // that took.
    const date = Date.parse(response.headers.get("date") ?? "");
    expect(date).toBeGreaterThanOrEqual(Math.floor(before / 1_000) * 1_000);
    expect(date).toBeLessThanOrEqual(after);
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

  it("refuses a request without an Authorization header", async () => {
    const simulator = await simulate(SCENARIO);
    const { headers, body } = await signed(simulator.url);
    const { authorization: _, ...unsigned } = headers as Record<string, string>;
    const response = await fetch(simulator.url, { method: "POST", headers: unsigned, body });
    expect(response.status).toBe(400);
    expect(response.headers.get("x-amzn-errortype")).toBe("MissingAuthenticationTokenException");
  });

  it.each([
    ["an unimplemented KMS operation", { target: "TrentService.ListAliases" }],
    ["another service's target", { target: "AmazonSSM.GetParameter" }],
    ["no target and no Action", { target: "", body: "" }],
  ])("rejects %s", async (_, call) => {
    const simulator = await simulate(SCENARIO);
    const init = await signed(simulator.url, call);
    if (call.target === "") delete (init.headers as Record<string, string>)["x-amz-target"];
    const response = await fetch(simulator.url, init);
    expect(response.status).toBe(400);
    expect(response.headers.get("x-amzn-errortype")).toBe("UnknownOperationException");
    expect(await response.json()).toMatchObject({ __type: "UnknownOperationException" });
  });

  it.each([
    ["BaldrApiService.DescribeClusters", "cloudhsm"],
    ["GraniteServiceVersion20100801.GetMetricData", "monitoring"],
  ])("refuses %s signed for kms instead of %s, as AWS does", async (target, service) => {
    const simulator = await simulate(SCENARIO);
    const response = await fetch(simulator.url, await signed(simulator.url, { target }));
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({
      __type: "InvalidSignatureException",
      message: `Credential should be scoped to correct service: '${service}'.`,
    });
  });

  it("answers an unknown STS action with an awsQuery error", async () => {
    const simulator = await simulate(SCENARIO);
    const response = await fetch(
      simulator.url,
      asFetch(
        await signedRequest(simulator.url, {
          service: "sts",
          body: "Action=GetSessionToken&Version=2011-06-15",
        }),
      ),
    );
    expect(response.status).toBe(400);
    expect(await response.text()).toMatch(/<Code>InvalidAction<\/Code>/);
  });

  it("hangs until the client gives up, and close() still resolves promptly", async () => {
    const simulator = await simulate(SCENARIO);
    const describe = async (signal?: AbortSignal) =>
      fetch(simulator.url, { ...(await signed(simulator.url)), ...(signal ? { signal } : {}) });
    expect((await describe()).status).toBe(200);
    const aborted = await describe(AbortSignal.timeout(200)).catch((error: Error) => error);
    expect((aborted as Error).name).toBe("TimeoutError");
    const hung = describe().catch((error: Error) => error);
    await until(() => simulator.calls.length === 3);
    // The call never ends by itself: only close() can end it.
    await simulator.close();
    expect(await hung).toBeInstanceOf(Error);
  });
});
