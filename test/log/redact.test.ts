import { describe, expect, it } from "vitest";
import { isSecretKey, REDACTED, redactSecrets } from "../../src/log/redact.js";

describe("log redaction", () => {
  it("knows secret keys whatever their case or separators", () => {
    for (const key of [
      "secretAccessKey",
      "SecretAccessKey",
      "sessionToken",
      "x-amz-security-token",
      "authorization",
      "Authorization",
      "proxy-authorization",
      "cookie",
      "password",
      "externalId",
      "memberExternalId",
      "credentials",
      "AccessKeyId",
    ]) {
      expect(isSecretKey(key), key).toBe(true);
    }
    for (const key of ["account_id", "roleArn", "key_file", "custom_key_store_name", "msg"]) {
      expect(isSecretKey(key), key).toBe(false);
    }
  });

  it("replaces secrets at any depth, in arrays and errors, and leaves the original alone", () => {
    const error = Object.assign(new Error("denied for AKIAABCDEFGHIJKLMNOP"), {
      $response: {
        headers: { authorization: "AWS4-HMAC-SHA256 Credential=…", "x-amz-security-token": "tok" },
      },
    });
    const original = {
      a: { b: { c: { d: { e: { SecretAccessKey: "s3cr3t" } } } } },
      list: [{ sessionToken: "t0k3n" }],
      err: error,
      note: "key ASIAABCDEFGHIJKLMNOP in text",
      account_id: "111111111111",
    };
    const redacted = redactSecrets(original);
    const text = JSON.stringify(redacted);
    expect(text).not.toMatch(/s3cr3t|t0k3n|tok"|AWS4-HMAC|AKIAABCD|ASIAABCD/);
    expect(text).toContain(REDACTED);
    expect(redacted.account_id).toBe("111111111111");
    expect(redacted.err).toMatchObject({ type: "Error", message: `denied for ${REDACTED}` });
    expect(original.list[0]?.sessionToken).toBe("t0k3n");
  });

  it("survives cycles and very deep objects", () => {
    const cyclic: Record<string, unknown> = { name: "x" };
    cyclic.self = cyclic;
    let deep: Record<string, unknown> = { password: "p" };
    for (let i = 0; i < 50; i++) deep = { inner: deep };
    const text = JSON.stringify(redactSecrets({ cyclic, deep }));
    expect(text).toContain("[circular]");
    expect(text).toContain("[too deep]");
    expect(text).not.toContain('"p"');
  });
});
