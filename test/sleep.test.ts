import { describe, expect, it } from "vitest";
import { sleep } from "../src/sleep.js";

describe("sleep", () => {
  it("resolves after the time", async () => {
    const started = Date.now();
    await sleep(30, new AbortController().signal);
    expect(Date.now() - started).toBeGreaterThanOrEqual(25);
  });

  it("rejects with the signal's reason when aborted first, at once", async () => {
    const controller = new AbortController();
    const started = Date.now();
    const slept = sleep(10_000, controller.signal);
    controller.abort(new Error("stop"));
    await expect(slept).rejects.toThrow("stop");
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it("rejects at once for a signal aborted before", async () => {
    await expect(sleep(10_000, AbortSignal.abort(new Error("already")))).rejects.toThrow("already");
  });
});
