/**
 * PPI (DLT 192), Prism (DLT 119) and AVS (DLT 163) 802.11 headers, as older drivers, Kismet and airodump-ng
 * write them. The project's Wi-Fi captures are re-packaged the ways those tools write them (the 802.11
 * frames kept byte for byte, the radio facts tshark reads in the radiotap originals moved into the new
 * header); then tshark must dissect every re-packaged file through the new header and find the same Remote
 * ID bytes and radio facts as in the original, and `odid decode` must print the very lines it prints for
 * the original. Hand-built records check what each header's fields mean and that lying or short headers
 * are DecodeErrors with an offset and a path.
 */

import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { crc32 as zlibCrc32 } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { fixturePath } from '../../../test/support/fixtures.js';
import { odid } from '../../../test/support/run-cli.js';
import { tshark } from '../../../test/support/tshark.js';
import { CaptureReader, PcapWriter } from '../src/capture/index.js';
import { concatBytes, fromHex } from '../src/bytes.js';
import { DecodeError } from '../src/errors.js';
import { LINKTYPE, decodeLinkFrame, type LinkResult, type WifiFrame } from '../src/link/index.js';
import { avsRecord, ppiRecord, prismRecord, type RadioFacts } from './link-header-writers.js';

const tmp = mkdtempSync(path.join(tmpdir(), 'odid-old-headers-'));
const SAMPLES = path.join('captures', 'opendroneid+wireshark-dissector');

/** The 802.11 frame check sequence: CRC-32 (zlib's, not the codec's), little-endian, after the frame. */
function withFcs(frame: Uint8Array): Uint8Array {
  const out = new Uint8Array(frame.length + 4);
  out.set(frame);
  new DataView(out.buffer).setUint32(frame.length, zlibCrc32(frame), true);
  return out;
}

interface SourceRecord {
  t: number;
  /** The whole radiotap record. */
  record: Uint8Array;
  /** The 802.11 frame after the radiotap header. */
  wlan: Uint8Array;
  facts: RadioFacts;
}

/** A radiotap capture's records, split at the header length tshark reads, with the radio facts tshark reads. */
function radiotapSource(file: string): SourceRecord[] {
  const reader = new CaptureReader();
  const records = [...reader.push(new Uint8Array(readFileSync(file))), ...reader.end()];
  const rows = tshark(['-r', file, '-T', 'fields', '-E', 'separator=;', '-e', 'radiotap.length', '-e', 'radiotap.dbm_antsignal', '-e', 'radiotap.channel.freq', '-e', 'radiotap.datarate', '-e', 'wlan_radio.channel'])
    .trim()
    .split('\n');
  expect(rows).toHaveLength(records.length);
  return records.map((r, i) => {
    const [len, signal, freq, rate, channel] = rows[i]!.split(';');
    expect(r.linkType).toBe(LINKTYPE.IEEE802_11_RADIOTAP);
    return {
      t: r.timestamp,
      record: r.data,
      wlan: r.data.subarray(Number(len)),
      facts: { rssi: Number(signal), freqMHz: Number(freq), rateKbps: Number(rate) * 1000, channel: Number(channel) },
    };
  });
}

function writePcap(name: string, linkType: number, records: { t: number; data: Uint8Array }[]): string {
  const w = new PcapWriter();
  const file = path.join(tmp, name);
  writeFileSync(file, concatBytes([w.header(linkType), ...records.map((r) => w.packet(r.t, r.data))]));
  return file;
}

/** What tshark finds in every frame: the protocol stack, the radio facts and the Remote ID bytes (beacon elements, NAN service info). */
const TSHARK_FIELDS = ['frame.number', 'wlan_radio.channel', 'wlan_radio.signal_dbm', 'wlan_radio.data_rate', 'wlan.sa', 'wlan.tag.vendor.data', 'nan.sda.service_info'];
function tsharkView(file: string): { protocols: string[]; rows: string[] } {
  const lines = tshark(['-r', file, '-T', 'fields', '-E', 'separator=;', '-e', 'frame.protocols', ...TSHARK_FIELDS.flatMap((f) => ['-e', f])]).trim().split('\n');
  return { protocols: lines.map((l) => l.slice(0, l.indexOf(';'))), rows: lines.map((l) => l.slice(l.indexOf(';') + 1)) };
}

interface Variant {
  name: string;
  linkType: number;
  /** How tshark's frame.protocols starts for every frame. */
  stack: string;
  wrap: (s: SourceRecord) => Uint8Array;
}

