/**
 * The reference Wi-Fi frame vectors (core-c's beacon, NAN SDF and NAN sync beacon builders) reproduced byte
 * for byte. Every variable field (addresses, timestamp, interval, capability, SSID, counter, pack) is read
 * out of the vector hex at its 802.11 offset and handed to our builder, so the builders hold no vector bytes.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { fixturePath } from '../../../test/support/fixtures.js';
import { formatMac, fromHex, toHex, u16le, u32le } from '../src/bytes.js';
import {
  NAN_DEFAULT_CLUSTER_ID,
  NAN_SERVICE_ID,
  NAN_SERVICE_NAME,
  buildBeaconFrame,
  buildNanServiceDiscoveryFrame,
  buildNanSyncBeacon,
  findOdidBeaconPayload,
  parseNanActionFrameBody,
  walkElements,
} from '../src/framing/index.js';

interface Vector {
  name: string;
  message: string;
  hex: string | null;
}
const vectors = (JSON.parse(readFileSync(fixturePath('vectors/reference-vectors.json'), 'utf8')) as { vectors: Vector[] })
  .vectors;
const vectorBytes = (message: string): Uint8Array => {
  const v = vectors.find((x) => x.message === message);
  if (!v?.hex) throw new Error(`no ${message} vector`);
  return fromHex(v.hex);
};

// 802.11 offsets (IEEE 802.11-2020 §9.3.3.2 and §9.3.3.3): MAC header, then the beacon's fixed fields.
const ADDR2 = 10;
const ADDR3 = 16;
const SEQ_CTL = 22;
const MAC_HEADER = 24;
const TIMESTAMP = 24;
const BEACON_INTERVAL = 32;
const CAPABILITY = 34;
const BEACON_IES = 36;

const u64le = (b: Uint8Array, o: number): bigint => (BigInt(u32le(b, o + 4)) << 32n) | BigInt(u32le(b, o));

describe('WifiBeacon vector', () => {
  const hex = vectorBytes('WifiBeacon');
  const { elements } = walkElements(hex.subarray(BEACON_IES));
  const odid = findOdidBeaconPayload(hex.subarray(BEACON_IES))!;

  it('is rebuilt byte for byte from its own field values', () => {
    expect(elements.map((e) => e.id)).toEqual([0, 1, 221]); // SSID, Supported Rates, vendor: no DS Parameter Set
    const built = buildBeaconFrame({
      mac: formatMac(hex, ADDR2),
      ssid: elements[0]!.data,
      counter: odid.counter,
      pack: odid.payload,
      timestampUs: u64le(hex, TIMESTAMP),
      beaconIntervalTU: u16le(hex, BEACON_INTERVAL),
      capability: u16le(hex, CAPABILITY),
      sequence: u16le(hex, SEQ_CTL) >> 4,
    });
    expect(toHex(built)).toBe(toHex(hex));
  });

  it('has the values the builder defaults assume', () => {
    expect(u16le(hex, CAPABILITY)).toBe(0x0420);
    expect(toHex(elements[1]!.data)).toBe('8c');
    expect(new TextDecoder().decode(elements[0]!.data)).toBe('RID-TEST');
    expect(odid.counter).toBe(7);
    expect(odid.oui).toBe('astm');
    // The same frame from the defaults and a string SSID, timestamp as a number.
    const built = buildBeaconFrame({
      mac: '02:11:22:33:44:55',
      ssid: 'RID-TEST',
      counter: 7,
      pack: odid.payload,
      timestampUs: Number(u64le(hex, TIMESTAMP)),
      beaconIntervalTU: 100,
    });
    expect(toHex(built)).toBe(toHex(hex));
  });

  it('a snap length cutting the ODID element is an error, a cut elsewhere is not "Remote ID"', () => {
    const ies = hex.subarray(BEACON_IES);
    const odidAt = elements[2]!.offset;
    for (const cut of [odidAt + 6, odidAt + 40, ies.length - 1]) {
      expect(() => findOdidBeaconPayload(ies.subarray(0, cut))).toThrow(expect.objectContaining({ code: 'truncated', offset: odidAt }));
    }
    expect(findOdidBeaconPayload(ies.subarray(0, odidAt + 3))).toBeUndefined(); // OUI not visible yet
    expect(findOdidBeaconPayload(ies.subarray(0, 5))).toBeUndefined(); // inside the SSID
  });

  it('puts a DS Parameter Set after Supported Rates when a channel is given', () => {
    const opts = { mac: '02:11:22:33:44:55', ssid: 'X', counter: 1, pack: odid.payload, timestampUs: 0, beaconIntervalTU: 100 };
    const built = buildBeaconFrame({ ...opts, channel: 6 });
    const ids = walkElements(built.subarray(BEACON_IES)).elements.map((e) => [e.id, toHex(e.data).slice(0, 6)]);
    expect(ids).toEqual([[0, '58'], [1, '8c'], [3, '06'], [221, 'fa0bbc']]);
  });
});

describe('WifiNAN vector (service discovery frame)', () => {
  const hex = vectorBytes('WifiNAN');
  const parsed = parseNanActionFrameBody(hex.subarray(MAC_HEADER))!;

  it('is rebuilt byte for byte from its own field values', () => {
    const built = buildNanServiceDiscoveryFrame({
      mac: formatMac(hex, ADDR2),
      clusterId: formatMac(hex, ADDR3),
      counter: parsed.counter,
      pack: parsed.payload,
      sequence: u16le(hex, SEQ_CTL) >> 4,
    });
    expect(toHex(built)).toBe(toHex(hex));
  });

  it('parses back: counter 7, instance 1, publish with service info, SDEA update indicator = counter', () => {
    expect(parsed).toMatchObject({ counter: 7, instanceId: 1, requestorInstanceId: 0, serviceControl: 0x10, updateIndicator: 7 });
    expect(formatMac(hex, ADDR3)).toBe(NAN_DEFAULT_CLUSTER_ID);
    const built = buildNanServiceDiscoveryFrame({ mac: '02:11:22:33:44:55', counter: 7, pack: parsed.payload });
    expect(toHex(built)).toBe(toHex(hex));
  });
});

describe('WifiNANSync vector (synchronisation beacon)', () => {
  const hex = vectorBytes('WifiNANSync');

  it('is rebuilt byte for byte from its own field values', () => {
    const built = buildNanSyncBeacon({
      mac: formatMac(hex, ADDR2),
      clusterId: formatMac(hex, ADDR3),
      timestampUs: u64le(hex, TIMESTAMP),
      beaconIntervalTU: u16le(hex, BEACON_INTERVAL),
      capability: u16le(hex, CAPABILITY),
      sequence: u16le(hex, SEQ_CTL) >> 4,
    });
    expect(toHex(built)).toBe(toHex(hex));
  });

  it('uses the defaults (512 TU, 0x0420, default cluster) apart from the timestamp', () => {
    const built = buildNanSyncBeacon({ mac: '02:11:22:33:44:55', timestampUs: u64le(hex, TIMESTAMP) });
    expect(toHex(built)).toBe(toHex(hex));
  });
});

describe('NAN service ID', () => {
  it('is the first 6 bytes of SHA-256 of the service name', () => {
    const digest = createHash('sha256').update(NAN_SERVICE_NAME).digest();
    expect(toHex(new Uint8Array(digest.subarray(0, 6)))).toBe(toHex(Uint8Array.from(NAN_SERVICE_ID)));
    expect(toHex(Uint8Array.from(NAN_SERVICE_ID))).toBe('8869199d9209');
  });
});
