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

  it('something that is not a capture: says so, exit 1', () => {
    const r = odid(['decode', '-'], 'hello, this is text\n');
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('not a pcap, pcapng or btsnoop file');
    expect(r.stdout).toBe('');
  });
});
