import { once } from "node:events";
import { connect } from "node:net";
import { describe, expect, it } from "vitest";
import { role, runExporter } from "../helpers/exporter.js";

const A = "111111111111";
const SCENARIO = `
accounts:
  - id: "${A}"
    regions:
      - region: us-east-1
        stores: [{id: cks-aaaaaaaaaaaaaaaaa, name: a, state: CONNECTED}]
`;
const CONFIG = { accounts: [{ roleArn: role(A) }] };

/** One request as raw bytes; the status line of the answer. */
async function statusLine(url: string, bytes: string): Promise<string> {
  const { hostname, port } = new URL(url);
  const socket = connect(Number(port), hostname);
  await once(socket, "connect");
  let text = "";
  socket.on("data", (chunk: Buffer) => {
    text += chunk.toString("latin1");
  });
  socket.on("error", () => {});
  socket.write(bytes);
  await new Promise<void>((resolve) => {
    const check = () => (text.includes("\r\n") ? resolve() : undefined);
    socket.on("data", check);
    socket.on("close", () => resolve());
  });
  socket.destroy();
  return text.split("\r\n", 1)[0] ?? "";
}

describe("hostile requests", () => {
  it("answers 400, never 500, to query parameters named like Object's members", async () => {
    const { app } = await runExporter(SCENARIO, CONFIG);
    const names = ["toString", "__proto__", "constructor", "hasOwnProperty", "valueOf"];
    const statuses: number[] = [];
    for (const name of names) {
      for (const path of ["/status.json", "/"]) {
        const response = await fetch(`${app.url}${path}?${name}=1`);
        await response.arrayBuffer();
        statuses.push(response.status);
      }
    }
    expect(statuses).toEqual(Array(names.length * 2).fill(400));
  });
});
