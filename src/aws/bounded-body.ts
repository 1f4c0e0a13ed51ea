import type { Readable } from "node:stream";
import { pipeline, Transform } from "node:stream";
import type { HttpRequest, HttpResponse } from "@smithy/core/protocols";
import { NodeHttpHandler, type NodeHttpHandlerOptions } from "@smithy/node-http-handler";
import type { HttpHandlerOptions } from "@smithy/types";

/**
 * The largest answer body read from AWS. The largest honest answer is a full
 * DescribeCustomKeyStores page: 1,000 entries (the `Limit` maximum) of about 6 KB each (a
 * 5,000-character TrustAnchorCertificate, a 256-character name, ids, XKS fields), so 8 MiB
 * leaves headroom while a 100 MB page is refused before it is parsed.
 */
export const MAX_RESPONSE_BYTES = 8 * 1024 * 1024;

/** Named like the poller's InvalidResponse, so the `error` label says what happened. */
export class ResponseTooLargeError extends Error {
  override readonly name = "InvalidResponse";

  constructor(maxBytes: number) {
    super(`response body limit: more than ${maxBytes} bytes`);
  }
}

function bounded(body: Readable, maxBytes: number): Readable {
  let seen = 0;
  const limited = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      seen += chunk.length;
      done(seen > maxBytes ? new ResponseTooLargeError(maxBytes) : null, chunk);
    },
  });
  // The pipeline destroys the socket's stream when the limit is hit, so no more is read.
  pipeline(body, limited, () => {});
  return limited;
}

/**
 * The SDK's HTTP handler with a cap on answer bodies, enforced where the bytes arrive: a
 * declared Content-Length over the cap fails before reading, and any body is cut off at
 * the cap while it streams. Every client shares one handler, so every service is bounded.
 */
export class BoundedBodyHandler extends NodeHttpHandler {
  constructor(
    options: NodeHttpHandlerOptions,
    private readonly maxBytes = MAX_RESPONSE_BYTES,
  ) {
    super(options);
  }

  override async handle(
    request: HttpRequest,
    options?: HttpHandlerOptions,
  ): Promise<{ response: HttpResponse }> {
    const result = await super.handle(request, options);
    const { response } = result;
    const declared = Number(response.headers["content-length"]);
    if (Number.isFinite(declared) && declared > this.maxBytes) {
      (response.body as Readable).destroy();
      throw new ResponseTooLargeError(this.maxBytes);
    }
    response.body = bounded(response.body as Readable, this.maxBytes);
    return result;
  }
}
