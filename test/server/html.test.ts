import { describe, expect, it } from "vitest";
import { humanDuration, runbookInline, stateBadge } from "../../src/server/html.js";
import { RUNBOOKS_URL } from "../../src/status/report.js";

describe("status page HTML helpers", () => {
  it("writes ages in two units at most", () => {
    expect(humanDuration(5)).toBe("5s");
    expect(humanDuration(65)).toBe("1m 5s");
    expect(humanDuration(3_725)).toBe("1h 2m");
    expect(humanDuration(90_000)).toBe("1d 1h");
  });

  it("turns the runbook's inline Markdown into markup after escaping it", () => {
    expect(runbookInline("`a<b>` and [X_Y](#x_y) & more")).toBe(
      `<code>a&lt;b&gt;</code> and <a href="${RUNBOOKS_URL}#x_y">X_Y</a> &amp; more`,
    );
  });

  it("writes any state as a word, with a symbol only for the ones it knows", () => {
    expect(stateBadge("DISCONNECTED")).toContain("○</span> DISCONNECTED");
    expect(stateBadge("<NEW>")).toBe(
      '<span class="state state-unknown"><span aria-hidden="true">?</span> &lt;NEW&gt;</span>',
    );
  });
});
