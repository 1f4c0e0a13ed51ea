import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    // Lets vi.useFakeTimers() drive node:timers/promises too (see the file).
    setupFiles: ["test/helpers/timers-promises.ts"],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    env: {
      // The SDK warns on Node 20 that future releases need Node 22; noise in test output.
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true",
    },
  },
});
