#!/usr/bin/env node
/** `odid`: decode and encode Open Drone ID messages, message packs and captures. */

import { onStdoutClosed } from '@odid/commands';
import { describeError, sayLine } from './io.js';
import { odidProgram } from './program.js';

// A reader that quits early (odid decode big.pcapng | head -1) ends odid at once, quietly: exit code 141.
onStdoutClosed('odid');

odidProgram().parseAsync().catch((e: unknown) => {
  sayLine(`odid: ${describeError(e)}`);
  if (process.env.ODID_DEBUG) for (const line of String((e as Error).stack).split('\n')) sayLine(line);
  process.exit(2);
});
