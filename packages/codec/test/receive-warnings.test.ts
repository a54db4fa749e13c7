/**
 * What the receive path reports besides messages and drops: the link layers' diagnostics (by layer and by
 * id) and information elements cut short by the end of the frame (by element kind).
 */
import { describe, expect, it } from 'vitest';
import { RemoteIdExtractor, buildAirFrames, buildBeaconFrame, buildRadiotap, concatBytes, encodeMessage, LINKTYPE, type Diagnostic, type FrameMeta } from '../src/index.js';
import { SERIAL, TRUNCATED_MAC, WARNED_MAC, beaconWithRadiotapWarning, beaconWithTruncatedOdidElement } from '../../../test/support/damaged-frames.js';

describe('RemoteIdExtractor: link warnings and truncated elements', () => {
  it('counts the link layer diagnostics of a record it still decodes, by layer and id, and passes them on', () => {
    const seen: [Diagnostic, FrameMeta][] = [];
    const ex = new RemoteIdExtractor({}, (d, meta) => seen.push([d, { ...meta }]));
    const r = beaconWithRadiotapWarning();
    const out = ex.fromRecord(r.linkType, r.data, { frame: 7 });
    expect(out.map((m) => [m.mac, m.message.type])).toEqual([
      [WARNED_MAC, 'basicId'],
      [WARNED_MAC, 'selfId'],
    ]);
    expect(ex.stats.linkWarnings).toEqual({ radiotap: 1 });
    expect(seen.map(([d, meta]) => [d.id, d.severity, meta.frame])).toEqual([['link.radiotap-unparsed-field', 'note', 7]]);
    ex.fromRecord(r.linkType, r.data);
    expect(ex.stats.linkWarnings).toEqual({ radiotap: 2 });
    expect(ex.stats.diagnostics).toEqual({ 'link.radiotap-unparsed-field': 2 });
    expect(ex.stats.dropped).toEqual({});
    expect(ex.stats.truncatedElements).toEqual({});
  });

  it('counts a beacon whose ODID vendor element runs past the frame end, and drops it as a Remote ID frame', () => {
    const seen: Diagnostic[] = [];
    const ex = new RemoteIdExtractor({}, (d) => seen.push(d));
    const r = beaconWithTruncatedOdidElement();
    expect(ex.fromRecord(r.linkType, r.data)).toEqual([]);
    expect(ex.stats.truncatedElements).toEqual({ odid: 1 });
    expect(ex.stats.remoteIdFrames).toBe(1);
    expect(ex.stats.dropped).toEqual({ malformed: 1 });
    expect(seen.map((d) => d.id)).toEqual(['framing.truncated-remote-id-element']);
    expect(seen[0]!.detail).toContain(TRUNCATED_MAC);
    expect(ex.stats.diagnostics).toEqual({ 'framing.truncated-remote-id-element': 1 });
    expect(ex.stats.linkWarnings).toEqual({});
  });

  it('a complete ODID element before a cut-off element still decodes; the cut one is counted by its kind', () => {
    const pack = encodeMessage({ type: 'messagePack', messages: [{ type: 'basicId', protocolVersion: 2, idType: 1, uaType: 2, uasId: SERIAL }] });
    const beacon = buildBeaconFrame({ mac: TRUNCATED_MAC, ssid: 'RID', counter: 3, pack, timestampUs: 0, beaconIntervalTU: 100 });
    // An SSID element claiming 20 bytes with 4 left: not a vendor element.
    const cutSsid = Uint8Array.of(0, 20, 0x41, 0x42, 0x43, 0x44);
    // A vendor element of another OUI, cut.
    const cutVendor = Uint8Array.of(221, 30, 0x00, 0x50, 0xf2, 0x04, 0x10);
    const ex = new RemoteIdExtractor();
    for (const tail of [cutSsid, cutVendor]) {
      const out = ex.fromRecord(LINKTYPE.IEEE802_11_RADIOTAP, concatBytes([buildRadiotap({ freqMHz: 2437 }), beacon, tail]));
      expect(out.map((m) => m.message.type)).toEqual(['basicId']);
    }
    expect(ex.stats.truncatedElements).toEqual({ 'non-vendor': 1, other: 1 });
    expect(ex.stats.diagnostics).toEqual({ 'framing.truncated-element': 2 });
    expect(ex.stats.dropped).toEqual({});
  });

  it('frames that decode cleanly add nothing', () => {
    const ex = new RemoteIdExtractor();
    const pack = encodeMessage({ type: 'messagePack', messages: [{ type: 'basicId', protocolVersion: 2, idType: 1, uaType: 2, uasId: SERIAL }] });
    for (const transport of ['wifi-beacon', 'wifi-nan', 'ble-extended'] as const) {
      for (const f of buildAirFrames({ transport, address: '02:00:00:00:00:09', counter: 1, payload: pack })) ex.fromRecord(f.linkType, f.data);
    }
    expect(ex.stats.messages).toBe(3);
    expect(ex.stats.diagnostics).toEqual({});
    expect(ex.stats.linkWarnings).toEqual({});
    expect(ex.stats.truncatedElements).toEqual({});
  });
});
