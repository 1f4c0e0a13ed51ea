import { describe, expect, it } from "vitest";
import { escapeHtml, time, utc } from "../../src/text/html.js";

describe("shared HTML helpers", () => {
  it("escapes the five HTML-special characters and nothing else", () => {
    expect(escapeHtml(`<a href="x">'&'</a> ü`)).toBe(
      "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt; ü",
    );
  });

  it("writes a time element with its machine-readable value, or a dash without one", () => {
    expect(time("2026-12-01T14:03:07.123Z", utc("2026-12-01T14:03:07.123Z"))).toBe(
      '<time datetime="2026-12-01T14:03:07.123Z">2026-12-01 14:03:07 UTC</time>',
    );
    expect(time(`"><b>`)).toBe('<time datetime="&quot;&gt;&lt;b&gt;">&quot;&gt;&lt;b&gt;</time>');
    expect(time(undefined)).toBe("—");
  });
});
