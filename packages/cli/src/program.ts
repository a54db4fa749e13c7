/**
 * The `odid` command line: decode Open Drone ID messages from hex or captures, encode them back. Built as a
 * commander program so that other tools can embed it (`odidProgram().parseAsync(argv)`).
 */

import { Command } from 'commander';
import { decodeCapture } from './capture-decode.js';
import { encodePcapng } from './encode-pcapng.js';
import { decodeHex, encodeJson } from './hex-commands.js';

export function odidProgram(): Command {
  const program = new Command()
    .name('odid')
    .description('Decode and encode Open Drone ID (ASTM F3411 / ASD-STAN EN 4709-002) Remote ID messages.')
    .showHelpAfterError();

  const list = (v: string, prev: string[] = []): string[] => prev.concat(v.split(',').map((x) => x.trim()).filter(Boolean));

  program
    .command('decode')
    .description('Decode Remote ID messages to JSON (the decoded form of docs/decoded-json.md).')
    .argument('[capture]', 'pcap, pcapng or btsnoop file, or "-" for a stream (tcpdump -w - / tshark -w -)')
    .option('--hex <hex>', 'decode one message or message pack given as hex; "-" reads one hex message per line from stdin')
    .option('--format <format>', 'captures: jsonl (one line per message) or table (a human view per drone)', 'jsonl')
    .option('--summary', 'captures: print counts per transport and per drone instead of the lines')
    .option('--filter <types>', 'captures: only these message types (basicId,location,auth,selfId,system,operatorId,djiFlightInfo,frenchId)', list)
    .option('--mac <addresses>', 'captures: only these transmitter addresses', list)
    .option('--transport <names>', 'captures: only these transports (ble-legacy,ble-extended,wifi-beacon,wifi-nan,dji-wifi)', list)
    .option('--keep-bad-fcs', 'captures: keep frames whose CRC/FCS failed (marked "badFcs": true) instead of dropping them')
    .option('--quiet', 'captures: no warnings, counts or progress on stderr')
    .option('--validate', 'hex: add an "issues" list: out-of-range, reserved and version-dependent values')
    .option('--pretty', 'hex: indent the JSON')
    .addHelpText(
      'after',
      `
  Captures print one JSON line per Remote ID message ({"t","frame","transport","mac","rssi","channel",
  "counter","message"}) and nothing else on stdout; warnings, counts and progress go to stderr. The exit
  code is 0 whenever the input was read to its end. Frames whose BLE CRC or 802.11 FCS fails are dropped
  and counted unless --keep-bad-fcs is given.

  Examples:
    odid decode flight.pcapng > flight.jsonl
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
      if (opts.format !== 'jsonl' && opts.format !== 'table') return program.error(`odid decode: --format is jsonl or table, not ${String(opts.format)}`);
      process.exitCode = await decodeCapture(capture, opts as never);
    });

  program
    .command('encode')
    .description('Encode decoded-form JSON (one message per line, or one message pack) to hex, one line per message, or to a pcapng.')
    .argument('<file>', 'JSON or JSONL file, or "-" for stdin')
    .option('--pcapng <file>', 'write the frames a transmitter would send to this pcapng ("-" for stdout) instead of hex')
    .option('--transport <names>', 'with --pcapng: ble-legacy, ble-extended, wifi-beacon, wifi-nan (several allowed)', list)
    .option('--mac <address>', 'with --pcapng: transmitter address (a random static address by default)', 'c2:5a:1d:00:00:01')
    .option('--start <time>', 'with --pcapng: time of the first frame, ISO 8601 or seconds since the epoch (default: now)')
    .option('--interval <ms>', 'with --pcapng: time between transmissions', (v) => Number(v), 100)
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
