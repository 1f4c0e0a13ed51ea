/**
 * Polls a condition until it holds; fails the test with a clear message when it never does.
 * The one place in test/ that waits on the clock: tests wait on conditions, never for a time.
 * The deadline only bounds a test that would otherwise hang, so it is generous: a loaded
 * machine makes things slower, never wrong.
 */
export async function until(
  condition: () => boolean | Promise<boolean>,
  timeoutMs = 15_000,
  what: string | (() => string) = "condition",
  /** Between checks: longer for a check that costs (an API query of another process). */
  pauseMs = 20,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) {
      throw new Error(`${typeof what === "string" ? what : what()} not met within ${timeoutMs} ms`);
    }
    await new Promise((resolve) => setTimeout(resolve, pauseMs));
  }
}

/**
 * until() for tests under fake timers, which would never fire its setTimeout: waits on the
 * condition through the event loop's turns (real I/O keeps running), up to `turns` of them.
 */
export async function untilTurns(condition: () => boolean, turns = 100_000): Promise<void> {
  for (let turn = 0; !condition(); turn++) {
    if (turn >= turns) throw new Error(`condition not met within ${turns} event loop turns`);
    await new Promise((resolve) => setImmediate(resolve));
  }
}
