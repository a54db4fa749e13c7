/** `odid decode <capture>`: JSONL on stdout only, filters, summaries, damaged and foreign input. */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { odid } from '../../../test/support/run-cli.js';
import { fixturePath } from '../../../test/support/fixtures.js';
import { damagedCapture } from '../../../test/support/damaged-frames.js';

const WIFI = fixturePath('captures', 'opendroneid+wireshark-dissector', 'odid_wifi_sample.pcap');
const BT5 = fixturePath('captures', 'opendroneid+wireshark-dissector', 'odid_bt5_lr_sample.pcapng');
const lines = (s: string) => s.trim().split('\n').filter(Boolean).map((l) => JSON.parse(l));

describe('odid decode <capture>', () => {
  it('prints only JSONL on stdout, counts on stderr, exit 0', () => {
    const r = odid(['decode', WIFI]);
    expect(r.status).toBe(0);
    const out = lines(r.stdout);
    expect(out).toHaveLength(42);
    expect(Object.keys(out[0])).toEqual(['t', 'frame', 'transport', 'mac', 'rssi', 'channel', 'counter', 'message']);
    expect(r.stderr).toMatch(/pcap: 63 frames, 42 with Remote ID, 42 messages/);
  });

  it('narrows by transport, message type and address', () => {
    expect(lines(odid(['decode', WIFI, '--transport', 'wifi-nan']).stdout).every((l) => l.transport === 'wifi-nan')).toBe(true);
    const loc = lines(odid(['decode', WIFI, '--filter', 'location,system']).stdout);
    expect(new Set(loc.map((l) => l.message.type))).toEqual(new Set(['location', 'system']));
    expect(lines(odid(['decode', WIFI, '--mac', '00:11:22:33:44:55']).stdout)).toEqual([]);
    expect(lines(odid(['decode', WIFI, '--mac', '84-CC-A8-60-43-24']).stdout)).toHaveLength(42);
    const bad = odid(['decode', WIFI, '--transport', 'lora']);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain('--transport must be one or more of ble-legacy, ble-extended, wifi-beacon, wifi-nan, dji-wifi (comma separated) (got "lora")');
  });

  it('--summary counts per transport and drone; --format table shows each drone', () => {
    const s = odid(['decode', '--summary', BT5]).stdout;
    expect(s).toMatch(/ble-extended\s+1069/);
    expect(s).toMatch(/SSEVTFG93700070\s+1069/);
    expect(s).toMatch(/dropped: .*bad-crc 30/);
    const t = odid(['decode', '--format', 'table', WIFI]).stdout;
    expect(t).toContain('transports wifi-nan, wifi-beacon');
    expect(t).toContain('operator   GBR-OP-123ABCD');
  });

  it('--keep-bad-fcs keeps frames whose CRC failed, marked', () => {
    const kept = lines(odid(['decode', BT5, '--keep-bad-fcs']).stdout);
    expect(kept.length).toBeGreaterThan(1069);
    expect(kept.some((l) => l.badFcs === true)).toBe(true);
  });

  it('a damaged capture yields every intact frame, a warning that says where, and exit 0', () => {
    const bytes = readFileSync(WIFI);
    const damaged = Buffer.concat([bytes.subarray(0, 3000), Buffer.alloc(77, 0xee), bytes.subarray(3000, bytes.length - 5)]);
    const r = odid(['decode', '-'], damaged);
    expect(r.status).toBe(0);
    expect(r.stderr).toMatch(/warning: byte \d+/);
    expect(lines(r.stdout).length).toBeGreaterThanOrEqual(40);
  });

  it('link-layer warnings and truncated elements are counted: in --summary, and on stderr', () => {
    const file = path.join(mkdtempSync(path.join(tmpdir(), 'odid-')), 'damaged.pcapng');
    writeFileSync(file, damagedCapture());
    const s = odid(['decode', '--summary', file]);
    expect(s.status).toBe(0);
    expect(s.stdout).toMatch(/^frames 2, with Remote ID 2, messages 2$/m);
    expect(s.stdout).toMatch(/^dropped: malformed 1$/m);
    expect(s.stdout).toMatch(/^link warnings: radiotap 1$/m);
    expect(s.stdout).toMatch(/^truncated elements: odid 1$/m);
    const r = odid(['decode', file]);
    expect(r.status).toBe(0);
    expect(lines(r.stdout).map((l) => l.message.type)).toEqual(['basicId', 'selfId']);
    expect(r.stderr).toMatch(/pcapng: 2 frames, 2 with Remote ID, 2 messages; dropped 1 malformed; link warnings 1 radiotap; truncated elements 1 odid/);
    expect(odid(['decode', '--quiet', file]).stderr).toBe('');
  });

  it('--summary counts every diagnostic by id, the capture\'s own and the frames\'', () => {
    const file = path.join(mkdtempSync(path.join(tmpdir(), 'odid-')), 'damaged.pcapng');
    writeFileSync(file, damagedCapture());
    const s = odid(['decode', '--summary', file]).stdout;
    // The lines above stay as they were; the table by id comes last, in catalogue order.
    expect(s).toMatch(/^link warnings: radiotap 1\ntruncated elements: odid 1\n\ndiagnostic +count +severity\n/m);
    expect(s).toMatch(/^link\.radiotap-unparsed-field +1 +note$/m);
    expect(s).toMatch(/^framing\.truncated-remote-id-element +1 +error$/m);
    const bt5 = odid(['decode', '--summary', BT5]).stdout;
    expect(bt5).toMatch(/^link\.bad-crc +30 +error$/m);
    expect(bt5).toMatch(/^link\.bad-crc-dropped +30 +note$/m);
    expect(bt5).toMatch(/^message\.empty-pack +19 +warning$/m);
    // A damaged container: its own diagnostic is counted too.
    const bytes = readFileSync(WIFI);
    const damaged = Buffer.concat([bytes.subarray(0, 3000), Buffer.alloc(77, 0xee), bytes.subarray(3000)]);
    expect(odid(['decode', '--summary', '-'], damaged).stdout).toMatch(/^capture\.bad-header +1 +warning$/m);
    // A clean capture has no table.
    expect(odid(['decode', '--summary', WIFI]).stdout).not.toContain('diagnostic');
  });

  it('--warnings LEVEL prints every diagnostic of that severity or worse with its id; without it, only the capture\'s own', () => {
    const ids = (stderr: string): string[] => [...stderr.matchAll(/\[([a-z]+\.[a-z0-9-]+)\]$/gm)].map((m) => m[1]!);
    const closing = /^odid decode: pcapng: 274 frames, 244 with Remote ID, 1069 messages; dropped 19 empty-pack, 30 bad-crc; link warnings 30 ble$/m;
    const plain = odid(['decode', BT5]);
    expect(plain.stderr.trim().split('\n')).toHaveLength(1);
    expect(plain.stderr).toMatch(closing);

    const note = odid(['decode', '--warnings', 'note', BT5]);
    expect(note.status).toBe(0);
    expect(note.stdout).toBe(plain.stdout);
    expect(note.stderr).toMatch(closing);
    const all = ids(note.stderr);
    expect(all.filter((id) => id === 'link.bad-crc')).toHaveLength(30);
    expect(all.filter((id) => id === 'link.bad-crc-dropped')).toHaveLength(30);
    expect(all.filter((id) => id === 'message.empty-pack')).toHaveLength(19);
    expect(note.stderr).toMatch(/^odid decode: error: frame \d+: ble: bad CRC \[link\.bad-crc\]$/m);

    expect(new Set(ids(odid(['decode', '--warnings', 'warning', BT5]).stderr))).toEqual(new Set(['link.bad-crc', 'message.empty-pack']));
    expect(new Set(ids(odid(['decode', '--warnings', 'error', BT5]).stderr))).toEqual(new Set(['link.bad-crc']));
    expect(odid(['decode', '--warnings', 'none', BT5]).stderr).toBe(plain.stderr);
    expect(odid(['decode', '--warnings', 'note', '--quiet', BT5]).stderr).toBe('');

    // The capture's own diagnostics: as always by default, with the id when asked, gone with none.
    const bytes = readFileSync(WIFI);
    const damaged = Buffer.concat([bytes.subarray(0, 3000), Buffer.alloc(77, 0xee), bytes.subarray(3000)]);
    const dflt = odid(['decode', '-'], damaged).stderr;
    expect(dflt).toMatch(/^odid decode: warning: byte \d+ \(after frame \d+\): .*77 bytes skipped.*[^\]]$/m);
    expect(ids(dflt)).toEqual([]);
    expect(ids(odid(['decode', '--warnings', 'warning', '-'], damaged).stderr)).toEqual(['capture.bad-header']);
    expect(odid(['decode', '--warnings', 'none', '-'], damaged).stderr).not.toContain('warning: byte');

    const bad = odid(['decode', '--warnings', 'info', BT5]);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain('--warnings must be one of none, chat, note, warning, error');
  });

  it('something that is not a capture: says so, exit 1', () => {
    const r = odid(['decode', '-'], 'hello, this is text\n');
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('not a pcap, pcapng or btsnoop file');
    expect(r.stdout).toBe('');
  });
});
