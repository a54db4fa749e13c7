/**
 * `odid encode --pcapng FILE --transport T`: the messages as a transmitter would send them, written as a
 * pcapng Wireshark opens: radiotap Wi-Fi frames, BLE LL frames with the LE pseudo-header.
 */

import { UsageError, checkOutputPaths, quoteValue, writeFileReplacing, writeStdout } from '@odid/commands';
import {
  BROADCAST_TRANSPORTS,
  PcapngWriter,
  buildAirFrames,
  encodeMessage,
  packMessages,
  type BroadcastTransport,
  type SingleMessageInput,
} from '@odid/codec';
import { messageOf, readJsonItems } from './hex-commands.js';
import { describeError, sayLine } from './io.js';

export interface EncodePcapngOptions {
  pcapng: string;
  transport: string[];
  mac: string;
  /** First frame's time: ISO 8601 or seconds since the epoch. */
  start?: string;
  /** Time between transmissions, ms. */
  interval: number;
}

export async function encodePcapng(input: string, opts: EncodePcapngOptions): Promise<number> {
  const transports = opts.transport.map((t) => t.toLowerCase());
  const unknown = transports.filter((t) => !(BROADCAST_TRANSPORTS as readonly string[]).includes(t));
  if (unknown.length || transports.length === 0) throw new UsageError('unknown-transport', `got ${opts.transport.join(', ') || 'none'}`, { subject: '--transport', fix: `use ${BROADCAST_TRANSPORTS.join(', ')}` });
  const startS = opts.start === undefined ? Date.now() / 1000 : /^\d+(\.\d+)?$/.test(opts.start) ? Number(opts.start) : Date.parse(opts.start) / 1000;
  if (!Number.isFinite(startS)) throw new UsageError('bad-value', `${quoteValue(opts.start ?? '')} is neither an ISO time nor seconds since the epoch`, { subject: '--start', fix: 'give e.g. 2026-06-01T12:00:00Z or 1780315200' });

  // The output is checked before the input is read: a missing directory is one line, not a crash at the end.
  if (opts.pcapng !== '-') checkOutputPaths([{ option: '--pcapng', path: opts.pcapng, policy: 'replace' }], { inputs: [{ option: 'odid encode', path: input }] });

  // Every message is checked by encoding it; packs given as input contribute their members.
  const { items, failures: unreadable } = await readJsonItems(input, 'encode');
  let failures = unreadable;
  const singles: SingleMessageInput[] = [];
  for (const { value, where } of items) {
    const m = messageOf(value);
    try {
      encodeMessage(m);
      if (m.type === 'messagePack') singles.push(...m.messages);
      else singles.push(m);
    } catch (e) {
      failures++;
      sayLine(`odid encode: ${where}${describeError(e)}`);
    }
  }

  const writer = new PcapngWriter({ application: 'odid encode' });
  const chunks: Uint8Array[] = [writer.header()];
  const interfaces = new Map<number, number>();
  const iface = (linkType: number): number => {
    let id = interfaces.get(linkType);
    if (id === undefined) {
      const added = writer.addInterface({ linkType, name: linkType === 127 ? 'wifi' : 'ble', tsresol: 6 });
      chunks.push(added.bytes);
      id = added.id;
      interfaces.set(linkType, id);
    }
    return id;
  };
  let t = startS;
  let sequence = 0;
  for (const transport of transports as BroadcastTransport[]) {
    // BLE 4 carries one message per advert (a counter per message type); the others carry packs.
    const payloads: { payload: Uint8Array; counterKey: string }[] =
      transport === 'ble-legacy'
        ? singles.map((m) => ({ payload: encodeMessage(m), counterKey: m.type }))
        : packMessages(singles).map((members) => ({ payload: encodeMessage({ type: 'messagePack', messages: members }), counterKey: 'pack' }));
    const counters = new Map<string, number>();
    for (const { payload, counterKey } of payloads) {
      const counter = counters.get(counterKey) ?? 0;
      counters.set(counterKey, (counter + 1) & 0xff);
      for (const f of buildAirFrames({ transport, address: opts.mac, counter, payload, timestampUs: (t - startS) * 1e6, sequence })) {
        chunks.push(writer.packet(iface(f.linkType), t, f.data));
      }
      sequence += 2;
      t += opts.interval / 1000;
    }
  }
  try {
    await writeAll(opts.pcapng, chunks);
  } catch (e) {
    sayLine(`odid encode: --pcapng ${opts.pcapng}: cannot write: ${(e as Error).message}`);
    return failures + 1;
  }
  sayLine(`odid encode: wrote ${singles.length} messages on ${transports.join(', ')} to ${opts.pcapng === '-' ? 'stdout' : opts.pcapng}`);
  return failures;
}

/** stdout, or a file replaced whole once complete (an existing one stays as it was if writing fails). */
async function writeAll(path: string, chunks: Uint8Array[]): Promise<void> {
  if (path !== '-') return writeFileReplacing(path, chunks);
  for (const c of chunks) await writeStdout(c);
}
