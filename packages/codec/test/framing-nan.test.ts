/** NAN service discovery frames: the real SDF of spec §3.4, tolerance to what real senders vary, errors. */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { corpusPath, describeCorpusData } from '../../../test/support/fixtures.js';
import { concatBytes, fromHex, putU16le, toHex } from '../src/bytes.js';
import { DecodeError } from '../src/errors.js';
import { NAN_SERVICE_ID, buildNanActionFrameBody, buildNanServiceDiscoveryFrame, parseNanActionFrameBody } from '../src/framing/index.js';

const MAC_HEADER = 24;
const NAN_HEADER = fromHex('0409506f9a13'); // public action, vendor specific, WFA OUI, NAN
const PACK = fromHex('f2190152004742522d4f502d31323341424344000000000000000000');

/** `[id][len u16 LE][data]`. */
const attr = (id: number, data: Uint8Array): Uint8Array => {
  const out = new Uint8Array(3 + data.length);
  out[0] = id;
  putU16le(out, 1, data.length);
  out.set(data, 3);
  return out;
};
/** A Service Descriptor Attribute body: service ID, instance 1, requestor 0, control, then `rest`. */
const sda = (serviceId: Uint8Array, control: number, rest: Uint8Array): Uint8Array =>
  attr(0x03, concatBytes([serviceId, Uint8Array.of(1, 0, control), rest]));
const serviceInfo = (counter: number, pack: Uint8Array): Uint8Array => concatBytes([Uint8Array.of(1 + pack.length, counter), pack]);
const ODID_ID = Uint8Array.from(NAN_SERVICE_ID);
const OTHER_ID = fromHex('0102030405ff');

const code = (fn: () => unknown): string => {
  try {
    fn();
  } catch (e) {
    if (e instanceof DecodeError) return e.code;
    throw e;
  }
  return 'no error';
};

describeCorpusData('the real SDF of §3.4 (ESP32 transmitter, odid_wifi_sample.pcap)', () => {
  interface RefFrame {
    index: string;
    frame_hex: string;
    counter: number;
    payload_hex: string;
  }
  const ref = (JSON.parse(readFileSync(corpusPath('reference/Newspicel+sdrmm__extracted__remote_id_tests.hex.json'), 'utf8')) as {
    frames: RefFrame[];
  }).frames.find((f) => f.index === 'ESP32_NAN')!;
  const frame = fromHex(ref.frame_hex);
  const body = frame.subarray(MAC_HEADER);

  it('is the frame the spec digest shows: DA = NAN network ID, random cluster ID, SDA length 39', () => {
    expect(toHex(frame, 4, 10)).toBe('516f9a010000');
    expect(toHex(frame, 16, 22)).toBe('506f9a010179');
    expect(toHex(body, 0, 18)).toBe('0409506f9a130327008869199d9209010010');
  });

  it('parses: counter 0x22, instance 1, publish + service info, SDEA update indicator 0x22', () => {
    const p = parseNanActionFrameBody(body)!;
    expect(p).toMatchObject({ counter: 0x22, instanceId: 1, requestorInstanceId: 0, serviceControl: 0x10, updateIndicator: 0x22 });
    expect(p.counter).toBe(ref.counter);
    expect(toHex(p.payload)).toBe(ref.payload_hex);
    expect(p.offset).toBe(6 + 3 + 9 + 2); // NAN header, attribute header, fixed SDA fields, length and counter
  });

  it('our builder produces the same frame from the same values (cluster ID, counter, pack)', () => {
    const p = parseNanActionFrameBody(body)!;
    const built = buildNanServiceDiscoveryFrame({
      mac: '84:cc:a8:60:43:24',
      clusterId: '50:6f:9a:01:01:79',
      counter: p.counter,
      pack: p.payload,
      sequence: 0x065,
    });
    expect(toHex(built)).toBe(toHex(frame));
  });
});

