import { randomUUID } from "node:crypto";

/** A complete HTTP answer. Node adds the `Date` header itself, which keeps SDK clocks unskewed. */
export interface Reply {
  status: number;
  headers: Record<string, string>;
  body: string;
}

const AMZ_JSON = "application/x-amz-json-1.1";

function withRequestId(headers: Record<string, string>, requestId: string): Record<string, string> {
  return { ...headers, "x-amzn-RequestId": requestId };
}

export function jsonReply(payload: unknown, requestId = randomUUID()): Reply {
  return {
    status: 200,
    headers: withRequestId({ "Content-Type": AMZ_JSON }, requestId),
    body: JSON.stringify(payload),
  };
}

export function jsonError(
  status: number,
  name: string,
  message: string,
  requestId = randomUUID(),
): Reply {
  return {
    status,
    headers: withRequestId({ "Content-Type": AMZ_JSON, "x-amzn-ErrorType": name }, requestId),
    body: JSON.stringify({ __type: name, message }),
  };
}

/** An awsJson error with service-specific members (Organizations writes `Message`, `Reason`). */
export function jsonErrorWith(
  status: number,
  name: string,
  fields: Record<string, string>,
  requestId = randomUUID(),
): Reply {
  return {
    status,
    headers: withRequestId({ "Content-Type": AMZ_JSON, "x-amzn-ErrorType": name }, requestId),
    body: JSON.stringify({ __type: name, ...fields }),
  };
}

const AMZ_JSON_1_0 = "application/x-amz-json-1.0";

export function json10Reply(payload: unknown, requestId = randomUUID()): Reply {
  return {
    status: 200,
    headers: withRequestId({ "Content-Type": AMZ_JSON_1_0 }, requestId),
    body: JSON.stringify(payload),
  };
}

/**
 * An error of a query-compatible awsJson1_0 service (CloudWatch): the SDK names the error
 * after the awsQuery code in `x-amzn-query-error`, as the service's older clients know it.
 */
export function queryCompatibleError(
  status: number,
  code: string,
  type: string,
  message: string,
  requestId = randomUUID(),
): Reply {
  const fault = status >= 500 ? "Receiver" : "Sender";
  return {
    status,
    headers: withRequestId(
      { "Content-Type": AMZ_JSON_1_0, "x-amzn-query-error": `${code};${fault}` },
      requestId,
    ),
    body: JSON.stringify({ __type: type, message }),
  };
}

export function htmlUnavailable(requestId = randomUUID()): Reply {
  return {
    status: 503,
    headers: withRequestId({ "Content-Type": "text/html" }, requestId),
    body: "<html><head><title>503 Service Unavailable</title></head><body><h1>Service Unavailable</h1></body></html>",
  };
}

export function xmlEscape(text: string): string {
  return text.replace(/[<>&"']/g, (char) => `&#${char.charCodeAt(0)};`);
}

export function xmlReply(xml: string, requestId: string): Reply {
  return {
    status: 200,
    headers: withRequestId({ "Content-Type": "text/xml" }, requestId),
    body: xml,
  };
}

/** The awsQuery error document STS sends; the SDK reads Code and Message from it. */
export function queryError(
  status: number,
  code: string,
  message: string,
  requestId = randomUUID(),
): Reply {
  const type = status >= 500 ? "Receiver" : "Sender";
  return {
    status,
    headers: withRequestId({ "Content-Type": "text/xml" }, requestId),
    body:
      `<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><Error><Type>${type}</Type>` +
      `<Code>${xmlEscape(code)}</Code><Message>${xmlEscape(message)}</Message></Error>` +
      `<RequestId>${requestId}</RequestId></ErrorResponse>`,
  };
}
