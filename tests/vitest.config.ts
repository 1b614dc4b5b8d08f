import { availableParallelism } from "node:os";
import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

export default defineConfig({
  root: fileURLToPath(new URL("..", import.meta.url)),
  test: {
    include: ["tests/**/*.test.ts"],
    globalSetup: ["tests/support/global-setup.ts"],
    setupFiles: ["tests/support/fast-check-setup.ts"],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: "forks",
    // Vitest's default, one worker per core but one, runs the files one at a time on two cores: most files are one
    // thread, or wait for the `sbx` process they spawned, so the second core sat idle.
    maxWorkers: Math.max(2, availableParallelism() - 1),
  },
});
