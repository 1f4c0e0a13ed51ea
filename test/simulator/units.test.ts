import { describe, expect, it } from "vitest";
import { pickFault } from "../../src/simulator/faults.js";
import { markerCodec } from "../../src/simulator/markers.js";
import { mulberry32 } from "../../src/simulator/random.js";
import { tokenBucket } from "../../src/simulator/ratelimit.js";
import type { FaultSpec } from "../../src/simulator/scenario.js";
import { parseAuthorization } from "../../src/simulator/sigv4.js";
import { generateStores, stateAt } from "../../src/simulator/stores.js";

describe("markerCodec", () => {
  const codec = markerCodec("nonce", "111111111111/us-east-1");

  it("round-trips offsets", () => {
    expect([0, 7, 2499].map((offset) => codec.decode(codec.encode(offset)))).toEqual([0, 7, 2499]);
  });

  it.each([
    ["garbage", "not-a-marker"],
    ["another run's marker", markerCodec("other", "111111111111/us-east-1").encode(7)],
    ["another target's marker", markerCodec("nonce", "111111111111/eu-west-1").encode(7)],
    [
      "a negative offset",
      Buffer.from("kms-sim:nonce:111111111111/us-east-1:-1").toString("base64url"),
    ],
  ])("rejects %s", (_, marker) => {
    expect(codec.decode(marker)).toBeUndefined();
  });
});

describe("pickFault", () => {
  const faults: FaultSpec[] = [
    { kind: "throttling", calls: [2] },
    { kind: "internal-error", probability: 0.5 },
    { kind: "hang" },
  ];

  it.each([
    [1, 0.9, "hang"],
    [1, 0.1, "internal-error"],
    [2, 0.1, "throttling"],
  ])("call %i with random %d picks %s", (call, draw, kind) => {
    expect(pickFault(faults, call, () => draw)?.kind).toBe(kind);
  });

  it("draws no random number for a fault chosen by call number", () => {
    let draws = 0;
    pickFault(faults, 2, () => {
      draws += 1;
      return 0;
    });
    expect(draws).toBe(0);
  });
});

describe("stateAt", () => {
  const store = {
    id: "cks-1",
    name: "a",
    state: "FAILED",
    errorCode: "NETWORK_ERRORS",
    timeline: [
      { at: 90_000, state: "FAILED", errorCode: "INTERNAL_ERROR" },
      { at: 30_000, state: "CONNECTED" },
    ],
  };

  it.each([
    [0, { state: "FAILED", errorCode: "NETWORK_ERRORS" }],
    [30_000, { state: "CONNECTED", errorCode: undefined }],
    [89_999, { state: "CONNECTED", errorCode: undefined }],
    [90_000, { state: "FAILED", errorCode: "INTERNAL_ERROR" }],
  ])("at %i ms is %o, whatever order the steps are written in", (elapsed, expected) => {
    expect(stateAt(store, elapsed)).toEqual(expected);
  });
});

describe("generateStores", () => {
  it("is deterministic per target and unique within it", () => {
    const spec = { count: 50, type: "EXTERNAL_KEY_STORE" as const, state: "CONNECTED" };
    const first = generateStores("111111111111", "us-east-1", spec);
    expect(generateStores("111111111111", "us-east-1", spec)).toEqual(first);
    expect(new Set(first.map((store) => store.id)).size).toBe(50);
    expect(first[0]?.name).toBe("gen-00001");
    expect(generateStores("111111111111", "eu-west-1", spec)[0]?.id).not.toBe(first[0]?.id);
  });
});

describe("parseAuthorization", () => {
  it("reads the access key and region from the credential scope", () => {
    expect(
      parseAuthorization(
        "AWS4-HMAC-SHA256 Credential=ASIAEXAMPLE/20261128/eu-west-1/kms/aws4_request, SignedHeaders=host, Signature=ab",
      ),
    ).toEqual({
      accessKeyId: "ASIAEXAMPLE",
      date: "20261128",
      region: "eu-west-1",
      service: "kms",
      signedHeaders: ["host"],
      signature: "ab",
    });
  });

  it.each([undefined, "Bearer token", "AWS4-HMAC-SHA256 Credential=broken"])(
    "rejects %s",
    (header) => {
      expect(parseAuthorization(header)).toBeUndefined();
    },
  );
});

describe("mulberry32", () => {
  it("is repeatable per seed and stays in [0, 1)", () => {
    const a = mulberry32(42);
    const b = mulberry32(42);
    const draws = Array.from({ length: 1000 }, () => a());
    expect(draws).toEqual(Array.from({ length: 1000 }, () => b()));
    expect(draws.every((draw) => draw >= 0 && draw < 1)).toBe(true);
  });
});

describe("tokenBucket", () => {
  const takes = (bucket: ReturnType<typeof tokenBucket>, atMs: number, count: number) =>
    Array.from({ length: count }, () => bucket.take(atMs)).filter(Boolean).length;

  it("starts full, refills at perSecond and never holds more than burst", () => {
    const bucket = tokenBucket({ perSecond: 5, burst: 5 });
    expect(takes(bucket, 0, 10)).toBe(5);
    expect(takes(bucket, 100, 10)).toBe(0);
    expect(takes(bucket, 200, 10)).toBe(1);
    expect(takes(bucket, 60_000, 10)).toBe(5);
  });

  it("adds fractional rates up without floating-point loss", () => {
    const bucket = tokenBucket({ perSecond: 0.5, burst: 1 });
    expect(bucket.take(0)).toBe(true);
    expect(bucket.take(1_999)).toBe(false);
    expect(bucket.take(2_000)).toBe(true);
    const tenth = tokenBucket({ perSecond: 10, burst: 1 });
    tenth.take(0);
    expect([1, 2, 3].map((step) => tenth.take(step * 100))).toEqual([true, true, true]);
  });

  it("defaults burst to perSecond rounded up, at least 1", () => {
    expect(tokenBucket({ perSecond: 2.5 }).burst).toBe(3);
    expect(tokenBucket({ perSecond: 0.1 }).burst).toBe(1);
  });

  it("ignores a clock that steps backwards", () => {
    const bucket = tokenBucket({ perSecond: 1, burst: 1 });
    expect(bucket.take(10_000)).toBe(true);
    expect(bucket.take(0)).toBe(false);
    expect(bucket.take(10_999)).toBe(false);
    expect(bucket.take(11_000)).toBe(true);
  });
});
