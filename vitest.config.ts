import { defineConfig } from "vitest/config";

// Tests run in child processes (isolated-vm isolates are per process) on Node 24.
export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    pool: "forks",
    execArgv: ["--no-node-snapshot"],
    // Generous: many tests start real processes (serve, the CLI, Postgres clusters, Chromium) and
    // must not fail because a shared CI machine is busy; a hang still fails, only later.
    testTimeout: 180_000,
    hookTimeout: 180_000,
    maxWorkers: 2,
  },
});
