#!/usr/bin/env node
/** `odid`: decode and encode Open Drone ID messages, message packs and captures. */

import { describeError } from './io.js';
import { odidProgram } from './program.js';

odidProgram().parseAsync().catch((e: unknown) => {
  process.stderr.write(`odid: ${describeError(e)}\n`);
  if (process.env.ODID_DEBUG) process.stderr.write(`${(e as Error).stack}\n`);
  process.exit(2);
});