const VARIANTS: Variant[] = [
  { name: 'PPI with 802.11-Common', linkType: LINKTYPE.PPI, stack: 'ppi:wlan_radio:wlan', wrap: (s) => ppiRecord(s.wlan, s.facts) },
  {
    name: 'PPI, aligned, an 802.11n MAC field first, FCS present',
    linkType: LINKTYPE.PPI,
    stack: 'ppi:wlan_radio:wlan',
    wrap: (s) => ppiRecord(withFcs(s.wlan), { ...s.facts, aligned: true, commonFlags: 0x1, before: [{ type: 3, data: new Uint8Array(12) }] }),
  },
  {
    // Wireshark hands the packet to radiotap: its facts, not the PPI field's (-10 dBm, 5 GHz), describe the radio.
    name: 'PPI around a radiotap record',
    linkType: LINKTYPE.PPI,
    stack: 'ppi:pcap_pktdata:radiotap:wlan_radio:wlan',
    wrap: (s) => ppiRecord(s.record, { dlt: LINKTYPE.IEEE802_11_RADIOTAP, rssi: -10, freqMHz: 5180, rateKbps: 6000 }),
  },
  { name: 'Prism, little-endian', linkType: LINKTYPE.IEEE802_11_PRISM, stack: 'prism:wlan_radio:wlan', wrap: (s) => prismRecord(s.wlan, s.facts) },
  {
    name: 'Prism, big-endian, the other DID numbering',
    linkType: LINKTYPE.IEEE802_11_PRISM,
    stack: 'prism:wlan_radio:wlan',
    wrap: (s) => prismRecord(s.wlan, { ...s.facts, bigEndian: true, numbering: 2 }),
  },
  {
    name: 'AVS v1, channel as a frequency',
    linkType: LINKTYPE.IEEE802_11_AVS,
    stack: 'wlancap:wlan_radio:wlan',
    wrap: (s) => avsRecord(s.wlan, { ...s.facts, channel: undefined, version: 1 }),
  },
  { name: 'AVS v2, channel number', linkType: LINKTYPE.IEEE802_11_AVS, stack: 'wlancap:wlan_radio:wlan', wrap: (s) => avsRecord(s.wlan, s.facts) },
  { name: 'AVS v2 in a Prism record', linkType: LINKTYPE.IEEE802_11_PRISM, stack: 'prism:wlancap:wlan_radio:wlan', wrap: (s) => avsRecord(s.wlan, s.facts) },
];

describe.each([
  ['odid_wifi_sample.pcap (beacons and NAN)', fixturePath(SAMPLES, 'odid_wifi_sample.pcap'), VARIANTS],
  // The noisy one: 816 frames, most of them unrelated traffic; three kinds of header are enough.
  ['history/beacon_sample.898e76b.pcap (noisy)', fixturePath(SAMPLES, 'history', 'beacon_sample.898e76b.pcap'), VARIANTS.filter((_, i) => i === 0 || i === 3 || i === 6)],
])('%s re-packaged', (_name, original, variants) => {
  const source = radiotapSource(original);
  const want = tsharkView(original);
  const decoded = odid(['decode', original]);

  it('the original decodes to Remote ID messages (the comparisons below are not empty)', () => {
    expect(decoded.status).toBe(0);
    expect(decoded.stdout.split('\n').filter(Boolean).length).toBeGreaterThanOrEqual(42);
    expect(want.rows.filter((r) => r.split(';').slice(-2).some(Boolean)).length).toBeGreaterThanOrEqual(42);
  });

  for (const v of variants) {
    it(`${v.name}: tshark dissects it through that header and finds what it finds in the original; odid decode prints the same lines`, () => {
      const file = writePcap(`${path.basename(original)}-${v.linkType}-${variants.indexOf(v)}.pcap`, v.linkType, source.map((s) => ({ t: s.t, data: v.wrap(s) })));
      const got = tsharkView(file);
      expect(new Set(got.protocols.map((p) => p.startsWith(v.stack)))).toEqual(new Set([true]));
      expect(got.rows).toEqual(want.rows);

      const r = odid(['decode', file]);
      expect(r.status).toBe(0);
      expect(r.stdout).toBe(decoded.stdout);
      // Nothing unreadable, nothing dropped, no warnings about the headers.
      expect(r.stderr).not.toMatch(/unreadable|dropped|link warnings/);
    });
  }
});

const BEACON = fromHex('8000 0000 ffffffffffff 84cca8604324 84cca8604324 000d 0000000000000000 b80b 2104 0003 414243');

const one = (r: LinkResult): WifiFrame => {
  expect(r.frames).toHaveLength(1);
  expect(r.frames[0]!.kind).toBe('wifi');
  return r.frames[0] as WifiFrame;
};
const ids = (r: LinkResult): string[] => r.diagnostics.map((d) => d.id);

