/**
 * Frame numbers follow Wireshark's: a pcapng block that Wireshark shows as a frame of its own (custom, systemd
 * journal export, Sysdig event) takes a number even though it carries no packet for us; name resolution,
 * interface statistics, decryption secrets and unknown blocks take none. Checked against tshark on a pcapng
 * made of the project's own BLE capture with every non-packet block type woven between its packets.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { capturePath } from '../../../test/support/fixtures.js';
import { tshark } from '../../../test/support/tshark.js';
import { CaptureReader, type CaptureRecord, type CaptureWarning } from '../src/capture/index.js';

const dir = mkdtempSync(path.join(tmpdir(), 'odid-frame-numbers-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** One little-endian pcapng block: body padded to 4 bytes, both length copies. */
function block(type: number, body: Uint8Array): Uint8Array {
  const padded = (body.length + 3) & ~3;
  const out = new Uint8Array(12 + padded);
  const v = new DataView(out.buffer);
  v.setUint32(0, type, true);
  v.setUint32(4, out.length, true);
  out.set(body, 8);
  v.setUint32(8 + padded, out.length, true);
  return out;
}

function words(...values: number[]): Uint8Array {
  const out = new Uint8Array(values.length * 4);
  const v = new DataView(out.buffer);
  values.forEach((x, i) => v.setUint32(i * 4, x, true));
  return out;
}

const concat = (parts: Uint8Array[]): Uint8Array => {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
};
const text = (s: string): Uint8Array => new TextEncoder().encode(s);

/** Every non-packet block type, each well-formed as Wireshark reads it, and whether Wireshark numbers it. */
const NON_PACKET: { name: string; numbered: boolean; bytes: Uint8Array }[] = [
  // Name resolution: one IPv4 record (type 1, length 4+3 "lo\0", padded) and the end record.
  { name: 'name resolution', numbered: false, bytes: block(0x4, concat([new Uint8Array([1, 0, 7, 0, 127, 0, 0, 1, 0x6c, 0x6f, 0]), new Uint8Array(1), new Uint8Array(4)])) },
  // Interface statistics for interface 0: id, timestamp high/low, no options.
  { name: 'interface statistics', numbered: false, bytes: block(0x5, words(0, 0, 0)) },
  // Decryption secrets: TLS key log, 12 bytes of secrets.
  { name: 'decryption secrets', numbered: false, bytes: block(0xa, concat([words(0x544c534b, 12), text('CLIENT_RANDO')])) },
  { name: 'custom (copiable)', numbered: true, bytes: block(0xbad, concat([words(32473), text('any private data')])) },
  { name: 'custom (not to be copied)', numbered: true, bytes: block(0x40000bad, concat([words(32473), text('private')])) },
  { name: 'systemd journal export', numbered: true, bytes: block(0x9, text('__REALTIME_TIMESTAMP=1696390917000000\nMESSAGE=receiver started\n')) },
  { name: 'Sysdig event', numbered: true, bytes: block(0x204, new Uint8Array(24)) },
  { name: 'Sysdig event v2', numbered: true, bytes: block(0x216, new Uint8Array(28)) },
  { name: 'Sysdig event v2 large', numbered: true, bytes: block(0x221, new Uint8Array(28)) },
  { name: 'unknown type', numbered: false, bytes: block(0x12345, text('opaque')) },
];

/** The blocks of a little-endian single-section pcapng, as stored. */
function blocks(file: Uint8Array): { type: number; bytes: Uint8Array }[] {
  const v = new DataView(file.buffer, file.byteOffset, file.byteLength);
  const out: { type: number; bytes: Uint8Array }[] = [];
  for (let at = 0; at < file.length; ) {
    const len = v.getUint32(at + 4, true);
    out.push({ type: v.getUint32(at, true), bytes: file.subarray(at, at + len) });
    at += len;
  }
  return out;
}

function read(bytes: Uint8Array): { records: CaptureRecord[]; warnings: CaptureWarning[] } {
  const reader = new CaptureReader();
  const records = [...reader.push(bytes), ...reader.end()];
  return { records, warnings: reader.warnings };
}

describe('pcapng frame numbers follow Wireshark', () => {
  const original = new Uint8Array(readFileSync(capturePath('opendroneid+wireshark-dissector', 'odid_bt5_lr_sample.pcapng')));
  const parts = blocks(original);
  const packets = parts.filter((b) => b.type === 6);

  // Section and interface first, then each packet preceded by the next non-packet block in turn (the first
  // packet by the first one), so every kind sits before some packet and shifts the numbers after it.
  const woven: Uint8Array[] = parts.filter((b) => b.type !== 6).map((b) => b.bytes);
  packets.forEach((p, i) => woven.push(NON_PACKET[i % NON_PACKET.length]!.bytes, p.bytes));
  const file = path.join(dir, 'every-block-type.pcapng');
  writeFileSync(file, concat(woven));

  it('the test capture holds every kind more than once', () => {
    expect(packets.length).toBeGreaterThan(NON_PACKET.length * 2);
  });

  it('numbers each packet as tshark does', () => {
    const ours = read(new Uint8Array(readFileSync(file)));
    expect(ours.warnings).toEqual([]);
    // tshark lists every frame it numbers; the packets are the ones it dissects as nRF Sniffer frames.
    const rows = tshark(['-r', file, '-T', 'fields', '-e', 'frame.number', '-e', 'frame.protocols'])
      .trim()
      .split('\n')
      .map((l) => l.split('\t'));
    const theirs = rows.filter(([, protocols]) => protocols!.includes('nordic_ble')).map(([n]) => Number(n));
    expect(ours.records.map((r) => r.frame)).toEqual(theirs);
    // And the blocks between them take exactly the numbers tshark gives them.
    const numberedKinds = NON_PACKET.filter((k) => k.numbered).length;
    const expectedTotal = packets.length + packets.filter((_, i) => NON_PACKET[i % NON_PACKET.length]!.numbered).length;
    expect(rows.length).toBe(expectedTotal);
    expect(numberedKinds).toBe(6);
  });

  it('a block Wireshark calls too short for its type takes no number and is reported', () => {
    // A custom block without room for its Private Enterprise Number: Wireshark calls the file damaged.
    const short = block(0xbad, new Uint8Array(0));
    const bytes = concat([...parts.filter((b) => b.type !== 6).map((b) => b.bytes), packets[0]!.bytes, short, packets[1]!.bytes]);
    const { records, warnings } = read(bytes);
    expect(records.map((r) => r.frame)).toEqual([1, 2]);
    expect(warnings.map((w) => w.id)).toContain('capture.bad-header');
    expect(warnings.some((w) => w.detail.includes('below its minimum 16'))).toBe(true);
  });
});
