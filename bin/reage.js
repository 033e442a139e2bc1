#!/usr/bin/env node
// Launcher for the `reage` command line: runs the TypeScript CLI through tsx so
// that a source checkout works without a build step. tsx's loader is registered in
// this process rather than spawning `tsx` as a child: one process means Ctrl-C
// reaches the CLI once (a graceful stop), not once from the terminal and again
// relayed by a parent, and a render farm's SIGTERM/SIGKILL hits the real worker.
import process from 'node:process';
import { register } from 'tsx/esm/api';

register();
const { run } = await import('../src/main/cli/reage.ts');
await run(process.argv.slice(2));
