import { describe, expect, it } from "vitest";
import { compileStorePattern } from "../../src/config/store-pattern.js";
import { role, runExporter, waitUntilReady } from "../helpers/exporter.js";
import { samplesNamed } from "../helpers/exposition.js";

/**
 * Store filters against the simulator: the real SDK polls every store, and only the ones
 * the filters keep reach /metrics and /status.json. Account B has a filter of its own.
 */
const A = "111111111111";
const B = "222222222222";

function stores(prefix: string): string {
  return `        stores:
          - {id: cks-${prefix}1111111111111, name: prod-payments, state: FAILED, errorCode: NETWORK_ERRORS}
          - {id: cks-${prefix}2222222222222, name: prod-payments-sandbox, state: CONNECTED}
          - {id: cks-${prefix}3333333333333, name: dev-payments, state: FAILED, errorCode: USER_LOCKED_OUT}
          - {id: cks-${prefix}4444444444444, name: prod-xks, type: EXTERNAL_KEY_STORE, state: CONNECTED}`;
}

const SCENARIO = `accounts:
  - id: "${A}"
    regions:
      - region: us-east-1
${stores("a")}
  - id: "${B}"
    regions:
      - region: us-east-1
${stores("b")}
`;

describe("store filters against the simulator", () => {
  it("exports only the stores the global and per-account filters keep", async () => {
    const { app, scrape } = await runExporter(SCENARIO, {
      stores: { include: [/^prod-/], exclude: [/-sandbox$/], types: ["AWS_CLOUDHSM"] },
      accounts: [
        { roleArn: role(A) },
        { roleArn: role(B), stores: { include: [/^cks-b3/, /xks/] } },
      ],
    });
    await waitUntilReady(app);
    const samples = await scrape();
    const exported = (name: string) =>
      [
        ...new Set(
          samplesNamed(samples, name).map(
            (s) => `${s.labels.account_id}:${s.labels.custom_key_store_id}`,
          ),
        ),
      ].sort();
    const expected = [
      `${A}:cks-a1111111111111`,
      `${B}:cks-b3333333333333`,
      `${B}:cks-b4444444444444`,
    ];
    for (const family of [
      "aws_kms_custom_key_store_info",
      "aws_kms_custom_key_store_connection_state",
      "aws_kms_custom_key_store_creation_timestamp_seconds",
      "aws_kms_custom_key_store_state_since_timestamp_seconds",
    ]) {
      expect(exported(family), family).toEqual(expected);
    }
    expect(exported("aws_kms_custom_key_store_connection_error")).toEqual([
      `${A}:cks-a1111111111111`,
      `${B}:cks-b3333333333333`,
    ]);
    const text = await (await fetch(`${app.url}/metrics`)).text();
    expect(text).toMatch(/^# HELP aws_kms_custom_key_store_info .*stores filters.*$/m);

    const report = (await (await fetch(`${app.url}/status.json`)).json()) as {
      stores: { id: string }[];
    };
    expect(report.stores.map((store) => store.id).sort()).toEqual([
      "cks-a1111111111111",
      "cks-b3333333333333",
      "cks-b4444444444444",
    ]);
    const page = await (await fetch(`${app.url}/`)).text();
    expect(page).not.toContain("cks-a3333333333333");
    expect(page).not.toContain("prod-payments-sandbox");
    expect(page).toContain("cks-b3333333333333");
  });
});

describe("a hostile store name", () => {
  it("matches the ReDoS pattern (a+)+$ against 40 × a and ! in linear time; /healthz answers", async () => {
    const scenario = `accounts:
  - id: "${A}"
    regions:
      - region: us-east-1
        stores:
          - {id: cks-a1111111111111, name: "${"a".repeat(40)}!", state: CONNECTED}
          - {id: cks-a2222222222222, name: "aaaa", state: CONNECTED}
`;
    const pattern = compileStorePattern("(a+)+$");
    if ("problem" in pattern) throw new Error(pattern.problem);
    const { app, scrape } = await runExporter(scenario, {
      stores: { include: [pattern] },
      accounts: [{ roleArn: role(A) }],
    });
    await waitUntilReady(app);
    expect((await fetch(`${app.url}/healthz`)).status).toBe(200);
    const ids = samplesNamed(await scrape(), "aws_kms_custom_key_store_info").map(
      (s) => s.labels.custom_key_store_id,
    );
    expect(ids).toEqual(["cks-a2222222222222"]);
  });
});
