/**
 * Real Wi-Fi frames: the framing layer must find the same payloads the reference implementation found.
 * - captures/reference/*.json: single frames (802.11 or radiotap) with the payload bytes the reference
 *   extracted; compared byte for byte, per transport (ODID beacon, NAN, DJI, French).
 * - pcap captures against captures/expected/*.jsonl: for every frame, our counter must match, and no
 *   frame outside the expected list (these captures hold hundreds of unrelated frames) may yield a payload.
 * The 802.11 header is skipped here with fixed offsets; the link/ layer does it properly.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { capturePath, corpusFiles, corpusPath, corpusPlaceholder, describeCorpus, fixturePath, itCorpus, needsCorpus } from '../../../test/support/fixtures.js';
import { fromHex, toHex, u16le, u32le } from '../src/bytes.js';
import {
  findOdidBeaconPayload,
  findVendorElements,
  parseNanActionFrameBody,
  parseOdidBeaconElement,
  walkElements,
} from '../src/framing/index.js';

const MAC_HEADER = 24;
const HT_CONTROL = 4;
const BEACON_FIXED = 12;
const FCS = 4;
const SUBTYPE_PROBE_RESPONSE = 5;
const SUBTYPE_BEACON = 8;
const SUBTYPE_ACTION = 13;

interface Found {
  transport: 'wifi-beacon' | 'wifi-nan' | 'dji' | 'french';
  counter?: number;
  payload: Uint8Array;
}

/** What the framing layer finds in one 802.11 management frame. */
function framesPayloads(frame: Uint8Array): Found[] {
  if (frame.length < MAC_HEADER) return [];
  const type = (frame[0]! >> 2) & 3;
  const subtype = frame[0]! >> 4;
  if (type !== 0) return [];
  const body = frame.subarray(MAC_HEADER + (frame[1]! & 0x80 ? HT_CONTROL : 0));
  if (subtype === SUBTYPE_ACTION) {
    const nan = parseNanActionFrameBody(body);
    return nan ? [{ transport: 'wifi-nan', counter: nan.counter, payload: nan.payload }] : [];
  }
  if (subtype !== SUBTYPE_BEACON && subtype !== SUBTYPE_PROBE_RESPONSE) return [];
  const ies = body.subarray(BEACON_FIXED);
  const out: Found[] = [];
  const odid = findOdidBeaconPayload(ies);
  if (odid) out.push({ transport: 'wifi-beacon', counter: odid.counter, payload: odid.payload });
  for (const v of findVendorElements(ies).vendor) {
    if (v.kind === 'dji') out.push({ transport: 'dji', payload: v.body });
    if (v.kind === 'frenchId') out.push({ transport: 'french', payload: v.body });
  }
  return out;
}

const radiotapPayload = (b: Uint8Array): Uint8Array => b.subarray(u16le(b, 2));

describeCorpus('reference frames (captures/reference/*.json)', () => {
  interface RefFrame {
    index: string;
    hex_kind: string;
    transport: string;
    frame_hex: string;
    fcs_present?: boolean;
    counter?: number;
    payload_hex?: string;
    note?: string;
  }
  const TRANSPORT: Record<string, Found['transport']> = {
    wifi_beacon: 'wifi-beacon',
    wifi_nan: 'wifi-nan',
    dji_droneid_ie: 'dji',
    french_ie: 'french',
  };
  const records = corpusFiles('reference')
    .flatMap((f) => (JSON.parse(readFileSync(corpusPath('reference', f), 'utf8')) as { frames: RefFrame[] }).frames)
    .filter((r) => r.hex_kind === 'wlan' || r.hex_kind === 'radiotap');

  it('covers beacons, probe responses, NAN, DJI and French frames, with and without FCS', () => {
    expect(new Set(records.map((r) => r.transport))).toEqual(new Set(Object.keys(TRANSPORT)));
    expect(records.length).toBe(13);
    expect(records.filter((r) => r.note?.includes('byte scan')).length).toBe(1);
  });

  const frameOf = (r: RefFrame): Uint8Array => {
    let frame = fromHex(r.frame_hex);
    if (r.hex_kind === 'radiotap') frame = radiotapPayload(frame);
    return r.fcs_present ? frame.subarray(0, frame.length - FCS) : frame;
  };
  // The reference found one payload only by scanning bytes ("IE walk failed"); see the test below.
  const walkable = records.filter((r) => !r.note?.includes('byte scan'));

  for (const r of walkable) {
    it(`${r.index}: ${r.transport}`, () => {
      const frame = frameOf(r);
      const found = framesPayloads(frame).filter((f) => f.transport === TRANSPORT[r.transport]);
      expect(found.length).toBe(1);
      expect(toHex(found[0]!.payload)).toBe(r.payload_hex);
      if (r.counter !== undefined) expect(found[0]!.counter).toBe(r.counter);
    });
  }
  corpusPlaceholder('each walkable reference frame');

  it('does not guess past a malformed element (the one record the reference found by byte scan)', () => {
    const r = records.find((x) => x.note?.includes('byte scan'))!;
    const ies = frameOf(r).subarray(MAC_HEADER + BEACON_FIXED);
    // This fixture's HT Operation element (61) claims 22 bytes where 20 follow, so the walk desynchronises:
    // a receiver walking elements, as Wireshark does, reports it malformed instead of finding the ODID element.
    const walk = walkElements(ies);
    expect(walk.elements.map((e) => e.id).slice(0, 8)).toEqual([0, 1, 3, 5, 42, 50, 45, 61]);
    expect(walk.truncated?.code).toBe('truncated');
    expect(findOdidBeaconPayload(ies)).toBeUndefined();
    // The element itself is fine where the scan found it.
    const at = toHex(ies).indexOf('dd6cfa0bbc0d') / 2;
    expect(parseOdidBeaconElement(ies, at)).toMatchObject({ counter: r.counter, payload: fromHex(r.payload_hex!) });
  });

  it('tolerates an FCS left on the frame: the element walk stops there, the ODID element is still found', () => {
    const r = records.find((x) => x.index === 'PARROT_ANAFI_BEACON')!;
    const withFcs = fromHex(r.frame_hex).subarray(MAC_HEADER + BEACON_FIXED);
    expect(findOdidBeaconPayload(withFcs)?.counter).toBe(r.counter);
    const walk = walkElements(withFcs);
    expect(walk.elements.some((e) => e.id === 221)).toBe(true);
  });
});

