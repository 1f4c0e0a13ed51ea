import { describe, expect, it } from "vitest";
import { role, runExporter, waitUntilReady } from "../helpers/exporter.js";
import { samplesNamed, sampleValue } from "../helpers/exposition.js";

const A = "111111111111";
const B = "222222222222";

function scenario(
  regionYaml: string,
  otherYaml = "stores: [{id: cks-bbbbbbbbbbbbbbbbb, name: other, state: CONNECTED}]",
): string {
  return `
defaultAccountId: "${A}"
accounts:
  - id: "${A}"
    regions:
      - region: us-east-1
${regionYaml.replace(/^/gm, "        ")}
  - id: "${B}"
    regions:
      - region: us-east-1
        ${otherYaml}
`;
}

const ROLES = { accounts: [{ roleArn: role(A) }, { roleArn: role(B) }] };
const ONE_STORE =
  "stores: [{id: cks-aaaaaaaaaaaaaaaaa, name: one, state: FAILED, errorCode: NETWORK_ERRORS}]";

function describeCalls(simulator: { callCount(filter: object): number }, accountId = A): number {
  return simulator.callCount({ operation: "DescribeCustomKeyStores", accountId });
}

describe("poller against the simulator (real SDK, real HTTP)", () => {
  it("pages through 2,500 stores at 7 per page completely, in exactly 358 calls", async () => {
    const { app, simulator, scrape } = await runExporter(
      scenario("pageSize: 7\ngenerate: {count: 2500, type: AWS_CLOUDHSM, state: CONNECTED}"),
      // 358 calls in one poll: far above KMS's real quota, so the limiter is opened up here;
      // a deadline as long as the interval, so a loaded machine cannot cut the poll short.
      { ...ROLES, rateLimit: { perSecond: 1_000, burst: 1_000 }, timeoutMs: 60_000 },
    );
    await waitUntilReady(app, 90_000);
    const samples = await scrape();
    const infos = samplesNamed(samples, "aws_kms_custom_key_store_info", { account_id: A });
    expect(infos).toHaveLength(2_500);
    expect(new Set(infos.map((sample) => sample.labels.custom_key_store_id)).size).toBe(2_500);
    expect(describeCalls(simulator)).toBe(Math.ceil(2_500 / 7));
    expect(
      sampleValue(samples, "kms_keystore_exporter_api_requests_total", {
        account_id: A,
        operation: "DescribeCustomKeyStores",
      }),
    ).toBe(358);
    expect(sampleValue(samples, "kms_keystore_exporter_target_up", { account_id: A })).toBe(1);
  }, 120_000);

  it("asks for 1000 stores a page: 2,500 stores at the API's page size take 3 calls", async () => {
    const { app, simulator } = await runExporter(
      scenario("generate: {count: 2500, type: EXTERNAL_KEY_STORE, state: CONNECTED}"),
      ROLES,
    );
    await waitUntilReady(app);
    expect(describeCalls(simulator)).toBe(3);
  });

  it("retries two KMSInternalExceptions and then exports every store", async () => {
    const { app, simulator, scrape } = await runExporter(
      scenario(`${ONE_STORE}\nfaults: [{kind: internal-error, calls: [1, 2]}]`),
      ROLES,
    );
    await waitUntilReady(app);
    const samples = await scrape();
    expect(describeCalls(simulator)).toBe(3);
    expect(
      sampleValue(samples, "kms_keystore_exporter_api_request_errors_total", {
        account_id: A,
        error: "KMSInternalException",
      }),
    ).toBe(2);
    expect(
      sampleValue(samples, "kms_keystore_exporter_api_requests_total", {
        account_id: A,
        operation: "DescribeCustomKeyStores",
      }),
    ).toBe(3);
    expect(sampleValue(samples, "kms_keystore_exporter_target_up", { account_id: A })).toBe(1);
    expect(
      sampleValue(samples, "aws_kms_custom_key_store_connection_state", {
        account_id: A,
        state: "FAILED",
      }),
    ).toBe(1);
    expect(
      sampleValue(samples, "aws_kms_custom_key_store_connection_error", {
        account_id: A,
        error_code: "NETWORK_ERRORS",
      }),
    ).toBe(1);
  });

  it("ends a poll on a hung socket at the deadline, target down, other target untouched", async () => {
    const { app, simulator, scrape } = await runExporter(
      scenario(`${ONE_STORE}\nfaults: [{kind: hang}]`),
      {
        ...ROLES,
        timeoutMs: 1_500,
      },
    );
    await waitUntilReady(app);
    const samples = await scrape();
    expect(sampleValue(samples, "kms_keystore_exporter_target_up", { account_id: A })).toBe(0);
    expect(sampleValue(samples, "kms_keystore_exporter_target_up", { account_id: B })).toBe(1);
    expect(
      sampleValue(samples, "kms_keystore_exporter_api_request_errors_total", {
        account_id: A,
        error: "TimeoutError",
      }),
    ).toBe(1);
    // One call, timed out: the deadline (as long as the request timeout here) left no time
    // for a retry, and a poll that ends in a timeout cannot have ended before it.
    expect(describeCalls(simulator)).toBe(1);
    expect(samplesNamed(samples, "aws_kms_custom_key_store_info", { account_id: B })).toHaveLength(
      1,
    );
    expect(
      sampleValue(samples, "kms_keystore_exporter_target_poll_duration_seconds", { account_id: A }),
    ).toBeGreaterThanOrEqual(1.4);
  });

  it("makes exactly one call on AccessDenied", async () => {
    const { app, simulator, scrape } = await runExporter(
      scenario(`${ONE_STORE}\nfaults: [{kind: access-denied}]`),
      ROLES,
    );
    await waitUntilReady(app);
    const samples = await scrape();
    expect(describeCalls(simulator)).toBe(1);
    expect(sampleValue(samples, "kms_keystore_exporter_target_up", { account_id: A })).toBe(0);
    expect(
      sampleValue(samples, "kms_keystore_exporter_api_request_errors_total", {
        account_id: A,
        error: "AccessDeniedException",
      }),
    ).toBe(1);
    expect(samplesNamed(samples, "aws_kms_custom_key_store_info", { account_id: A })).toHaveLength(
      0,
    );
  });

  it("ends the poll as an error on a repeated NextMarker instead of looping", async () => {
    const { app, simulator, scrape } = await runExporter(
      scenario(
        "pageSize: 2\ngenerate: {count: 10, type: AWS_CLOUDHSM, state: CONNECTED}\nfaults: [{kind: repeat-marker, calls: [2]}]",
      ),
      ROLES,
    );
    await waitUntilReady(app);
    const samples = await scrape();
    expect(sampleValue(samples, "kms_keystore_exporter_target_up", { account_id: A })).toBe(0);
    expect(describeCalls(simulator)).toBe(2);
    const state = app.state.get(`${A}/us-east-1`);
    expect(state?.lastError?.name).toBe("RepeatedMarker");
    expect(sampleValue(samples, "kms_keystore_exporter_target_up", { account_id: B })).toBe(1);
  });

  it("retries HTML 5xx and reset connections, and fails at once on a truncated body", async () => {
    const { app, simulator, scrape } = await runExporter(
      scenario(
        `${ONE_STORE}\nfaults: [{kind: html-5xx, calls: [1]}, {kind: reset, calls: [2]}]`,
        `${ONE_STORE.replace("aaaa", "cccc")}\n        faults: [{kind: truncated-json}]`,
      ),
      ROLES,
    );
    await waitUntilReady(app);
    const samples = await scrape();
    expect(describeCalls(simulator, A)).toBe(3);
    expect(sampleValue(samples, "kms_keystore_exporter_target_up", { account_id: A })).toBe(1);
    expect(
      sampleValue(samples, "kms_keystore_exporter_api_request_errors_total", {
        account_id: A,
        error: "HTTP503",
      }),
    ).toBe(1);
    expect(
      sampleValue(samples, "kms_keystore_exporter_api_request_errors_total", {
        account_id: A,
        error: "ECONNRESET",
      }),
    ).toBe(1);
    expect(describeCalls(simulator, B)).toBe(1);
    expect(sampleValue(samples, "kms_keystore_exporter_target_up", { account_id: B })).toBe(0);
    expect(
      sampleValue(samples, "kms_keystore_exporter_api_request_errors_total", {
        account_id: B,
        error: "InvalidResponse",
      }),
    ).toBe(1);
  });

  it("finds the default credentials' account with one GetCallerIdentity and one AssumeRole per role", async () => {
    const { app, simulator, scrape } = await runExporter(scenario(ONE_STORE), {
      accounts: [{}, { roleArn: role(B), externalId: "ext-123" }],
      regions: ["us-east-1", "eu-west-1"],
    });
    await waitUntilReady(app);
    const samples = await scrape();
    expect(simulator.callCount({ operation: "GetCallerIdentity" })).toBe(1);
    expect(simulator.callCount({ operation: "AssumeRole" })).toBe(1);
    expect(simulator.calls.find((call) => call.operation === "AssumeRole")?.externalId).toBe(
      "ext-123",
    );
    expect(
      samplesNamed(samples, "kms_keystore_exporter_target_up")
        .map((s) => `${s.labels.account_id}/${s.labels.region}=${s.value}`)
        .sort(),
    ).toEqual([`${A}/eu-west-1=1`, `${A}/us-east-1=1`, `${B}/eu-west-1=1`, `${B}/us-east-1=1`]);
  });
});
