import { DescribeCustomKeyStoresCommand, type KMSClient } from "@aws-sdk/client-kms";
import { describe, expect, it, vi } from "vitest";
import { kmsClient, simulate } from "../helpers/simulator.js";
import { until, untilTurns } from "../helpers/wait.js";

interface SdkError extends Error {
  code?: string;
  $metadata?: { httpStatusCode?: number };
}

async function failure(
  client: KMSClient,
  input = {},
  abortSignal?: AbortSignal,
): Promise<SdkError> {
  return client.send(new DescribeCustomKeyStoresCommand(input), { abortSignal }).then(
    () => {
      throw new Error("expected the call to fail");
    },
    (error: SdkError) => error,
  );
}

function withFault(fault: string): string {
  return `
accounts:
  - id: "000000000000"
    regions:
      - region: us-east-1
        stores:
          - {id: cks-00000000000000001, name: one, state: CONNECTED}
          - {id: cks-00000000000000002, name: two, state: CONNECTED}
        faults: [${fault}]
`;
}

describe("KMS faults as the SDK sees them", () => {
  it.each([
    ["internal-error", "KMSInternalException", 500],
    ["throttling", "ThrottlingException", 400],
    ["access-denied", "AccessDeniedException", 400],
    ["invalid-marker", "InvalidMarkerException", 400],
    // Non-JSON bodies fail in the SDK's deserializer; only the status tells what happened.
    ["html-5xx", "SyntaxError", 503],
    ["truncated-json", "SyntaxError", 200],
  ])("%s surfaces as %s with HTTP %i", async (kind, name, status) => {
    const simulator = await simulate(withFault(`{kind: ${kind}}`));
    const error = await failure(kmsClient(simulator));
    expect(error.name).toBe(name);
    expect(error.$metadata?.httpStatusCode).toBe(status);
    expect(simulator.calls[0]).toMatchObject({ fault: kind, status });
  });

  it("reset surfaces as a connection error", async () => {
    const simulator = await simulate(withFault("{kind: reset}"));
    const error = await failure(kmsClient(simulator));
    expect(error.code).toBe("ECONNRESET");
    expect(simulator.calls[0]).toMatchObject({ fault: "reset", status: 0 });
  });

  it("hang holds the call until the client's abort signal fires; close() ends the rest", async () => {
    const simulator = await simulate(withFault("{kind: hang}"));
    const client = kmsClient(simulator);
    const controller = new AbortController();
    let settled = false;
    const first = failure(client, {}, controller.signal).finally(() => {
      settled = true;
    });
    await until(() => simulator.calls.length === 1);
    expect(settled).toBe(false);
    controller.abort();
    expect((await first).name).toBe("AbortError");
    const hung = client
      .send(new DescribeCustomKeyStoresCommand({}))
      .catch((caught: Error) => caught);
    await until(() => simulator.calls.length === 2);
    // The call never ends by itself: only close() can end it.
    await simulator.close();
    expect(await hung).toBeInstanceOf(Error);
    expect(simulator.calls.map((record) => record.fault)).toEqual(["hang", "hang"]);
  });

  it("slow answers normally after the delay, not before", async () => {
    const simulator = await simulate(withFault("{kind: slow, delay: 150ms}"));
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout"] });
    try {
      let answered = false;
      const answer = kmsClient(simulator)
        .send(new DescribeCustomKeyStoresCommand({}))
        .finally(() => {
          answered = true;
        });
      await untilTurns(() => simulator.calls.length === 1);
      await vi.advanceTimersByTimeAsync(149);
      await untilTurns(() => answered, 1_000).catch(() => undefined);
      expect(answered).toBe(false);
      await vi.advanceTimersByTimeAsync(1);
      expect((await answer).CustomKeyStores).toHaveLength(2);
    } finally {
      vi.useRealTimers();
    }
  });

  it("counts every call for `calls`, faulted ones included", async () => {
    const simulator = await simulate(withFault("{kind: throttling, calls: [1, 3]}"));
    const client = kmsClient(simulator);
    const outcomes: string[] = [];
    for (let call = 0; call < 4; call += 1) {
      outcomes.push(
        await client.send(new DescribeCustomKeyStoresCommand({})).then(
          () => "ok",
          (error: Error) => error.name,
        ),
      );
    }
    expect(outcomes).toEqual(["ThrottlingException", "ok", "ThrottlingException", "ok"]);
  });

  it("replays the same probabilistic faults for the same seed", async () => {
    const run = async () => {
      const simulator = await simulate(
        `seed: 7\n${withFault("{kind: internal-error, probability: 0.5}")}`,
      );
      const client = kmsClient(simulator);
      for (let call = 0; call < 20; call += 1) {
        await client.send(new DescribeCustomKeyStoresCommand({})).catch(() => undefined);
      }
      return simulator.calls.map((record) => record.status);
    };
    const first = await run();
    expect(first).toContain(500);
    expect(first).toContain(200);
    expect(await run()).toEqual(first);
  });

  it("repeat-marker hands back a marker that leads to the same page", async () => {
    const simulator = await simulate(withFault("{kind: repeat-marker}"));
    const client = kmsClient(simulator);
    const first = await client.send(new DescribeCustomKeyStoresCommand({ Limit: 1 }));
    const second = await client.send(
      new DescribeCustomKeyStoresCommand({ Limit: 1, Marker: first.NextMarker }),
    );
    expect(second.NextMarker).toBe(first.NextMarker);
    expect(second.CustomKeyStores).toEqual(first.CustomKeyStores);
  });
});

describe("DescribeCustomKeyStores validation", () => {
  it.each([
    ["Limit 0", { Limit: 0 }, "ValidationException"],
    ["Limit 1001", { Limit: 1001 }, "ValidationException"],
    [
      "both id and name",
      { CustomKeyStoreId: "cks-00000000000000001", CustomKeyStoreName: "one" },
      "ValidationException",
    ],
    [
      "an unknown id",
      { CustomKeyStoreId: "cks-0000000000000000f" },
      "CustomKeyStoreNotFoundException",
    ],
    ["an unknown name", { CustomKeyStoreName: "nope" }, "CustomKeyStoreNotFoundException"],
    ["a garbage marker", { Marker: "not-a-marker" }, "InvalidMarkerException"],
  ])("rejects %s", async (_, input, name) => {
    const simulator = await simulate(withFault(""));
    const error = await failure(kmsClient(simulator), input);
    expect(error.name).toBe(name);
    expect(error.$metadata?.httpStatusCode).toBe(400);
  });

  it("rejects a marker issued for another target", async () => {
    const simulator = await simulate(`
accounts:
  - id: "000000000000"
    regions:
      - region: us-east-1
        generate: {count: 3}
      - region: eu-west-1
        generate: {count: 3}
`);
    const page = await kmsClient(simulator).send(new DescribeCustomKeyStoresCommand({ Limit: 1 }));
    const error = await failure(kmsClient(simulator, "eu-west-1"), { Marker: page.NextMarker });
    expect(error.name).toBe("InvalidMarkerException");
  });
});
