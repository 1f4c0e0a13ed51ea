import { describe, expect, it } from "vitest";
import { classifyError } from "../../src/aws/errors.js";

function sdkError(name: string, fields: { status?: number; code?: string } = {}) {
  return Object.assign(new Error(`${name} happened`), {
    name,
    ...(fields.code ? { code: fields.code } : {}),
    $metadata: fields.status === undefined ? {} : { httpStatusCode: fields.status },
  });
}

describe("classifyError", () => {
  it("names anything that is not an object UnknownError, not retryable", () => {
    for (const thrown of [null, undefined, "text", 42]) {
      expect(classifyError(thrown)).toEqual({ name: "UnknownError", retryable: false });
    }
    expect(classifyError({ name: 7, code: 7 })).toEqual({
      name: "UnknownError",
      retryable: false,
    });
  });

  it("flags throttling, by name or by HTTP 429, and nothing else", () => {
    expect(classifyError(sdkError("ThrottlingException", { status: 400 }))).toEqual({
      name: "ThrottlingException",
      retryable: true,
      throttled: true,
    });
    expect(classifyError(sdkError("SlowDown", { status: 503 }))).toEqual({
      name: "SlowDown",
      retryable: true,
      throttled: true,
    });
    expect(classifyError(sdkError("Error", { status: 429 }))).toEqual({
      name: "ThrottlingException",
      retryable: true,
      throttled: true,
    });
    for (const error of [
      sdkError("KMSInternalException", { status: 500 }),
      sdkError("TimeoutError"),
      sdkError("Error", { code: "ECONNRESET" }),
      sdkError("AccessDeniedException", { status: 400 }),
    ]) {
      expect(classifyError(error).throttled).toBeUndefined();
    }
  });

  it("names an ETIMEDOUT a TimeoutError whatever the error's own name", () => {
    expect(classifyError(sdkError("Error", { code: "ETIMEDOUT" }))).toEqual({
      name: "TimeoutError",
      retryable: true,
    });
    expect(classifyError(sdkError("RequestTimeoutException", { status: 408 }))).toEqual({
      name: "TimeoutError",
      retryable: true,
    });
  });

  it("keeps a specific 5xx name, and retries every 5xx but 501", () => {
    expect(classifyError(sdkError("KMSInternalException", { status: 500 }))).toEqual({
      name: "KMSInternalException",
      retryable: true,
    });
    expect(classifyError(sdkError("TypeError", { status: 504 }))).toEqual({
      name: "HTTP504",
      retryable: true,
    });
    expect(classifyError(sdkError("UnknownError", { status: 501 }))).toEqual({
      name: "HTTP501",
      retryable: false,
    });
  });

  it("calls a body that did not parse an invalid response, not retryable", () => {
    expect(classifyError(sdkError("SyntaxError"))).toEqual({
      name: "InvalidResponse",
      retryable: false,
    });
    expect(classifyError(sdkError("InvalidResponse"))).toEqual({
      name: "InvalidResponse",
      retryable: false,
    });
  });

  it("names an exception that does not look like an AWS name Other", () => {
    expect(classifyError(sdkError(`Huge${"X".repeat(70_000)}`, { status: 400 }))).toEqual({
      name: "Other",
      retryable: false,
    });
    expect(classifyError(sdkError("bad name", { status: 500 })).name).toBe("Other");
  });

  it("calls a 2xx the SDK could not deserialize (ISO CreationDate) an invalid response", () => {
    for (const name of ["TypeError", "Error", "UnknownError"]) {
      expect(classifyError(sdkError(name, { status: 200 }))).toEqual({
        name: "InvalidResponse",
        retryable: false,
      });
    }
    expect(classifyError(sdkError("TypeError", { status: 400 })).name).toBe("TypeError");
    expect(classifyError(sdkError("TypeError", { status: 300 })).name).toBe("TypeError");
    expect(classifyError(sdkError("TypeError", { status: 199 })).name).toBe("TypeError");
    expect(classifyError(sdkError("TypeError")).name).toBe("TypeError");
  });
});
