#!/usr/bin/env node
/** `rid-keys`: DRIP identities and endorsements for Remote ID (see program.ts). */

import { onStdoutClosed } from '@odid/commands';
import { runRidKeys } from './program.js';

// A reader that quits early (rid-keys --help | head) ends rid-keys quietly: exit code 141.
onStdoutClosed('rid-keys');

process.exitCode = await runRidKeys(process.argv.slice(2), {
  out: (line) => void process.stdout.write(`${line}\n`),
  err: (line) => void process.stderr.write(`${line}\n`),
});
