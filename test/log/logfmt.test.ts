import { describe, expect, it } from "vitest";
import { jsonLineToLogfmt } from "../../src/log/logfmt.js";

/** A minimal logfmt reader (the go-logfmt rules), to prove each line reads back whole. */
function parseLogfmt(line: string): Record<string, string> {
  const out: Record<string, string> = {};
  const pair = /([^\s=]+)=(?:"((?:[^"\\]|\\.)*)"|(\S*))/g;
  for (const match of line.matchAll(pair)) {
    const [, key = "", quoted, bare] = match;
    out[key] = quoted === undefined ? (bare ?? "") : (JSON.parse(`"${quoted}"`) as string);
  }
  return out;
}

describe("logfmt", () => {
  it("writes ts, level and msg first, then the fields, nested ones with dotted keys", () => {
    const line = jsonLineToLogfmt(
      JSON.stringify({
        level: "warn",
        time: Date.UTC(2026, 11, 1, 14, 0, 0),
        name: "kms-keystore-exporter",
        account_id: "111111111111",
        err: { name: "AccessDeniedException", message: "not allowed" },
        regions: ["us-east-1", "eu-west-1"],
        attempt: 3,
        ok: false,
        msg: "target poll failed",
      }),
    );
    expect(line).toBe(
      'ts=2026-12-01T14:00:00.000Z level=warn msg="target poll failed" name=kms-keystore-exporter account_id=111111111111 err.name=AccessDeniedException err.message="not allowed" regions="[\\"us-east-1\\",\\"eu-west-1\\"]" attempt=3 ok=false\n',
    );
  });

  it("keeps a hostile value on one line and reads it back unchanged", () => {
    const hostile = 'a "quoted" \\ back\nslash\r\t</script> é 東京 \u0007 k=v';
    const line = jsonLineToLogfmt(
      JSON.stringify({
        level: "info",
        time: 0,
        msg: "m",
        custom_key_store_name: hostile,
        "bad key=x": "y",
      }),
    );
    expect(line.endsWith("\n")).toBe(true);
    expect(line.slice(0, -1)).not.toMatch(/\p{Cc}/u);
    const parsed = parseLogfmt(line);
    expect(parsed.custom_key_store_name).toBe(hostile);
    expect(parsed.bad_key_x).toBe("y");
    expect(parsed.level).toBe("info");
  });

  it("quotes empty values and keeps a line that is not JSON visible", () => {
    expect(jsonLineToLogfmt('{"level":"info","time":0,"msg":"","a":null}')).toBe(
      'ts=1970-01-01T00:00:00.000Z level=info msg="" a=""\n',
    );
    expect(jsonLineToLogfmt("{oops\n")).toBe(
      'level=error msg="unparseable log line" line="{oops"\n',
    );
  });
});
