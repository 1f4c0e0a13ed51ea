import type { CustomKeyStoresListEntry } from "@aws-sdk/client-kms";
import { describe, expect, it } from "vitest";
import { InvalidResponseError, pageEntries, toKeyStore } from "../../src/poller/response.js";

const ID = "cks-0123456789abcdef0";

/** An entry as the SDK parses it; the casts let a test send what a broken server might. */
function entry(fields: Record<string, unknown>): CustomKeyStoresListEntry {
  return { CustomKeyStoreId: ID, ConnectionState: "CONNECTED", ...fields } as never;
}

describe("toKeyStore", () => {
  it("keeps every exported field of a full XKS entry", () => {
    expect(
      toKeyStore(
        entry({
          CustomKeyStoreName: "payments-xks",
          CustomKeyStoreType: "EXTERNAL_KEY_STORE",
          ConnectionState: "FAILED",
          ConnectionErrorCode: "XKS_PROXY_TIMED_OUT",
          CreationDate: new Date(1_700_000_000_500),
          CloudHsmClusterId: "cluster-1a23b4cdefg",
          XksProxyConfiguration: {
            Connectivity: "VPC_ENDPOINT_SERVICE",
            UriEndpoint: "https://xks.example.com",
            UriPath: "/kms/xks/v1",
            VpcEndpointServiceName: "com.amazonaws.vpce.us-east-1.vpce-svc-1",
            AccessKeyId: "never exported",
          },
        }),
      ),
    ).toEqual({
      id: ID,
      name: "payments-xks",
      type: "EXTERNAL_KEY_STORE",
      state: "FAILED",
      errorCode: "XKS_PROXY_TIMED_OUT",
      creationTimeSeconds: 1_700_000_000.5,
      cloudHsmClusterId: "cluster-1a23b4cdefg",
      xksProxyConnectivity: "VPC_ENDPOINT_SERVICE",
      xksProxyUriEndpoint: "https://xks.example.com",
      xksProxyUriPath: "/kms/xks/v1",
      xksProxyVpcEndpointServiceName: "com.amazonaws.vpce.us-east-1.vpce-svc-1",
    });
  });

  it("fills what a minimal entry leaves out: empty strings, a CloudHSM type, no error", () => {
    expect(toKeyStore(entry({}))).toEqual({
      id: ID,
      name: "",
      type: "AWS_CLOUDHSM",
      state: "CONNECTED",
      errorCode: undefined,
      creationTimeSeconds: undefined,
      cloudHsmClusterId: "",
      xksProxyConnectivity: "",
      xksProxyUriEndpoint: "",
      xksProxyUriPath: "",
      xksProxyVpcEndpointServiceName: "",
    });
  });

  it("treats JSON null like an absent field, and an empty error code as none", () => {
    const store = toKeyStore(
      entry({
        CustomKeyStoreName: null,
        CustomKeyStoreType: null,
        ConnectionErrorCode: "",
        CloudHsmClusterId: null,
        XksProxyConfiguration: { UriPath: null },
      }),
    );
    expect(store).toMatchObject({ name: "", type: "AWS_CLOUDHSM", errorCode: undefined });
    expect(store.xksProxyUriPath).toBe("");
  });

  it.each([
    [{ CustomKeyStoreId: undefined }, "a store has no CustomKeyStoreId"],
    [{ CustomKeyStoreId: "" }, "a store has no CustomKeyStoreId"],
    [{ CustomKeyStoreId: 42 }, "a store has no CustomKeyStoreId"],
    [{ ConnectionState: undefined }, `store ${ID}: no ConnectionState`],
    [{ ConnectionState: "" }, `store ${ID}: no ConnectionState`],
    [{ ConnectionState: 1 }, `store ${ID}: ConnectionState is not a string`],
    [{ CreationDate: "2024-01-01" }, `store ${ID}: CreationDate is not a date`],
    [{ CreationDate: new Date(Number.NaN) }, `store ${ID}: CreationDate is not a date`],
    [{ CustomKeyStoreName: ["a"] }, `store ${ID}: CustomKeyStoreName is not a string`],
    [{ CustomKeyStoreType: 7 }, `store ${ID}: CustomKeyStoreType is not a string`],
    [{ ConnectionErrorCode: {} }, `store ${ID}: ConnectionErrorCode is not a string`],
    [{ CloudHsmClusterId: true }, `store ${ID}: CloudHsmClusterId is not a string`],
    [
      { CustomKeyStoreId: "c".repeat(65) },
      "CustomKeyStoreId length limit: 65 characters, more than 64",
    ],
    [
      { CustomKeyStoreName: "n".repeat(257) },
      `store ${ID}: CustomKeyStoreName length limit: 257 characters, more than 256`,
    ],
    [
      { ConnectionErrorCode: "E".repeat(257) },
      `store ${ID}: ConnectionErrorCode length limit: 257 characters, more than 256`,
    ],
    [
      { CloudHsmClusterId: "cluster-a b" },
      `store ${ID}: CloudHsmClusterId pattern: not ^[A-Za-z0-9-]{1,64}$`,
    ],
    [
      { CloudHsmClusterId: `cluster-${"a".repeat(57)}` },
      `store ${ID}: CloudHsmClusterId pattern: not ^[A-Za-z0-9-]{1,64}$`,
    ],
    [{ XksProxyConfiguration: "x" }, `store ${ID}: XksProxyConfiguration is not an object`],
    [{ XksProxyConfiguration: [] }, `store ${ID}: XksProxyConfiguration is not an object`],
    [
      { XksProxyConfiguration: { Connectivity: 1 } },
      `store ${ID}: XksProxyConfiguration.Connectivity is not a string`,
    ],
    [
      { XksProxyConfiguration: { UriEndpoint: 1 } },
      `store ${ID}: XksProxyConfiguration.UriEndpoint is not a string`,
    ],
    [
      { XksProxyConfiguration: { UriPath: 1 } },
      `store ${ID}: XksProxyConfiguration.UriPath is not a string`,
    ],
    [
      { XksProxyConfiguration: { VpcEndpointServiceName: 1 } },
      `store ${ID}: XksProxyConfiguration.VpcEndpointServiceName is not a string`,
    ],
  ])("rejects %j: %s", (fields, message) => {
    let thrown: unknown;
    try {
      toKeyStore(entry(fields));
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(InvalidResponseError);
    expect(thrown).toMatchObject({ name: "InvalidResponse", message });
  });
});

describe("pageEntries", () => {
  const bounds = { limit: 3, storesSoFar: 0, maxStores: 5 };
  const ok = { CustomKeyStoreId: ID, ConnectionState: "CONNECTED" };

  it("hands back the entries of a well-formed answer, an empty list included", () => {
    expect(pageEntries({ Truncated: false, CustomKeyStores: [ok] }, bounds)).toEqual([ok]);
    expect(pageEntries({ Truncated: true, CustomKeyStores: [] }, bounds)).toEqual([]);
    const full = { Truncated: false, CustomKeyStores: [ok, ok, ok] };
    expect(pageEntries(full, { ...bounds, storesSoFar: 2 })).toHaveLength(3);
  });

  it.each([
    [undefined, "the answer is not a JSON object"],
    [null, "the answer is not a JSON object"],
    ["x", "the answer is not a JSON object"],
    [{}, "the answer has no boolean Truncated"],
    [{ Truncated: "false", CustomKeyStores: [] }, "the answer has no boolean Truncated"],
    [{ Truncated: false }, "the answer has no CustomKeyStores list"],
    [{ Truncated: false, CustomKeyStores: null }, "the answer has no CustomKeyStores list"],
    [{ Truncated: false, CustomKeyStores: { a: 1 } }, "the answer has no CustomKeyStores list"],
    [{ Truncated: false, CustomKeyStores: [null] }, "a CustomKeyStores entry is not an object"],
    [{ Truncated: false, CustomKeyStores: ["x"] }, "a CustomKeyStores entry is not an object"],
    [{ Truncated: false, CustomKeyStores: [[]] }, "a CustomKeyStores entry is not an object"],
    [
      { Truncated: false, CustomKeyStores: [ok, ok, ok, ok] },
      "page limit: 4 stores in a page, more than the Limit of 3 sent",
    ],
  ])("rejects %j: %s", (page, message) => {
    expect(() => pageEntries(page, bounds)).toThrow(
      expect.objectContaining({ name: "InvalidResponse", message }),
    );
  });

  it("counts the stores of earlier pages against the cap", () => {
    const page = { Truncated: false, CustomKeyStores: [ok, ok] };
    expect(pageEntries(page, { ...bounds, storesSoFar: 3 })).toHaveLength(2);
    expect(() => pageEntries(page, { ...bounds, storesSoFar: 4 })).toThrow(
      "stores per target limit: more than 5 stores (maxStoresPerTarget)",
    );
  });
});
