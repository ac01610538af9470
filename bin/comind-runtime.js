#!/usr/bin/env -S node --no-node-snapshot
// Entry of the `comind-runtime` command. Checks the Node version first (before anything that an
// older Node cannot load) and that npm installed the sandbox (an optional dependency), then runs
// the CLI: from the TypeScript sources in a clone, from the JavaScript build in dist/ when
// installed as a package (the package ships no sources).
import { existsSync } from "node:fs";
import { exitUnlessSandboxInstalled, exitUnlessSupportedNode } from "./node-version.js";

exitUnlessSupportedNode();
exitUnlessSandboxInstalled();

const sources = new URL("../runtime/cli/index.ts", import.meta.url);
const entry = existsSync(sources) ? sources : new URL("../dist/runtime/cli/index.js", import.meta.url);
const { main } = await import(entry.href);
await main(process.argv.slice(2));
