/**
 * The `odid` command line: decode Open Drone ID messages from hex or captures, encode them back. Built as a
 * commander program so that other tools can embed it (`odidProgram().parseAsync(argv)`).
 */

import { Command } from 'commander';
import { BROADCAST_TRANSPORTS, RECEIVED_PAYLOAD_TYPES, TRANSPORTS } from '@odid/codec';
import {
  exitOnUsageError,
  formatBytes,
  parseChoice,
  parseChoiceList,
  parseMacAddress,
  parseMacList,
  parseNumber,
  parseTime,
  rangeText,
  usageErrorWriter,
  type NumberRule,
} from '@odid/commands';
import { decodeCapture } from './capture-decode.js';
import { WARNING_LEVELS } from './diagnostic-lines.js';
import { encodePcapng } from './encode-pcapng.js';
import { decodeHex, encodeJson } from './hex-commands.js';
import { ENCODE_INPUT_MAX_BYTES } from './io.js';

/** What a capture's lines can hold (`--filter`). */
const MESSAGE_TYPES = RECEIVED_PAYLOAD_TYPES;
const FORMATS = ['jsonl', 'table'] as const;
/** Spacing of the frames in a written pcapng: a millisecond to an hour. */
const INTERVAL: NumberRule = { min: 0, minExclusive: true, max: 3_600_000, unit: 'milliseconds' };
/** Any time a pcapng and a Date can hold, from the epoch to the year 9999. */
const START = { minMs: 0, maxMs: Date.UTC(9999, 11, 31, 23, 59, 59), epochSeconds: true };

export function odidProgram(): Command {
  const program = new Command()
    .name('odid')
    .description('Decode and encode Open Drone ID (ASTM F3411 / ASD-STAN EN 4709-002) Remote ID messages.')
    // Set before the subcommands are added: they inherit both.
    .exitOverride(exitOnUsageError)
    .configureOutput({ outputError: usageErrorWriter('odid') });
  const checkStart = parseTime('--start', START);

  program
    .command('decode')
    .description('Decode Remote ID messages to JSON (the decoded form of docs/decoded-json.md).')
    .argument('[capture]', 'pcap, pcapng or btsnoop file, plain or gzip/zstd/lz4 compressed, or "-" for a stream (tcpdump -w - / tshark -w -)')
    .option('--hex <hex>', 'decode one message or message pack given as hex; "-" reads one hex message per line from stdin')
    .option('--format <format>', 'captures: jsonl (one line per message) or table (a human view per drone)', parseChoice('--format', FORMATS), 'jsonl')
    .option('--summary', 'captures: print counts per transport and per drone instead of the lines')
    .option('--filter <types>', `captures: only these message types (${MESSAGE_TYPES.join(',')})`, parseChoiceList('--filter', MESSAGE_TYPES))
    .option('--mac <addresses>', 'captures: only these transmitter addresses (aa:bb:cc:dd:ee:ff, comma separated)', parseMacList('--mac'))
    .option('--transport <names>', `captures: only these transports (${TRANSPORTS.join(',')})`, parseChoiceList('--transport', TRANSPORTS))
    .option('--keep-bad-fcs', 'captures: keep frames whose CRC/FCS failed (marked "badFcs": true) instead of dropping them')
    .option('--quiet', 'captures: no warnings, counts or progress on stderr')
    .option(
      '--warnings <level>',
      `captures: a line on stderr for every diagnostic (docs/diagnostics.md) of this severity or worse, each frame's too, ending with its id (${WARNING_LEVELS.join(', ')}; none: only the counts); without it, only damage to the capture file itself is printed`,
      parseChoice('--warnings', WARNING_LEVELS),
    )
    .option('--validate', 'hex: add an "issues" list: out-of-range, reserved and version-dependent values')
    .option('--pretty', 'hex: indent the JSON')
    .addHelpText(
      'after',
      `
  Captures print one JSON line per Remote ID message ({"t","frame","transport","mac","rssi","channel",
  "counter","message"}) and nothing else on stdout; warnings, counts and progress go to stderr. The exit
  code is 0 whenever the input was read to its end. Frames whose BLE CRC or 802.11 FCS fails are dropped
  and counted unless --keep-bad-fcs is given. When the reader of stdout quits early (| head), odid stops
  quietly with exit code 141, as a shell reports for cat. Compressed captures (gzip, zstd, lz4 frames, as
  Wireshark reads them) are recognised by their first bytes, whatever their name, on stdin too.

  Examples:
    odid decode flight.pcapng > flight.jsonl
    odid decode flight.pcapng.gz > flight.jsonl
    tcpdump -i wlan0mon -w - 'type mgt' | odid decode -
    odid decode --summary capture.pcap
    odid decode --hex 1203b5ff7e0000000000000000000000000000000000000000
    cat messages.hex | odid decode --hex - > messages.jsonl`,
    )
    .action(async (capture: string | undefined, opts: Record<string, unknown>) => {
      if (opts.hex !== undefined) {
        process.exitCode = (await decodeHex(opts.hex as string, opts)) > 0 ? 1 : 0;
        return;
      }
      if (capture === undefined) return program.error('odid decode: give a capture file (or - for stdin), or --hex <hex>');
      process.exitCode = await decodeCapture(capture, opts as never);
    });

  program
    .command('encode')
    .description('Encode decoded-form JSON (one message per line, or one message pack) to hex, one line per message, or to a pcapng.')
    .argument('<file>', `JSON or JSONL file, or "-" for stdin (at most ${formatBytes(ENCODE_INPUT_MAX_BYTES)})`)
    .option('--pcapng <file>', 'write the frames a transmitter would send to this pcapng ("-" for stdout) instead of hex; checked before the input is read, an existing file is replaced once the new one is complete')
    .option('--transport <names>', `with --pcapng: ${BROADCAST_TRANSPORTS.join(', ')} (several allowed)`, parseChoiceList('--transport', BROADCAST_TRANSPORTS))
    .option('--mac <address>', 'with --pcapng: transmitter address (a random static address by default)', parseMacAddress('--mac'), 'c2:5a:1d:00:00:01')
    .option('--start <time>', 'with --pcapng: time of the first frame, ISO 8601 or seconds since the epoch (default: now)', (v: string) => (checkStart(v), v))
    .option('--interval <ms>', `with --pcapng: milliseconds between transmissions (${rangeText(INTERVAL)})`, parseNumber('--interval', INTERVAL), 100)
    .addHelpText(
      'after',
      `
  Input: the JSON that "odid decode" prints. protocolVersion may be left out (2, F3411-22a, is used).
  With --pcapng, BLE 4 sends one message per advert; the other transports send the messages in packs.
  Examples:
    echo '{"type":"selfId","descType":0,"desc":"Survey flight"}' | odid encode -
    odid decode --hex - < in.hex | odid encode - > same.hex
    odid encode flight.jsonl --pcapng flight.pcapng --transport wifi-beacon,ble-legacy`,
    )
    .action(async (file: string, opts: { pcapng?: string; transport?: string[]; mac: string; start?: string; interval: number }) => {
      if (opts.pcapng === undefined) {
        if (opts.transport) return program.error('odid encode: --transport goes with --pcapng');
        process.exitCode = (await encodeJson(file)) > 0 ? 1 : 0;
        return;
      }
      process.exitCode = (await encodePcapng(file, { ...opts, pcapng: opts.pcapng, transport: opts.transport ?? [] })) > 0 ? 1 : 0;
    });

  return program;
}
