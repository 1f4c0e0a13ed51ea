import { createRequire } from "node:module";
import { Worker } from "node:worker_threads";

/** bcrypt.compare(password, hash), answered off the event loop. */
export type Compare = (password: string, hash: string) => Promise<boolean>;

/**
 * The worker's whole program. It is given as text and loads bcryptjs by absolute path, so it
 * runs the same from dist/ and from the TypeScript sources under test.
 */
const WORKER_SOURCE = `
const { parentPort, workerData } = require("node:worker_threads");
const bcrypt = require(workerData.bcryptjs);
parentPort.on("message", ({ id, password, hash }) => {
  let matches = false;
  try {
    matches = bcrypt.compareSync(password, hash);
  } catch {}
  parentPort.postMessage({ id, matches });
});
`;

let worker: Worker | undefined;
const waiting = new Map<number, (matches: boolean) => void>();
let nextId = 0;

function started(): Worker {
  if (worker) return worker;
  const fresh = new Worker(WORKER_SOURCE, {
    eval: true,
    workerData: { bcryptjs: createRequire(import.meta.url).resolve("bcryptjs") },
  });
  fresh.on("message", ({ id, matches }: { id: number; matches: boolean }) => {
    waiting.get(id)?.(matches);
    waiting.delete(id);
  });
  // A dead worker denies what it was asked; the next check starts a new one.
  fresh.on("error", () => {});
  fresh.on("exit", () => {
    if (worker === fresh) worker = undefined;
    for (const deny of waiting.values()) deny(false);
    waiting.clear();
  });
  // The worker never keeps the process alive on its own.
  fresh.unref();
  worker = fresh;
  return fresh;
}

/**
 * One worker thread for the whole process: bcrypt at cost 10 is about 90 ms of CPU, which on
 * the main thread would stall every scrape. Checks queue in the worker one after the other;
 * the caller bounds how many may wait.
 */
export const compareInWorker: Compare = (password, hash) =>
  new Promise((resolve) => {
    const id = nextId++;
    waiting.set(id, resolve);
    started().postMessage({ id, password, hash });
  });
