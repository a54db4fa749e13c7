/**
 * An FCS the capture did not keep. A snap length that cuts a record just before its FCS (`editcap -s`) leaves
 * a header that says "FCS at end" over a frame without one: the FCS is unverifiable, not bad. With the
 * record's original length the link layer knows (link.fcs-not-captured) and the frame decodes as Wireshark
 * decodes it; without it, the last 4 bytes would be taken for a failing FCS and the frame dropped.
 *
 * The captures are the project's own: odid_wifi_sample.pcap behind a radiotap header that says "FCS at end",
 * with the FCS computed (zlib's CRC-32), then cut with editcap (one snap length per frame length) and put
 * back together with mergecap; and, where the external corpus is present, a real capture with FCS.
 */

import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { crc32 as zlibCrc32 } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { corpusPath, fixturePath, itCorpus } from '../../../test/support/fixtures.js';
import { odid, ridScan } from '../../../test/support/run-cli.js';
import { tshark } from '../../../test/support/tshark.js';
import { CaptureReader, PcapWriter, type CaptureRecord } from '../src/capture/index.js';
import { concatBytes, fromHex } from '../src/bytes.js';
import { LINKTYPE, decodeLinkFrame, stripFcs, type WifiFrame } from '../src/link/index.js';
import { RemoteIdExtractor } from '../src/receive/extract.js';
import { ppiRecord } from './link-header-writers.js';

const tmp = mkdtempSync(path.join(tmpdir(), 'odid-fcs-cut-'));
const SAMPLE = fixturePath('captures', 'opendroneid+wireshark-dissector', 'odid_wifi_sample.pcap');

function withFcs(frame: Uint8Array): Uint8Array {
  const out = new Uint8Array(frame.length + 4);
  out.set(frame);
  new DataView(out.buffer).setUint32(frame.length, zlibCrc32(frame), true);
  return out;
}

function readRecords(file: string): CaptureRecord[] {
  const reader = new CaptureReader();
  return [...reader.push(new Uint8Array(readFileSync(file))), ...reader.end()];
}

/**
 * radiotap: present Flags, Rate, Channel, dBm signal (radiotap.org alignment: 8 flags, 9 rate, 10 channel
 * freq/flags, 14 signal), Flags 0x10 "FCS at end".
 */
function radiotapWithFcsFlag(rssi: number, freqMHz: number, rateKbps: number): Uint8Array {
  const h = new Uint8Array(15);
  const v = new DataView(h.buffer);
  v.setUint16(2, h.length, true);
  v.setUint32(4, 0x2e, true);
  h[8] = 0x10;
  h[9] = rateKbps / 500;
  v.setUint16(10, freqMHz, true);
  v.setUint16(12, 0x00a0, true);
  v.setInt8(14, rssi);
  return h;
}

/** odid_wifi_sample's frames behind a radiotap header that says "FCS at end", their FCS appended. */
function sampleWithFcs(): string {
  const rows = tshark(['-r', SAMPLE, '-T', 'fields', '-E', 'separator=;', '-e', 'radiotap.length', '-e', 'radiotap.dbm_antsignal', '-e', 'radiotap.channel.freq', '-e', 'radiotap.datarate'])
    .trim()
    .split('\n');
  const w = new PcapWriter();
  const parts = [w.header(LINKTYPE.IEEE802_11_RADIOTAP)];
  readRecords(SAMPLE).forEach((r, i) => {
    const [len, signal, freq, rate] = rows[i]!.split(';').map(Number);
    parts.push(w.packet(r.timestamp, concatBytes([radiotapWithFcsFlag(signal!, freq!, rate! * 1000), withFcs(r.data.subarray(len))])));
  });
  const file = path.join(tmp, 'odid_wifi_sample-fcs.pcap');
  writeFileSync(file, concatBytes(parts));
  return file;
}

/** Every record cut to keep(its length) bytes with editcap (one run per length), merged back in order with mergecap. */
function cutEach(file: string, keep: (len: number) => number, name: string, format: 'pcap' | 'pcapng' = 'pcap'): string {
  const lens = tshark(['-r', file, '-T', 'fields', '-e', 'frame.len']).trim().split('\n').map(Number);
  const byLength = new Map<number, number[]>();
  lens.forEach((len, i) => byLength.set(len, [...(byLength.get(len) ?? []), i + 1]));
  const parts = [...byLength].map(([len, frames], g) => {
    const part = path.join(tmp, `${name}-part${g}.${format}`);
    execFileSync('editcap', ['-F', format, '-r', '-s', String(keep(len)), file, part, ...frames.map(String)], { stdio: 'pipe' });
    return part;
  });
  const out = path.join(tmp, `${name}.${format}`);
  execFileSync('mergecap', ['-F', format, '-w', out, ...parts], { stdio: 'pipe' });
  return out;
}

