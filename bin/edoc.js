#!/usr/bin/env node
// Entry of the `edoc` command; the CLI itself is TypeScript, run by Node 22's type stripping.
import { main } from './edoc/main.ts';

process.exitCode = await main(process.argv.slice(2));
