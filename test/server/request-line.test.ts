import { describe, expect, it } from "vitest";
import { protocolRefusal, requestTarget } from "../../src/server/request-line.js";

describe("request line", () => {
  it.each([
    ["/metrics", "/metrics", ""],
    ["/status.json?state=FAILED", "/status.json", "state=FAILED"],
    ["http://host:10127/metrics", "/metrics", ""],
    ["HTTPS://host/status.json?region=us-east-1", "/status.json", "region=us-east-1"],
    ["http://host", "/", ""],
    ["http://host?x=1", "/", "x=1"],
  ])("routes %s by path %s", (url, path, query) => {
    expect(requestTarget(url)).toEqual({ path, query });
  });

  it.each([
    [0, ["Host", "x"], 400],
    [2, ["Host", "x"], 505],
    [3, ["Host", "x"], 505],
    [1, ["Host", "x", "host", "y"], 400],
    [1, ["Host", "x", "X-Host", "y"], undefined],
    [1, [], undefined],
  ])("HTTP/%s with headers %j: %s", (major, rawHeaders, status) => {
    expect(protocolRefusal({ httpVersionMajor: major, rawHeaders })?.status).toBe(status);
  });
});
