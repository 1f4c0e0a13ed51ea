import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { describe, expect, it } from "vitest";
import { awsSettingsFor, createRequestHandler } from "../../src/aws/clients.js";
import { CloudHsmClient, cloudHsmEndpoint } from "../../src/aws/cloudhsm-client.js";
import { classifyError } from "../../src/aws/errors.js";
import { FAKE_CREDENTIALS, simulate } from "../helpers/simulator.js";

const SCENARIO = `
accounts:
  - id: "000000000000"
    regions:
      - region: eu-west-1
        pageSize: 1
        stores:
          - {id: cks-a, name: a, state: CONNECTED, cloudHsmClusterId: cluster-aaaaaaaaaaa}
          - {id: cks-b, name: b, state: CONNECTED, cloudHsmClusterId: cluster-bbbbbbbbbbb}
        clusters:
          - id: cluster-aaaaaaaaaaa
            state: DEGRADED
            hsms: [{availabilityZone: eu-west-1c, state: DEGRADED}]
        faults: [{operation: DescribeClusters, kind: html-5xx, calls: [3]}]
`;

function clientFor(url: string, region = "eu-west-1") {
  const requestHandler = createRequestHandler(awsSettingsFor(2_000), 4);
  return new CloudHsmClient({
    region,
    credentials: async () => FAKE_CREDENTIALS,
    endpoint: url,
    requestHandler,
  });
}

const signal = () => new AbortController().signal;

describe("CloudHsmClient (DescribeClusters signed by hand)", () => {
  it("is accepted by a server that checks the signing name, and pages with NextToken", async () => {
    const simulator = await simulate(SCENARIO);
    const client = clientFor(simulator.url);
    const filter = { Filters: { clusterIds: ["cluster-aaaaaaaaaaa", "cluster-bbbbbbbbbbb"] } };
    const first = await client.describeClusters(filter, { abortSignal: signal() });
    expect(first.Clusters).toMatchObject([
      {
        ClusterId: "cluster-aaaaaaaaaaa",
        State: "DEGRADED",
        Hsms: [{ AvailabilityZone: "eu-west-1c", State: "DEGRADED" }],
      },
    ]);
    const second = await client.describeClusters(
      { ...filter, NextToken: first.NextToken as string },
      { abortSignal: signal() },
    );
    expect(second.Clusters?.map((cluster) => [cluster.ClusterId, cluster.Hsms?.length])).toEqual([
      ["cluster-bbbbbbbbbbb", 2],
    ]);
    expect(second.NextToken).toBeUndefined();
    // The third call meets an HTML 503: named by its status, and retryable.
    const error = await client
      .describeClusters(filter, { abortSignal: signal() })
      .catch((caught: unknown) => caught);
    expect(classifyError(error)).toEqual({ name: "HTTP503", retryable: true });
    const calls = simulator.calls.filter((call) => call.operation === "DescribeClusters");
    expect(calls.map((call) => [call.region, call.status])).toEqual([
      ["eu-west-1", 200],
      ["eu-west-1", 200],
      ["eu-west-1", 503],
    ]);
  });

  it("names AWS errors as the SDK does and refuses a body that is not JSON", async () => {
    const answers = [
      {
        status: 400,
        headers: { "x-amzn-ErrorType": "CloudHsmAccessDeniedException:http://internal" },
        body: '{"message":"denied"}',
      },
      {
        status: 400,
        headers: {},
        body: '{"__type":"aws.cloudhsm#CloudHsmInvalidRequestException"}',
      },
      { status: 200, headers: {}, body: "<html>" },
    ];
    const server = createServer((_request, response) => {
      const answer = answers.shift();
      response.writeHead(answer?.status ?? 500, answer?.headers);
      response.end(answer?.body);
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const { port } = server.address() as AddressInfo;
    const client = clientFor(`http://127.0.0.1:${port}`);
    const names: unknown[] = [];
    for (let i = 0; i < 3; i++) {
      const error = await client.describeClusters({}, { abortSignal: signal() }).catch((e) => e);
      names.push([classifyError(error).name, (error as Error).message]);
    }
    server.close();
    expect(names).toEqual([
      ["CloudHsmAccessDeniedException", "denied"],
      ["CloudHsmInvalidRequestException", "HTTP 400"],
      ["InvalidResponse", "DescribeClusters answer is not JSON"],
    ]);
  });

  it("goes to AWS's endpoint for the partition unless one is set", () => {
    expect(cloudHsmEndpoint("eu-west-1", undefined, {}).href).toBe(
      "https://cloudhsmv2.eu-west-1.amazonaws.com/",
    );
    expect(cloudHsmEndpoint("cn-north-1", undefined, {}).host).toBe(
      "cloudhsmv2.cn-north-1.amazonaws.com.cn",
    );
    expect(
      cloudHsmEndpoint("us-east-1", undefined, { AWS_ENDPOINT_URL: "http://127.0.0.1:1" }).host,
    ).toBe("127.0.0.1:1");
    expect(
      cloudHsmEndpoint("us-east-1", undefined, {
        AWS_ENDPOINT_URL: "http://127.0.0.1:1",
        AWS_ENDPOINT_URL_CLOUDHSM_V2: "http://127.0.0.1:2",
      }).host,
    ).toBe("127.0.0.1:2");
    expect(
      cloudHsmEndpoint("us-east-1", "http://127.0.0.1:3", {
        AWS_ENDPOINT_URL_CLOUDHSM_V2: "http://127.0.0.1:2",
      }).host,
    ).toBe("127.0.0.1:3");
  });
});