function decodeError(fn: () => unknown): DecodeError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(DecodeError);
    return e as DecodeError;
  }
  throw new Error('expected a DecodeError');
}
const refused = (linkType: number, data: Uint8Array) => {
  const e = decodeError(() => decodeLinkFrame(linkType, data));
  expect(e.offset).toBeGreaterThanOrEqual(0);
  expect(e.offset).toBeLessThanOrEqual(data.length);
  return { code: e.code, offset: e.offset, path: e.path };
};

describe('PPI fields', () => {
  const facts = { rssi: -61, freqMHz: 5180, rateKbps: 6000 };

  it('802.11-Common gives signal, frequency (and channel), rate; -128 and 0 dBm mean none', () => {
    const r = decodeLinkFrame(LINKTYPE.PPI, ppiRecord(BEACON, facts));
    expect(ids(r)).toEqual([]);
    expect(one(r)).toMatchObject({ rssi: -61, freqMHz: 5180, channel: 36, rateKbps: 6000, fcs: 'absent' });
    expect(Buffer.from(one(r).frame).equals(Buffer.from(BEACON))).toBe(true);
    expect(one(decodeLinkFrame(LINKTYPE.PPI, ppiRecord(BEACON, { ...facts, rssi: -128 }))).rssi).toBeUndefined();
    expect(one(decodeLinkFrame(LINKTYPE.PPI, ppiRecord(BEACON, { ...facts, rssi: 0 }))).rssi).toBeUndefined();
  });

  it('FCS: present and checked; the invalid flag makes it bad, or is a warning when the FCS matches; no Common field: found by its CRC', () => {
    expect(one(decodeLinkFrame(LINKTYPE.PPI, ppiRecord(withFcs(BEACON), { ...facts, commonFlags: 0x1 }))).fcs).toBe('ok');
    const corrupt = withFcs(BEACON);
    corrupt[30] = corrupt[30]! ^ 1;
    const bad = decodeLinkFrame(LINKTYPE.PPI, ppiRecord(corrupt, { ...facts, commonFlags: 0x1 }));
    expect([one(bad).fcs, ids(bad)]).toEqual(['bad', ['link.bad-fcs']]);
    const flagged = decodeLinkFrame(LINKTYPE.PPI, ppiRecord(withFcs(BEACON), { ...facts, commonFlags: 0x5 }));
    expect([one(flagged).fcs, ids(flagged)]).toEqual(['ok', ['link.ppi-bad-fcs-flag']]);
    const flaggedNoFcs = decodeLinkFrame(LINKTYPE.PPI, ppiRecord(BEACON, { ...facts, commonFlags: 0x4 }));
    expect([one(flaggedNoFcs).fcs, ids(flaggedNoFcs)]).toEqual(['bad', ['link.bad-fcs']]);
    const bare = one(decodeLinkFrame(LINKTYPE.PPI, ppiRecord(withFcs(BEACON), { common: false })));
    expect([bare.fcs, bare.frame.length, bare.rssi]).toEqual(['ok', BEACON.length, undefined]);
  });

  it('aligned headers pad each field to 4 bytes; other fields are stepped over; the frame starts at the header length', () => {
    const odd = { type: 6, data: fromHex('0102030405') }; // Process-Info, 5 bytes + 3 of padding
    const rec = ppiRecord(BEACON, { ...facts, aligned: true, before: [odd, { type: 30002, data: new Uint8Array(9) }] });
    const r = decodeLinkFrame(LINKTYPE.PPI, rec);
    expect(ids(r)).toEqual([]);
    expect(one(r)).toMatchObject({ rssi: -61, freqMHz: 5180 });
    expect(one(r).frame.length).toBe(BEACON.length);
  });

  it('lying fields are warnings and stop or skip field reading, never the frame', () => {
    const rec = ppiRecord(BEACON, facts);
    const cut = rec.slice();
    cut[10] = 0xff; // Common field says 255 bytes: past the header length
    const r = decodeLinkFrame(LINKTYPE.PPI, cut);
    expect(ids(r)).toEqual(['link.ppi-malformed-field']);
    expect(r.diagnostics[0]!.offset).toBe(8);
    expect(one(r).rssi).toBeUndefined();
    expect(one(r).frame.length).toBe(BEACON.length);
    // An 802.11-Common field of 16 bytes is not read; the header length still finds the frame.
    const short = ppiRecord(BEACON, { common: false, before: [{ type: 2, data: new Uint8Array(16).fill(0x11) }] });
    const s = decodeLinkFrame(LINKTYPE.PPI, short);
    expect(ids(s)).toEqual(['link.ppi-malformed-field']);
    expect(one(s).frame.length).toBe(BEACON.length);
    // A header length that ends inside a field header.
    const odd = concatBytes([fromHex('00 00 0a00 69000000 0200'), BEACON]);
    expect(ids(decodeLinkFrame(LINKTYPE.PPI, odd))).toEqual(['link.ppi-malformed-field']);
  });

  it('inner radiotap: its diagnostics and errors are placed in the PPI record', () => {
    const inner = concatBytes([fromHex('00 00 0c00 02000000 10 000000'), withFcs(BEACON)]); // Flags: FCS at end (padding after)
    const ok = decodeLinkFrame(LINKTYPE.PPI, ppiRecord(inner, { dlt: 127, common: false }));
    expect(one(ok).fcs).toBe('ok');
    const badInner = inner.slice();
    badInner[2] = 0xff; // radiotap length 255 > record
    expect(refused(LINKTYPE.PPI, ppiRecord(badInner, { dlt: 127, common: false }))).toEqual({ code: 'truncated', offset: 8 + 2, path: 'ppi.radiotap.length' });
  });

  it('short, lying or foreign headers are DecodeErrors at the field at fault', () => {
    const rec = ppiRecord(BEACON, facts);
    expect(refused(LINKTYPE.PPI, rec.subarray(0, 7))).toEqual({ code: 'truncated', offset: 0, path: 'ppi' });
    const v1 = rec.slice();
    v1[0] = 1;
    expect(refused(LINKTYPE.PPI, v1)).toEqual({ code: 'unsupported', offset: 0, path: 'ppi.version' });
    const tiny = rec.slice();
    tiny[2] = 4;
    tiny[3] = 0;
    expect(refused(LINKTYPE.PPI, tiny)).toEqual({ code: 'malformed', offset: 2, path: 'ppi.length' });
    expect(refused(LINKTYPE.PPI, rec.subarray(0, 20))).toEqual({ code: 'truncated', offset: 2, path: 'ppi.length' });
    // Ethernet inside PPI is reported, not guessed at.
    expect(refused(LINKTYPE.PPI, ppiRecord(BEACON, { ...facts, dlt: 1 }))).toEqual({ code: 'unsupported', offset: 4, path: 'ppi.dlt' });
  });
});

