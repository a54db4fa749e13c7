#!/usr/bin/env node
/** `odid`: decode and encode Open Drone ID messages, packs and (later) captures. */

import { Command } from 'commander';
import { decodeHex, encodeJson } from './hex-commands.js';
import { describeError } from './io.js';

const program = new Command()
  .name('odid')
  .description('Decode and encode Open Drone ID (ASTM F3411 / ASD-STAN EN 4709-002) Remote ID messages.')
  .showHelpAfterError();

program
  .command('decode')
  .description('Decode Remote ID messages to JSON (the decoded form of docs/decoded-json.md).')
  .option('--hex <hex>', 'one message or message pack as hex; "-" reads one hex message per line from stdin')
  .option('--validate', 'add an "issues" list: out-of-range, reserved and version-dependent values')
  .option('--pretty', 'indent the JSON')
  .addHelpText(
    'after',
    `
Examples:
  odid decode --hex 1203b5ff7e0000000000000000000000000000000000000000
  cat messages.hex | odid decode --hex - > messages.jsonl`,
  )
  .action(async (opts: { hex?: string; validate?: boolean; pretty?: boolean }) => {
    if (opts.hex === undefined) return program.error('odid decode: give --hex <hex> (or --hex - for stdin)');
    process.exitCode = (await decodeHex(opts.hex, opts)) > 0 ? 1 : 0;
  });

program
  .command('encode')
  .description('Encode decoded-form JSON (one message per line, or one message pack) to hex, one line per message.')
  .argument('<file>', 'JSON or JSONL file, or "-" for stdin')
  .addHelpText(
    'after',
    `
Input: the JSON that "odid decode" prints. protocolVersion may be left out (2, F3411-22a, is used).
Examples:
  echo '{"type":"selfId","descType":0,"desc":"Survey flight"}' | odid encode -
  odid decode --hex - < in.hex | odid encode - > same.hex`,
  )
  .action(async (file: string) => {
    process.exitCode = (await encodeJson(file)) > 0 ? 1 : 0;
  });

program.parseAsync().catch((e: unknown) => {
  process.stderr.write(`odid: ${describeError(e)}\n`);
  process.exit(2);
});
