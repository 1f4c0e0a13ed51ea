import {
  CloudWatchClient,
  GetMetricDataCommand,
  ListMetricsCommand,
  type ListMetricsCommandInput,
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
            xksMetrics:
              certificates: {proxy-a: 5, proxy-b: 40}
              credentialAgeDays: 12
              operations:
                - kmsOperation: Encrypt
                  xksOperation: Encrypt
                  successes: 600
                  errors: [{errorType: Retryable errors, exceptionName: XksProxyUriUnreachableException, count: 7}]
                  latency: {count: 10, averageMs: 100}
                - kmsOperation: Decrypt
                  xksOperation: Decrypt
                  keySpec: AES_256
                  successes: 400
                  latency: {count: 30, averageMs: 400, maxMs: 900}
          - id: cks-old
            name: old
            type: EXTERNAL_KEY_STORE
            state: CONNECTED
            xksMetrics: {credentialAgeDays: 3, stale: true}
          - {id: cks-hsm, name: hsm, type: AWS_CLOUDHSM, state: CONNECTED}
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

const STORE = { Name: "CustomKeyStoreId", Value: "cks-x" };
const ENCRYPT = [
  STORE,
  { Name: "KmsOperation", Value: "Encrypt" },
  { Name: "XksOperation", Value: "Encrypt" },
  { Name: "KeySpec", Value: "AES_256" },
];

function query(
  id: string,
  metricName: string,
  dimensions: { Name: string; Value: string }[],
  stat: string,
): MetricDataQuery {
  return {
    Id: id,
    MetricStat: {
      Metric: { Namespace: "AWS/KMS", MetricName: metricName, Dimensions: dimensions },
      Period: 300,
      Stat: stat,
    },
  };
}

const latency = (id: string, dimensions = ENCRYPT, stat = "Average") =>
  query(id, "XksProxyLatency", dimensions, stat);

const WINDOW = { StartTime: new Date(1_800_000_000_000), EndTime: new Date(1_800_000_900_000) };
const PERIODS = [1_800_000_600_000, 1_800_000_300_000, 1_800_000_000_000].map((ms) => new Date(ms));

/** Every page of a ListMetrics, as the metrics' names and dimension sets. */
async function listAll(cloudwatch: CloudWatchClient, input: ListMetricsCommandInput) {
  const metrics: string[] = [];
  let pages = 0;
  let token: string | undefined;
  do {
    const page = await cloudwatch.send(
      new ListMetricsCommand({ ...input, ...(token ? { NextToken: token } : {}) }),
    );
    pages++;
    for (const metric of page.Metrics ?? []) {
      const dimensions = (metric.Dimensions ?? []).map((d) => `${d.Name}=${d.Value}`).join(",");
      metrics.push(`${metric.MetricName}{${dimensions}}`);
    }
    token = page.NextToken;
  } while (token);
  return { metrics, pages };
}

describe("the simulator's CloudWatch ListMetrics (awsJson1_0, query-compatible)", () => {
  it("lists each series with the dimension set KMS publishes it under, in pages", async () => {
    const simulator = await simulate(SCENARIO);
    const cloudwatch = client(simulator.url);
    const { metrics, pages } = await listAll(cloudwatch, {
      Namespace: "AWS/KMS",
      RecentlyActive: "PT3H",
    });
    expect(metrics).toEqual([
      "XksProxyCertificateDaysToExpire{CustomKeyStoreId=cks-x,CertificateName=proxy-a}",
      "XksProxyCertificateDaysToExpire{CustomKeyStoreId=cks-x,CertificateName=proxy-b}",
      "XksProxyCredentialAge{CustomKeyStoreId=cks-x}",
      "XksProxyErrors{CustomKeyStoreId=cks-x,KmsOperation=Encrypt,XksOperation=Encrypt,KeySpec=AES_256,ErrorType=N/A: Successful request; no errors,ExceptionName=None}",
      "XksProxyErrors{CustomKeyStoreId=cks-x,KmsOperation=Encrypt,XksOperation=Encrypt,KeySpec=AES_256,ErrorType=Retryable errors,ExceptionName=XksProxyUriUnreachableException}",
      "XksProxyLatency{CustomKeyStoreId=cks-x,KmsOperation=Encrypt,XksOperation=Encrypt,KeySpec=AES_256}",
      "XksProxyErrors{CustomKeyStoreId=cks-x,KmsOperation=Decrypt,XksOperation=Decrypt,KeySpec=AES_256,ErrorType=N/A: Successful request; no errors,ExceptionName=None}",
      "XksProxyLatency{CustomKeyStoreId=cks-x,KmsOperation=Decrypt,XksOperation=Decrypt,KeySpec=AES_256}",
    ]);
    // The region's pageSize of 2: eight series in four pages.
    expect(pages).toBe(4);
    expect(simulator.callCount({ operation: "ListMetrics" })).toBe(4);
  });

  it("filters by metric name, by dimension name and value, and leaves out the stale without RecentlyActive", async () => {
    const simulator = await simulate(SCENARIO);
    const cloudwatch = client(simulator.url);
    const errors = await listAll(cloudwatch, {
      Namespace: "AWS/KMS",
      MetricName: "XksProxyErrors",
      Dimensions: [{ Name: "ErrorType", Value: "Retryable errors" }],
    });
    expect(errors.metrics).toHaveLength(1);
    const byName = await listAll(cloudwatch, {
      MetricName: "XksProxyCredentialAge",
      Dimensions: [{ Name: "CustomKeyStoreId" }],
    });
    expect(byName.metrics).toEqual([
      "XksProxyCredentialAge{CustomKeyStoreId=cks-x}",
      "XksProxyCredentialAge{CustomKeyStoreId=cks-old}",
    ]);
    const recent = await listAll(cloudwatch, {
      MetricName: "XksProxyCredentialAge",
      RecentlyActive: "PT3H",
    });
    expect(recent.metrics).toEqual(["XksProxyCredentialAge{CustomKeyStoreId=cks-x}"]);
    expect((await listAll(cloudwatch, { Namespace: "AWS/EC2" })).metrics).toEqual([]);
    await expect(
      cloudwatch.send(new ListMetricsCommand({ RecentlyActive: "PT1H" as "PT3H" })),
    ).rejects.toMatchObject({ name: "InvalidParameterValueException" });
  });
});

describe("the simulator's CloudWatch GetMetricData (awsJson1_0, query-compatible)", () => {
  it("answers an exact dimension set with three periods, newest first, each with its own values", async () => {
    const simulator = await simulate(SCENARIO);
    const cloudwatch = client(simulator.url);
    const answer = await cloudwatch.send(
      new GetMetricDataCommand({
        ...WINDOW,
        MetricDataQueries: [
          latency("sum", ENCRYPT, "Sum"),
          latency("count", ENCRYPT, "SampleCount"),
        ],
      }),
    );
    const [sum, count] = answer.MetricDataResults ?? [];
    expect(sum?.Timestamps).toEqual(PERIODS);
    expect(sum?.StatusCode).toBe("Complete");
    expect(sum?.Values?.[0]).toBe(1_000);
    expect(count?.Values?.[0]).toBe(10);
    // Older periods hold other values: an exporter must take the newest, not mix them in.
    expect(new Set(sum?.Values).size).toBe(3);
  });

  it("answers the old plan (CustomKeyStoreId alone) with no datapoints, marked Complete", async () => {
    const simulator = await simulate(SCENARIO);
    const cloudwatch = client(simulator.url);
    const answer = await cloudwatch.send(
      new GetMetricDataCommand({
        ...WINDOW,
        MetricDataQueries: [
          query("q0", "XksProxyCertificateDaysToExpire", [STORE], "Minimum"),
          query("q1", "XksProxyLatency", [STORE], "Average"),
          query(
            "q2",
            "XksProxyErrors",
            [STORE, { Name: "ErrorType", Value: "Retryable errors" }],
            "Sum",
          ),
          // The one metric KMS publishes under CustomKeyStoreId alone.
          query("q3", "XksProxyCredentialAge", [STORE], "Maximum"),
        ],
      }),
    );
    const results = [
      ...(answer.MetricDataResults ?? []),
      ...((
        await cloudwatch.send(
          new GetMetricDataCommand({
            ...WINDOW,
            MetricDataQueries: [
              query("q0", "XksProxyCertificateDaysToExpire", [STORE], "Minimum"),
              query("q1", "XksProxyLatency", [STORE], "Average"),
              query("q2", "XksProxyErrors", [STORE], "Sum"),
              query("q3", "XksProxyCredentialAge", [STORE], "Maximum"),
            ],
            NextToken: answer.NextToken,
          }),
        )
      ).MetricDataResults ?? []),
    ];
    expect(results.map((r) => [r.Id, r.Values?.length, r.StatusCode])).toEqual([
      ["q0", 0, "Complete"],
      ["q1", 0, "Complete"],
      ["q2", 0, "Complete"],
      ["q3", 3, "Complete"],
    ]);
  });

  it("spreads results over pages and scripts faults", async () => {
    const simulator = await simulate(SCENARIO);
    const cloudwatch = client(simulator.url);
    const queries = [latency("a"), latency("b", [STORE]), latency("c")];
    const first = await cloudwatch.send(
      new GetMetricDataCommand({ ...WINDOW, MetricDataQueries: queries }),
    );
    expect(first.MetricDataResults?.map((result) => result.Id)).toEqual(["a", "b"]);
    const second = await cloudwatch.send(
      new GetMetricDataCommand({
        ...WINDOW,
        MetricDataQueries: queries,
        NextToken: first.NextToken,
      }),
    );
    expect(second.MetricDataResults?.map((result) => result.Id)).toEqual(["c"]);
    expect(second.NextToken).toBeUndefined();
    await expect(
      cloudwatch.send(new GetMetricDataCommand({ ...WINDOW, MetricDataQueries: [latency("a")] })),
    ).rejects.toMatchObject({
      name: "AccessDenied",
      message: expect.stringContaining("cloudwatch:GetMetricData"),
      $metadata: { httpStatusCode: 403 },
    });
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