/** tshark's view of every frame: lengths, radio facts, the Remote ID bytes, and whether it is short or malformed. */
const VIEW = ['frame.number', 'wlan_radio.channel', 'wlan_radio.signal_dbm', 'wlan.sa', 'wlan.tag.vendor.data', 'nan.sda.service_info'];
const tsharkRows = (file: string): string[] => tshark(['-r', file, '-T', 'fields', '-E', 'separator=;', ...VIEW.flatMap((f) => ['-e', f])]).trim().split('\n');
const tsharkLengths = (file: string): string[] =>
  tshark(['-r', file, '-T', 'fields', '-E', 'separator=;', '-e', 'frame.len', '-e', 'frame.cap_len', '-e', '_ws.malformed', '-e', '_ws.short']).trim().split('\n');

describe('FCS cut off by the snap length (radiotap says "FCS at end")', () => {
  const full = sampleWithFcs();
  const original = odid(['decode', SAMPLE]);

  it('the re-packaged capture carries a valid FCS: it decodes like the original (the FCS checked ok)', () => {
    // tshark checks it when asked: 1 is "Good".
    expect(tshark(['-r', full, '-o', 'wlan.check_checksum:TRUE', '-T', 'fields', '-e', 'wlan.fcs.status']).trim().split('\n')).toEqual(Array(63).fill('1'));
    expect(tsharkRows(full)).toEqual(tsharkRows(SAMPLE));
    const r = odid(['decode', full]);
    expect(r.stdout).toBe(original.stdout);
    expect(original.stdout.split('\n').filter(Boolean)).toHaveLength(42);
  });

  it('cut just before the FCS: tshark shows every element; odid decode prints the original lines, drops nothing, notes the unverifiable FCS', () => {
    const cut = cutEach(full, (len) => len - 4, 'cut-fcs');
    // Each record lost exactly its 4 FCS bytes, and tshark reads every frame whole.
    for (const row of tsharkLengths(cut)) {
      const [len, capLen, malformed, short] = row.split(';');
      expect([Number(len) - Number(capLen), malformed, short]).toEqual([4, '', '']);
    }
    expect(tsharkRows(cut)).toEqual(tsharkRows(SAMPLE));

    const r = odid(['decode', '--summary', cut]);
    expect(r.stdout).toMatch(/link\.fcs-not-captured\s+63\s+note/);
    expect(r.stdout).not.toMatch(/bad-fcs/);
    expect(odid(['decode', cut]).stdout).toBe(original.stdout);
    // Nothing was marked bad either: --keep-bad-fcs gives the same lines, none flagged.
    expect(odid(['decode', '--keep-bad-fcs', cut]).stdout).toBe(original.stdout);

    // What makes the difference is the original length: without it the cut-off FCS reads as a bad one.
    const records = readRecords(cut);
    const blind = new RemoteIdExtractor();
    expect(records.flatMap((rec) => blind.fromRecord(rec.linkType, rec.data, { frame: rec.frame }))).toEqual([]);
    expect(blind.stats.dropped['bad-fcs']).toBe(63); // every frame: a frame whose FCS fails is dropped unread
    const told = new RemoteIdExtractor();
    expect(records.flatMap((rec) => told.fromRecord(rec.linkType, rec.data, { frame: rec.frame, originalLength: rec.originalLength }))).toHaveLength(42);
    expect(told.stats.diagnostics).toEqual({ 'link.fcs-not-captured': 63 });
  });

  it('rid-scan --replay of the cut capture tracks what it tracks of the original', () => {
    const cut = cutEach(full, (len) => len - 4, 'cut-fcs-replay');
    const tracks = (file: string): unknown => {
      const r = ridScan(['--replay', file, '--fast', '--once', '--json']);
      expect(r.status, r.stderr).toBe(0);
      return (JSON.parse(r.stdout) as { key: string; uasId: string | null; messages: number; position: unknown }[]).map((t) => [t.key, t.uasId, t.messages, t.position]);
    };
    const want = tracks(SAMPLE);
    expect(want).not.toEqual([]);
    expect(tracks(cut)).toEqual(want);
    // What the receiver writes of it keeps the lengths: a recording and a pcapng of the replay replay the same.
    const recording = path.join(tmp, 'cut.cbor');
    const pcapng = path.join(tmp, 'cut-out.pcapng');
    const r = ridScan(['--replay', cut, '--fast', '--once', '--record', recording, '--pcapng', pcapng]);
    expect(r.status, r.stderr).toBe(0);
    expect(tracks(recording)).toEqual(want);
    expect(tracks(pcapng)).toEqual(want);
  });

  it('cut inside the FCS (2 of its bytes kept): those are stripped, the frame decodes', () => {
    const cut = cutEach(full, (len) => len - 2, 'cut-fcs-half');
    expect(tsharkRows(cut)).toEqual(tsharkRows(SAMPLE));
    expect(odid(['decode', cut]).stdout).toBe(original.stdout);
    const rec = readRecords(cut)[2]!;
    const f = decodeLinkFrame(rec.linkType, rec.data, rec.originalLength).frames[0] as WifiFrame;
    expect([f.fcs, f.frame.length]).toEqual(['not-captured', rec.data.length - 15 - 2]);
  });

  it('cut inside the elements: no FCS verdict; the truncated-element diagnostics apply to every frame, as tshark finds every frame short', () => {
    const cut = cutEach(full, () => 80, 'cut-elements');
    const rows = tsharkLengths(cut);
    expect(rows.every((row) => row.split(';')[3] !== '')).toBe(true); // _ws.short on every frame
    // tshark finds no Remote ID bytes left in any frame.
    expect(tsharkRows(cut).every((row) => row.split(';').slice(-2).every((f) => f === ''))).toBe(true);

    const ex = new RemoteIdExtractor();
    const out = readRecords(cut).flatMap((rec) => ex.fromRecord(rec.linkType, rec.data, { frame: rec.frame, originalLength: rec.originalLength }));
    expect(out).toEqual([]);
    const d = ex.stats.diagnostics;
    expect(d['link.bad-fcs']).toBeUndefined();
    expect(d['link.fcs-not-captured']).toBe(63);
    // 21 beacons lose their Remote ID element, 21 NAN frames their service descriptor, 21 NAN sync beacons their NAN element.
    expect([d['framing.truncated-remote-id-element'], d['framing.malformed-nan'], d['framing.truncated-element']]).toEqual([21, 21, 21]);
  });

  itCorpus('a real capture with FCS (transmitter-linux, pcapng): cut before the FCS, odid decode prints what it prints for the original', () => {
    const real = corpusPath('bkerler+DroneID', 'examples', 'wireless_RID_test_linux_transmitter.pcapng');
    const cut = cutEach(real, (len) => len - 4, 'transmitter-linux-cut', 'pcapng');
    expect(tsharkRows(cut)).toEqual(tsharkRows(real));
    const want = odid(['decode', real]);
    expect(want.stdout.split('\n').filter(Boolean).length).toBeGreaterThan(0);
    const got = odid(['decode', '--summary', cut]);
    expect(got.stdout).not.toMatch(/bad-fcs/);
    expect(odid(['decode', cut]).stdout).toBe(want.stdout);
  });
});

