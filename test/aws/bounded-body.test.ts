import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { DescribeCustomKeyStoresCommand, KMSClient } from "@aws-sdk/client-kms";
import { afterEach, describe, expect, it } from "vitest";
import { BoundedBodyHandler } from "../../src/aws/bounded-body.js";
import { classifyError } from "../../src/aws/errors.js";
import { FAKE_CREDENTIALS } from "../helpers/simulator.js";

const servers: Server[] = [];
afterEach(() => {
  for (const server of servers.splice(0)) server.close();
});

const PAGE = JSON.stringify({ CustomKeyStores: [], Truncated: false });

/** A KMS fake that answers `body`, with a Content-Length or chunked. */
async function kmsAnswering(body: string, chunked: boolean): Promise<string> {
  const server = createServer((request, response) => {
    request.resume();
    request.on("end", () => {
      const headers: Record<string, string> = { "Content-Type": "application/x-amz-json-1.1" };
      if (!chunked) headers["Content-Length"] = String(Buffer.byteLength(body));
      response.writeHead(200, headers);
      // Chunked in small pieces, so the cut happens while the body streams.
      for (let at = 0; at < body.length; at += 100) response.write(body.slice(at, at + 100));
      response.end();
    });
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

async function describeWith(endpoint: string, maxBytes: number) {
  const client = new KMSClient({
    region: "us-east-1",
    endpoint,
    credentials: FAKE_CREDENTIALS,
    maxAttempts: 1,
    requestHandler: new BoundedBodyHandler({}, maxBytes),
  });
  return client.send(new DescribeCustomKeyStoresCommand({}));
}

describe("BoundedBodyHandler", () => {
  it.each([false, true])("passes a body of exactly the limit (chunked: %s)", async (chunked) => {
    const endpoint = await kmsAnswering(PAGE, chunked);
    const answer = await describeWith(endpoint, Buffer.byteLength(PAGE));
    expect(answer.Truncated).toBe(false);
  });

  it.each([false, true])(
    "refuses one byte more as an InvalidResponse naming the limit (chunked: %s)",
    async (chunked) => {
      const body = `${PAGE}${" ".repeat(5_000)}`;
      const endpoint = await kmsAnswering(body, chunked);
      const error = await describeWith(endpoint, body.length - 1).catch(
        (caught: unknown) => caught,
      );
      expect(error).toMatchObject({
        message: expect.stringContaining(`response body limit: more than ${body.length - 1} bytes`),
      });
      expect(classifyError(error)).toEqual({ name: "InvalidResponse", retryable: false });
    },
  );
});