describe('parseNanActionFrameBody tolerance', () => {
  it('does not need the SDEA', () => {
    const p = parseNanActionFrameBody(concatBytes([NAN_HEADER, sda(ODID_ID, 0x10, serviceInfo(5, PACK))]))!;
    expect(p.counter).toBe(5);
    expect(p.updateIndicator).toBeUndefined();
    expect(toHex(p.payload)).toBe(toHex(PACK));
  });

  it('skips other services, other attributes and a subscribe SDA without service info', () => {
    const body = concatBytes([
      NAN_HEADER,
      attr(0x00, fromHex('feea')),
      sda(OTHER_ID, 0x10, serviceInfo(1, PACK)),
      sda(ODID_ID, 0x01, new Uint8Array(0)), // a phone subscribing to the ODID service
      sda(ODID_ID, 0x10, serviceInfo(9, PACK)),
    ]);
    expect(parseNanActionFrameBody(body)?.counter).toBe(9);
    expect(parseNanActionFrameBody(concatBytes([NAN_HEADER, sda(OTHER_ID, 0x10, serviceInfo(1, PACK))]))).toBeUndefined();
  });

  it('steps over binding bitmap, matching filter and service response filter', () => {
    const rest = concatBytes([fromHex('aabb'), fromHex('03020102'), fromHex('0201ff'), serviceInfo(4, PACK)]);
    const p = parseNanActionFrameBody(concatBytes([NAN_HEADER, sda(ODID_ID, 0x10 | 0x40 | 0x04 | 0x08, rest)]))!;
    expect(p.counter).toBe(4);
    expect(toHex(p.payload)).toBe(toHex(PACK));
  });

  it('reads the update indicator behind a range limit, and only from an SDEA of the same instance', () => {
    const sdeaWithRange = attr(0x0e, fromHex('01' + '0003' + '01020304' + '2a')); // control 0x0300
    const sdeaOther = attr(0x0e, fromHex('02' + '0002' + '2b'));
    const base = [NAN_HEADER, sda(ODID_ID, 0x10, serviceInfo(4, PACK))];
    expect(parseNanActionFrameBody(concatBytes([...base, sdeaOther, sdeaWithRange]))?.updateIndicator).toBe(0x2a);
    expect(parseNanActionFrameBody(concatBytes([...base, sdeaOther]))?.updateIndicator).toBeUndefined();
  });

  it('ignores a truncated attribute after the ODID one (an FCS left on, a snap length)', () => {
    const body = buildNanActionFrameBody(3, PACK);
    expect(parseNanActionFrameBody(concatBytes([body, fromHex('dd4000')]))?.counter).toBe(3);
    expect(parseNanActionFrameBody(concatBytes([body, fromHex('12345678')]))?.updateIndicator).toBe(3);
  });

  it('returns undefined for action frames that are not NAN SDFs', () => {
    const body = buildNanActionFrameBody(3, PACK);
    for (const [i, v] of [[0, 0x7f], [1, 0x0a], [2, 0x00], [5, 0x18]] as const) {
      const other = body.slice();
      other[i] = v;
      expect(parseNanActionFrameBody(other)).toBeUndefined();
    }
    expect(parseNanActionFrameBody(body.subarray(0, 5))).toBeUndefined();
    expect(parseNanActionFrameBody(NAN_HEADER)).toBeUndefined();
  });
});

describe('parseNanActionFrameBody errors', () => {
  it('truncated: an attribute before the ODID one runs past the end', () => {
    expect(code(() => parseNanActionFrameBody(concatBytes([NAN_HEADER, fromHex('030500aabb')])))).toBe('truncated');
    expect(code(() => parseNanActionFrameBody(concatBytes([NAN_HEADER, fromHex('0305')])))).toBe('truncated');
    const body = buildNanActionFrameBody(3, PACK);
    expect(code(() => parseNanActionFrameBody(body.subarray(0, 40)))).toBe('truncated');
  });

  it('malformed: an ODID SDA whose service-info length runs past the attribute, or has no counter', () => {
    const long = concatBytes([Uint8Array.of(PACK.length + 5, 1), PACK]);
    expect(code(() => parseNanActionFrameBody(concatBytes([NAN_HEADER, sda(ODID_ID, 0x10, long)])))).toBe('malformed');
    expect(code(() => parseNanActionFrameBody(concatBytes([NAN_HEADER, sda(ODID_ID, 0x10, Uint8Array.of(0))])))).toBe('malformed');
    expect(code(() => parseNanActionFrameBody(concatBytes([NAN_HEADER, sda(ODID_ID, 0x10, new Uint8Array(0))])))).toBe('malformed');
    expect(code(() => parseNanActionFrameBody(concatBytes([NAN_HEADER, sda(ODID_ID, 0x14, new Uint8Array(0))])))).toBe('malformed');
    expect(code(() => parseNanActionFrameBody(concatBytes([NAN_HEADER, attr(0x03, ODID_ID)])))).toBe('malformed');
  });
});

describe('builders', () => {
  it('refuse bad packs, counters, addresses and sequence numbers', () => {
    expect(() => buildNanActionFrameBody(0, PACK.subarray(1))).toThrow(RangeError);
    expect(() => buildNanActionFrameBody(300, PACK)).toThrow(RangeError);
    expect(() => buildNanServiceDiscoveryFrame({ mac: '02:11:22:33:44', counter: 0, pack: PACK })).toThrow(RangeError);
    expect(() => buildNanServiceDiscoveryFrame({ mac: new Uint8Array(5), counter: 0, pack: PACK })).toThrow(RangeError);
    expect(() => buildNanServiceDiscoveryFrame({ mac: '02:11:22:33:44:55', counter: 0, pack: PACK, sequence: 4096 })).toThrow(RangeError);
  });
});