describe('Prism fields', () => {
  const facts = { rssi: -57, channel: 11, rateKbps: 11000 };

  it('channel, RSSI (dBm) and rate from either byte order and either DID numbering; items not supplied are not used', () => {
    for (const bigEndian of [false, true]) {
      for (const numbering of [1, 2] as const) {
        const r = decodeLinkFrame(LINKTYPE.IEEE802_11_PRISM, prismRecord(BEACON, { ...facts, bigEndian, numbering }));
        expect(ids(r)).toEqual([]);
        expect(one(r)).toMatchObject({ channel: 11, rssi: -57, rateKbps: 11000, fcs: 'unknown' });
        expect(Buffer.from(one(r).frame).equals(Buffer.from(BEACON))).toBe(true);
      }
    }
    const some = one(decodeLinkFrame(LINKTYPE.IEEE802_11_PRISM, prismRecord(BEACON, { ...facts, notSupplied: [3, 4] })));
    expect([some.channel, some.rssi, some.rateKbps]).toEqual([undefined, undefined, 11000]);
    // An RSSI no radio reports is not taken for dBm, nor a channel no band has.
    expect(one(decodeLinkFrame(LINKTYPE.IEEE802_11_PRISM, prismRecord(BEACON, { ...facts, rssi: 4000 }))).rssi).toBeUndefined();
    expect(one(decodeLinkFrame(LINKTYPE.IEEE802_11_PRISM, prismRecord(BEACON, { ...facts, channel: 240 }))).channel).toBeUndefined();
  });

  it('an FCS is stripped where it matches; a message length other than 144 is a warning, the header is still 144 bytes', () => {
    expect(one(decodeLinkFrame(LINKTYPE.IEEE802_11_PRISM, prismRecord(withFcs(BEACON), facts))).fcs).toBe('ok');
    const r = decodeLinkFrame(LINKTYPE.IEEE802_11_PRISM, prismRecord(BEACON, { ...facts, msgLength: 200 }));
    expect(ids(r)).toEqual(['link.prism-length']);
    expect(one(r).frame.length).toBe(BEACON.length);
  });

  it('no Prism message code: a bare 802.11 frame, as Wireshark takes it; short headers are DecodeErrors', () => {
    const r = decodeLinkFrame(LINKTYPE.IEEE802_11_PRISM, BEACON);
    expect(ids(r)).toEqual(['link.prism-no-header']);
    expect(one(r).frame.length).toBe(BEACON.length);
    const rec = prismRecord(BEACON, facts);
    expect(refused(LINKTYPE.IEEE802_11_PRISM, rec.subarray(0, 100))).toEqual({ code: 'truncated', offset: 0, path: 'prism' });
    expect(refused(LINKTYPE.IEEE802_11_PRISM, rec.subarray(0, 3))).toEqual({ code: 'truncated', offset: 0, path: 'prism' });
  });
});

