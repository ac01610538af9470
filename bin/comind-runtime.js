#!/usr/bin/env -S node --no-node-snapshot
// Entry of the `comind-runtime` command. The source is TypeScript run by Node 24's type stripping.
import { main } from "../runtime/cli/index.ts";

await main(process.argv.slice(2));
