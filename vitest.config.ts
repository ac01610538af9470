import { defineConfig } from "vitest/config";

// Tests run in child processes (isolated-vm isolates are per process) on Node 24.
export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    pool: "forks",
    execArgv: ["--no-node-snapshot"],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    maxWorkers: 2,
  },
});
