import timers from "node:timers/promises";

// Product code waits with node:timers/promises' setTimeout. Vitest's fake timers replace
// the global setTimeout but, in this setup, not that module's (its check that the global it
// fakes is node's own fails under vitest's runner), so tests with fake timers would wait in
// real time. This setup file, loaded before every test file, routes the module's
// setTimeout through the global one, whichever vi.useFakeTimers() has installed, with the
// same contract: resolves with the value, rejects with an AbortError whose cause is the
// signal's reason.
const abortError = (signal: AbortSignal) =>
  Object.assign(new Error("The operation was aborted", { cause: signal.reason }), {
    name: "AbortError",
    code: "ABORT_ERR",
  });

timers.setTimeout = (<T>(delay?: number, value?: T, options: { signal?: AbortSignal } = {}) =>
  new Promise<T>((resolve, reject) => {
    const { signal } = options;
    if (signal?.aborted) {
      reject(abortError(signal));
      return;
    }
    const onAbort = () => {
      globalThis.clearTimeout(timer);
      reject(abortError(signal as AbortSignal));
    };
    const timer = globalThis.setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve(value as T);
    }, delay);
    signal?.addEventListener("abort", onAbort, { once: true });
  })) as typeof timers.setTimeout;