describe('AVS fields', () => {
  it('channel number (2.4 or 5 GHz by PHY type) or frequency, rate in 100 kb/s or b/s, dBm signal only when the SSI type says dBm', () => {
    expect(one(decodeLinkFrame(LINKTYPE.IEEE802_11_AVS, avsRecord(BEACON, { channel: 6, rssi: -44, rateKbps: 1000 })))).toMatchObject({
      channel: 6,
      freqMHz: 2437,
      rssi: -44,
      rateKbps: 1000,
      fcs: 'unknown',
    });
    expect(one(decodeLinkFrame(LINKTYPE.IEEE802_11_AVS, avsRecord(BEACON, { channel: 36, phyType: 8 })))).toMatchObject({ channel: 36, freqMHz: 5180 });
    expect(one(decodeLinkFrame(LINKTYPE.IEEE802_11_AVS, avsRecord(BEACON, { freqMHz: 5745 })))).toMatchObject({ channel: 149, freqMHz: 5745 });
    // Hopping radios pack hop set/pattern/index in the channel word; frequencies in kHz are not kept.
    expect(one(decodeLinkFrame(LINKTYPE.IEEE802_11_AVS, avsRecord(BEACON, { channel: 3, phyType: 1 }))).channel).toBeUndefined();
    expect(one(decodeLinkFrame(LINKTYPE.IEEE802_11_AVS, avsRecord(BEACON, { freqMHz: 2_437_000 }))).freqMHz).toBeUndefined();
    expect(one(decodeLinkFrame(LINKTYPE.IEEE802_11_AVS, avsRecord(BEACON, { channel: 240 }))).channel).toBeUndefined();
    expect(one(decodeLinkFrame(LINKTYPE.IEEE802_11_AVS, avsRecord(BEACON, { rssi: 600, ssiType: 1 }))).rssi).toBeUndefined();
    // A rate in b/s (100000 and up): 5.5 Mb/s.
    const bps = avsRecord(BEACON, {});
    new DataView(bps.buffer).setUint32(32, 5_500_000);
    expect(one(decodeLinkFrame(LINKTYPE.IEEE802_11_AVS, bps)).rateKbps).toBe(5500);
  });

  it('unknown versions are read up to their length with a warning; lying or foreign headers are DecodeErrors', () => {
    const v3 = decodeLinkFrame(LINKTYPE.IEEE802_11_AVS, avsRecord(BEACON, { version: 3, rssi: -44 }));
    expect(ids(v3)).toEqual(['link.avs-version']);
    expect(one(v3).rssi).toBeUndefined();
    expect(one(v3).frame.length).toBe(BEACON.length);
    const rec = avsRecord(BEACON, {});
    expect(refused(LINKTYPE.IEEE802_11_AVS, rec.subarray(0, 7))).toEqual({ code: 'truncated', offset: 0, path: 'avs' });
    expect(refused(LINKTYPE.IEEE802_11_AVS, concatBytes([fromHex('00000044'), rec.subarray(4)]))).toEqual({ code: 'unsupported', offset: 0, path: 'avs.version' });
    expect(refused(LINKTYPE.IEEE802_11_AVS, avsRecord(BEACON, { length: 4 }))).toEqual({ code: 'malformed', offset: 4, path: 'avs.length' });
    expect(refused(LINKTYPE.IEEE802_11_AVS, avsRecord(BEACON, { length: 5000 }))).toEqual({ code: 'truncated', offset: 4, path: 'avs.length' });
    // A v1 header shorter than its own fields.
    expect(refused(LINKTYPE.IEEE802_11_AVS, avsRecord(BEACON, { version: 1, length: 40 }))).toEqual({ code: 'malformed', offset: 4, path: 'avs.length' });
    // The same header in a Prism record.
    expect(refused(LINKTYPE.IEEE802_11_PRISM, avsRecord(BEACON, { length: 5000 }))).toEqual({ code: 'truncated', offset: 4, path: 'avs.length' });
  });
});
