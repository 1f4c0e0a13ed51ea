import {
  CloudWatchClient,
  GetMetricDataCommand,
  type MetricDataQuery,
} from "@aws-sdk/client-cloudwatch";
import { describe, expect, it } from "vitest";
import { FAKE_CREDENTIALS, simulate } from "../helpers/simulator.js";

const SCENARIO = `
accounts:
  - id: "000000000000"
    regions:
      - region: us-east-1
        pageSize: 2
        stores:
          - id: cks-x
            name: x
            type: EXTERNAL_KEY_STORE
            state: CONNECTED
            xksMetrics: {latencyMs: 12, errors: {"Retryable errors": 3}}
        faults: [{operation: GetMetricData, kind: access-denied, calls: [3]}]
`;

function client(url: string) {
  return new CloudWatchClient({
    region: "us-east-1",
    endpoint: url,
    credentials: FAKE_CREDENTIALS,
    maxAttempts: 1,
  });
}

function latency(id: string, storeId = "cks-x"): MetricDataQuery {
  return {
    Id: id,
    MetricStat: {
      Metric: {
        Namespace: "AWS/KMS",
        MetricName: "XksProxyLatency",
        Dimensions: [{ Name: "CustomKeyStoreId", Value: storeId }],
      },
      Period: 300,
      Stat: "Average",
    },
  };
}

const WINDOW = { StartTime: new Date(1_800_000_000_000), EndTime: new Date(1_800_000_900_000) };

describe("the simulator's CloudWatch GetMetricData (awsJson1_0, query-compatible)", () => {
  it("answers with the newest whole period, spreads results over pages, and scripts faults", async () => {
    const simulator = await simulate(SCENARIO);
    const cloudwatch = client(simulator.url);
    const first = await cloudwatch.send(
      new GetMetricDataCommand({
        ...WINDOW,
        MetricDataQueries: [latency("a"), latency("b", "cks-unknown"), latency("c")],
      }),
    );
    expect(first.MetricDataResults?.map((result) => result.Id)).toEqual(["a", "b"]);
    expect(first.MetricDataResults?.[0]).toMatchObject({
      Values: [12],
      Timestamps: [new Date(1_800_000_600_000)],
      StatusCode: "Complete",
    });
    expect(first.MetricDataResults?.[1]).toMatchObject({ Values: [], StatusCode: "Complete" });
    const second = await cloudwatch.send(
      new GetMetricDataCommand({
        ...WINDOW,
        MetricDataQueries: [latency("a"), latency("b", "cks-unknown"), latency("c")],
        NextToken: first.NextToken,
      }),
    );
    expect(second.MetricDataResults?.map((result) => result.Id)).toEqual(["c"]);
    expect(second.NextToken).toBeUndefined();
    await expect(
      cloudwatch.send(new GetMetricDataCommand({ ...WINDOW, MetricDataQueries: [latency("a")] })),
    ).rejects.toMatchObject({ name: "AccessDenied", $metadata: { httpStatusCode: 403 } });
    expect(simulator.callCount({ operation: "GetMetricData" })).toBe(3);
  });

  it("refuses more than 500 queries a call and duplicate ids, as CloudWatch does", async () => {
    const simulator = await simulate(SCENARIO.replace(/^ *faults:.*$/m, ""));
    const cloudwatch = client(simulator.url);
    const queries = Array.from({ length: 501 }, (_, index) => latency(`q${index}`));
    await expect(
      cloudwatch.send(new GetMetricDataCommand({ ...WINDOW, MetricDataQueries: queries })),
    ).rejects.toMatchObject({
      name: "InvalidParameterValueException",
      $metadata: { httpStatusCode: 400 },
    });
    await expect(
      cloudwatch.send(
        new GetMetricDataCommand({ ...WINDOW, MetricDataQueries: queries.slice(0, 500) }),
      ),
    ).resolves.toMatchObject({ NextToken: expect.any(String) });
    await expect(
      cloudwatch.send(
        new GetMetricDataCommand({ ...WINDOW, MetricDataQueries: [latency("a"), latency("a")] }),
      ),
    ).rejects.toMatchObject({ name: "InvalidParameterValueException" });
  });
});
