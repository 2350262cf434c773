#!/usr/bin/env node
// The `evoucher` command: a thin launcher for the compiled CLI in dist/.
import { exitWhenOutputCloses, main } from '../dist/cli/main.js';

exitWhenOutputCloses();
process.exitCode = await main(process.argv.slice(2));