describe('the link layers with an original length', () => {
  const BEACON = fromHex('8000 0000 ffffffffffff 84cca8604324 84cca8604324 000d 0000000000000000 b80b 2104 0003 414243');
  const rt = radiotapWithFcsFlag(-50, 2437, 1000);
  const whole = concatBytes([rt, withFcs(BEACON)]);
  const n = whole.length;
  const decode = (linkType: number, data: Uint8Array, originalLength?: number) => {
    const r = decodeLinkFrame(linkType, data, originalLength);
    const f = r.frames[0] as WifiFrame;
    return { fcs: f.fcs, length: f.frame.length, ids: r.diagnostics.map((d) => d.id) };
  };

  it('radiotap: 1..3 FCS bytes missing strips the rest; 4 or more: nothing to strip; whole records are checked as ever', () => {
    expect(decode(127, whole, n)).toEqual({ fcs: 'ok', length: BEACON.length, ids: [] });
    for (const missing of [1, 2, 3]) {
      expect(decode(127, whole.subarray(0, n - missing), n)).toEqual({ fcs: 'not-captured', length: BEACON.length, ids: ['link.fcs-not-captured'] });
    }
    expect(decode(127, whole.subarray(0, n - 4), n)).toEqual({ fcs: 'not-captured', length: BEACON.length, ids: ['link.fcs-not-captured'] });
    expect(decode(127, whole.subarray(0, n - 10), n)).toEqual({ fcs: 'not-captured', length: BEACON.length - 6, ids: ['link.fcs-not-captured'] });
    // No original length, or one that is not longer: the last 4 bytes are the FCS, and here they fail.
    expect(decode(127, whole.subarray(0, n - 4))).toEqual({ fcs: 'bad', length: BEACON.length - 4, ids: ['link.bad-fcs'] });
    expect(decode(127, whole.subarray(0, n - 4), n - 4)).toEqual({ fcs: 'bad', length: BEACON.length - 4, ids: ['link.bad-fcs'] });
  });

  it('a driver that flagged the FCS bad saw the whole frame: still bad when cut off', () => {
    const flagged = whole.slice();
    flagged[8] = 0x10 | 0x40;
    expect(decode(127, flagged.subarray(0, n - 4), n)).toEqual({ fcs: 'bad', length: BEACON.length, ids: ['link.bad-fcs'] });
  });

  it('PPI with the FCS flag: the same; raw 802.11 and headers that say nothing of an FCS: unknown, nothing stripped', () => {
    const ppi = ppiRecord(withFcs(BEACON), { rssi: -50, freqMHz: 2437, rateKbps: 1000, commonFlags: 0x1 });
    expect(decode(LINKTYPE.PPI, ppi.subarray(0, ppi.length - 4), ppi.length)).toEqual({ fcs: 'not-captured', length: BEACON.length, ids: ['link.fcs-not-captured'] });
    const raw = withFcs(BEACON);
    expect(decode(LINKTYPE.IEEE802_11, raw, raw.length).fcs).toBe('ok');
    expect(decode(LINKTYPE.IEEE802_11, raw.subarray(0, raw.length - 2), raw.length)).toEqual({ fcs: 'unknown', length: raw.length - 2, ids: [] });
    expect(stripFcs(raw.subarray(0, 10), 'absent', 50).fcs).toBe('absent');
  });
});