describe('pcap captures against captures/expected', () => {
  /** Frames of a classic pcap (little-endian, the only kind among these files), with their 1-based numbers. */
  function* pcapFrames(bytes: Uint8Array): Generator<{ n: number; data: Uint8Array }> {
    const linkType = u32le(bytes, 20);
    let o = 24;
    for (let n = 1; o + 16 <= bytes.length; n++) {
      const captured = u32le(bytes, o + 8);
      const data = bytes.subarray(o + 16, o + 16 + captured);
      yield { n, data: linkType === 127 ? radiotapPayload(data) : data };
      o += 16 + captured;
    }
  }

  const captures = [
    'opendroneid+wireshark-dissector/odid_wifi_sample.pcap',
    'opendroneid+wireshark-dissector/odid_wifi_bcn_sample.pcap',
    'opendroneid+wireshark-dissector/history/beacon_sample.0bec396.pcap',
    'opendroneid+wireshark-dissector/history/beacon_sample.898e76b.pcap',
    'sutt0n+depin-open-droneid/packet-data/capture_output-01.cap',
  ];

  for (const capture of captures) {
    (needsCorpus(capture) ? itCorpus : it)(capture, () => {
      const expected = new Map<number, { transport: string; counter: number }>();
      const jsonl = readFileSync(capturePath('expected', capture.replaceAll('/', '__') + '.jsonl'), 'utf8');
      for (const line of jsonl.split('\n').filter(Boolean)) {
        const rec = JSON.parse(line) as { frame: number; transport: string; counter: number };
        expected.set(rec.frame, { transport: rec.transport, counter: rec.counter });
      }
      const got = new Map<number, { transport: string; counter: number }>();
      // Neither FCS flags nor radiotap flags are read: the framing walks must tolerate a trailing FCS.
      for (const { n, data } of pcapFrames(new Uint8Array(readFileSync(capturePath(capture))))) {
        for (const f of framesPayloads(data)) {
          // Empty packs (N = 0) are left out of the expected files.
          if ((f.transport === 'wifi-beacon' || f.transport === 'wifi-nan') && f.payload[2] !== 0) {
            got.set(n, { transport: f.transport, counter: f.counter! });
          }
        }
      }
      expect(got.size).toBeGreaterThan(0);
      expect([...got.entries()].sort((a, b) => a[0] - b[0])).toEqual([...expected.entries()].sort((a, b) => a[0] - b[0]));
    });
  }

  it('the early sample uses the pre-standard Parrot OUI 90:3A:E6', () => {
    const bytes = new Uint8Array(readFileSync(fixturePath('captures/opendroneid+wireshark-dissector/history/beacon_sample.0bec396.pcap')));
    const ouis = new Set<string>();
    for (const { data } of pcapFrames(bytes)) {
      if (data.length < MAC_HEADER + BEACON_FIXED || data[0] !== 0x80) continue;
      const ies = data.subarray(MAC_HEADER + BEACON_FIXED);
      const odid = findOdidBeaconPayload(ies);
      if (odid) ouis.add(odid.oui);
    }
    expect([...ouis]).toEqual(['parrot']);
  });
});
