/**
 * The DRIP structures of auth type 5 (remote-id-spec.md §6.2–6.3): what the Manifest hashes cover (the
 * hashes themselves and their vectors are @odid/trust's), encode/decode round trips of Link, Wrapper (plain and extended), Manifest and Frame, what
 * is signed (never the SAM type byte), and the typed errors that name the field and byte.
 */
import { describe, expect, it } from 'vitest';
import {
  DRIP_MAX_AUTH_LENGTH,
  DecodeError,
  EncodeError,
  SAM_TYPE,
  decodeDripAssembled,
  decodeDripAuth,
  decodeMessage,
  detFromText,
  dripSignedBytes,
  encodeDripAuth,
  encodeMessage,
  extendedWrapperMessages,
  fromHex,
  linkHashInput,
  manifestHashInput,
  pagedMessageBytes,
  signDrip,
  splitDripAuth,
  toHex,
  verifyDripSignature,
  withPackEvidence,
  type DripAuth,
  type DripFrame,
  type DripLink,
  type DripManifest,
  type DripWrapper,
  type SingleMessageInput,
} from '../src/index.js';
import { Random } from '../../../test/support/random.js';
import { dripHash, linkHash, makeManifest, nodeEd25519, testKey } from './drip-support.js';

/** A message of RFC 9575's example (remote-id-spec.md §6.3): the Basic ID announcing the UA's DET. */
const BASIC_ID_DET = fromHex('0240012001003ffe000105a29b3ff42226c04e000000000000');
const EXAMPLE_DET = '2001:003f:fe00:0105:a29b:3ff4:2226:c04e';

const hda = testKey(16376, 1, new Uint8Array(32).fill(1));
const ua = testKey(16376, 1, new Uint8Array(32).fill(2));
const VNB = 250_000_000;
const VNA = VNB + 300;

const clear = (...msgs: SingleMessageInput[]): Uint8Array[] => msgs.map((m) => encodeMessage(m));
const BASIC = { type: 'basicId', idType: 4, uaType: 2, uasIdHex: `01${toHex(ua.det)}000000` } as const;
const LOC = { type: 'location', status: 2, direction: 90, speedHorizontal: 5, speedVertical: 0, latitude: 52.5, longitude: 13.4, altitudeBaro: 100, altitudeGeo: 110, heightType: 0, height: 50, horizAccuracy: 10, vertAccuracy: 4, baroAccuracy: 3, speedAccuracy: 2, tsAccuracy: 1, timestamp: 1200 } as const;
const SYSTEM = { type: 'system', operatorLocationType: 0, classificationType: 0, operatorLatitude: 52.5, operatorLongitude: 13.4, areaCount: 1, areaRadius: 0, areaCeiling: -1000, areaFloor: -1000, categoryEU: 0, classEU: 0, operatorAltitudeGeo: -1000, timestamp: VNB } as const;
const OPERATOR = { type: 'operatorId', operatorIdType: 0, operatorId: 'FIN87astrdge12k8' } as const;

function link(): DripLink {
  return signDrip<DripLink>({ type: 'link', vnb: VNB, vna: VNB + 86_400, childDet: ua.det, childHi: ua.hi, parentDet: hda.det }, hda.sign);
}
function wrapper(messages: Uint8Array[]): DripWrapper {
  return signDrip<DripWrapper>({ type: 'wrapper', vnb: VNB, vna: VNA, messages, extended: false, uaDet: ua.det }, ua.sign);
}
function manifest(count: number): DripManifest {
  const hashes = Array.from({ length: count }, (_, i) => dripHash(new Uint8Array([i])));
  return signDrip<DripManifest>(makeManifest({ vnb: VNB, vna: VNA, uaDet: ua.det, previousHash: new Uint8Array(8), linkHash: linkHash(link()), messageHashes: hashes }), ua.sign);
}
function frame(n: number): DripFrame {
  return signDrip<DripFrame>({ type: 'frame', vnb: VNB, vna: VNA, frameType: 0xc0, frameData: new Uint8Array(n).map((_, i) => i), uaDet: ua.det }, ua.sign);
}

/** One of every kind and size. */
function everyStructure(): DripAuth[] {
  const msgs = clear(BASIC, LOC, SYSTEM, OPERATOR);
  return [
    link(),
    ...[1, 2, 3, 4].map((k) => wrapper(msgs.slice(0, k))),
    ...Array.from({ length: 12 }, (_, h) => manifest(h)),
    ...[0, 1, 50, 111].map(frame),
  ];
}

function decodeError(f: () => unknown): DecodeError {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(DecodeError);
    return e as DecodeError;
  }
  throw new Error('no DecodeError');
}

describe('what the Manifest hashes cover', () => {
  it("RFC 9575's Basic ID carries the DET as a session ID (ID type 4, session type 1, then the DET)", () => {
    // v2, ID type 4, UA type 0, session type 1, then the example UA's DET
    expect(decodeMessage(BASIC_ID_DET)).toMatchObject({ type: 'basicId', protocolVersion: 2, idType: 4, uaType: 0 });
    expect(BASIC_ID_DET[2]).toBe(0x01);
    expect(toHex(BASIC_ID_DET.subarray(3, 19))).toBe(toHex(detFromText(EXAMPLE_DET)));
  });

  it('the current-manifest hash input is previous ‖ 8 zero bytes ‖ link ‖ messages, and refuses hashes of another size', () => {
    const previous = fromHex('0102030405060708');
    const link = fromHex('d61dc9224ecf8b84');
    const messages = ['2bd4862734ed012c', 'a2e5f2b8a3e61547'].map(fromHex);
    expect(toHex(manifestHashInput(previous, link, messages))).toBe(`0102030405060708${'00'.repeat(8)}d61dc9224ecf8b842bd4862734ed012ca2e5f2b8a3e61547`);
    expect(manifestHashInput(previous, link, [])).toHaveLength(24);
    expect(() => manifestHashInput(previous.subarray(1), link, messages)).toThrow(EncodeError);
    expect(() => manifestHashInput(previous, link, [new Uint8Array(9)])).toThrow(EncodeError);
  });

  it('the Link hash covers its 136 bytes after the SAM type; a paged message is its 25-byte pages back to back', () => {
    const l = link();
    const bytes = encodeDripAuth(l);
    expect(bytes.length).toBe(137);
    expect(linkHashInput(l)).toEqual(bytes.subarray(1));
    const pages = splitDripAuth(bytes, { timestamp: VNB, fec: false }).map((p) => encodeMessage(p));
    expect(pages).toHaveLength(7);
    expect(pagedMessageBytes(pages)).toEqual(new Uint8Array(pages.flatMap((p) => [...p])));
  });

  it("a Manifest's current hash is whatever the caller computed: the codec carries it, signs it, decodes it", () => {
    const m = manifest(3);
    expect(m.currentHash).toEqual(dripHash(manifestHashInput(m.previousHash, m.linkHash, m.messageHashes)));
    const back = decodeDripAuth(encodeDripAuth(m)) as DripManifest;
    expect(back.currentHash).toEqual(m.currentHash);
    expect(back.linkHash).toEqual(linkHash(link()));
  });
});

describe('structures', () => {
  it('every kind and size survives encode -> decode, and re-encodes to the same bytes', () => {
    for (const s of everyStructure()) {
      const bytes = encodeDripAuth(s);
      expect(bytes[0]).toBe(SAM_TYPE[s.type]);
      expect(bytes.length).toBeLessThanOrEqual(DRIP_MAX_AUTH_LENGTH);
      const back = decodeDripAuth(bytes);
      expect(back).toEqual(s);
      expect(encodeDripAuth(back)).toEqual(bytes);
    }
  });

  it('the signed bytes are everything between the SAM type byte and the signature', () => {
    for (const s of everyStructure()) {
      const bytes = encodeDripAuth(s);
      expect(dripSignedBytes(s), s.type).toEqual(bytes.subarray(1, bytes.length - 64));
      expect(s.signature).toEqual(bytes.subarray(bytes.length - 64));
    }
    expect(dripSignedBytes(link())).toHaveLength(72);
  });

  it("signatures verify with the signer's HI only, and not after any byte changes", () => {
    for (const s of everyStructure()) {
      const signer = s.type === 'link' ? hda : ua;
      expect(verifyDripSignature(s, signer.hi, nodeEd25519), s.type).toBe(true);
      expect(verifyDripSignature(s, (s.type === 'link' ? ua : hda).hi, nodeEd25519)).toBe(false);
      const bytes = encodeDripAuth(s);
      for (let i = 1; i < bytes.length; i++) {
        const changed = bytes.slice();
        changed[i]! ^= 0x01;
        let verified = false;
        try {
          verified = verifyDripSignature(decodeDripAuth(changed), signer.hi, nodeEd25519);
        } catch (e) {
          expect(e).toBeInstanceOf(DecodeError);
        }
        expect(verified, `${s.type}, byte ${i}`).toBe(false);
      }
    }
  });

  it('the SAM type byte is not signed: the same signature stands under another SAM type', () => {
    const w = wrapper(clear(LOC));
    const bytes = encodeDripAuth(w);
    const asFrame = decodeDripAuth(Uint8Array.of(SAM_TYPE.frame, ...bytes.subarray(1))) as DripFrame;
    expect(asFrame.type).toBe('frame');
    expect(verifyDripSignature(asFrame, ua.hi, nodeEd25519)).toBe(true);
  });

  it('an extended wrapper sends no evidence and signs its pack members in message-type order', () => {
    const [basic, loc, system, operator] = clear(BASIC, LOC, SYSTEM, OPERATOR) as [Uint8Array, Uint8Array, Uint8Array, Uint8Array];
    const members = [operator, loc, basic, system];
    const signed = signDrip<DripWrapper>({ type: 'wrapper', vnb: VNB, vna: VNA, messages: extendedWrapperMessages(members), extended: true, uaDet: ua.det }, ua.sign);
    expect(signed.messages).toEqual([basic, loc, system, operator]);
    const auth = encodeDripAuth(signed);
    expect(auth.length).toBe(89);
    const pages = splitDripAuth(auth, { timestamp: VNB, fec: false }).map((p) => encodeMessage(p));
    const pack = [...pages, ...members];
    const received = decodeDripAuth(auth) as DripWrapper;
    expect(received).toMatchObject({ type: 'wrapper', extended: true, messages: [] });
    expect(verifyDripSignature(received, ua.hi, nodeEd25519)).toBe(false);
    expect(verifyDripSignature(withPackEvidence(received, pack), ua.hi, nodeEd25519)).toBe(true);
    const altered = operator.slice();
    altered[5]! ^= 1;
    expect(verifyDripSignature(withPackEvidence(received, [...pages, altered, loc, basic, system]), ua.hi, nodeEd25519)).toBe(false);
  });

  it('decodes from an assembled Authentication message of auth type 5 only', () => {
    const w = wrapper(clear(LOC));
    const authData = toHex(encodeDripAuth(w));
    expect(decodeDripAssembled({ authType: 5, authData })).toEqual(w);
    expect(decodeError(() => decodeDripAssembled({ authType: 1, authData })).path).toBe('drip.authType');
  });
});

describe('refused input, with the field and the byte', () => {
  const w = encodeDripAuth(wrapper(clear(BASIC, LOC)));

  it('a Wrapper evidence of 30 bytes', () => {
    const bytes = new Uint8Array(1 + 8 + 30 + 16 + 64);
    bytes[0] = SAM_TYPE.wrapper;
    const e = decodeError(() => decodeDripAuth(bytes));
    expect(e.code).toBe('malformed');
    expect(e.offset).toBe(9);
    expect(e.path).toBe('drip.wrapper.evidence');
    expect(e.message).toBe('drip.wrapper.evidence: length 30 is not a multiple of 25 (byte 9)');
  });

  it('wrapped messages out of type order, or of a type that cannot be wrapped', () => {
    const swapped = w.slice();
    swapped.set(w.subarray(34, 59), 9);
    swapped.set(w.subarray(9, 34), 34);
    const e = decodeError(() => decodeDripAuth(swapped));
    expect([e.code, e.offset, e.path]).toEqual(['malformed', 34, 'drip.wrapper.evidence[1]']);
    const auth = w.slice();
    auth[34] = 0x22;
    expect(decodeError(() => decodeDripAuth(auth)).path).toBe('drip.wrapper.evidence[1]');
    const pack = w.slice();
    pack[9] = 0xf2;
    expect(decodeError(() => decodeDripAuth(pack)).path).toBe('drip.wrapper.evidence[0]');
  });

  it('a Manifest whose evidence is not whole hashes, or lacks its three fixed hashes', () => {
    const m = encodeDripAuth(manifest(2));
    const cut = Uint8Array.of(...m.subarray(0, 9 + 20), ...m.subarray(9 + 40));
    expect(decodeError(() => decodeDripAuth(cut))).toMatchObject({ code: 'malformed', offset: 9, path: 'drip.manifest.evidence' });
    const short = Uint8Array.of(...m.subarray(0, 9 + 16), ...m.subarray(9 + 40));
    expect(decodeError(() => decodeDripAuth(short)).reason).toContain('previous, current and link');
  });

  it('a Link of 135 or 137 bytes, a frame without its type, a structure too short for its signature', () => {
    const l = encodeDripAuth(link());
    expect(decodeError(() => decodeDripAuth(l.subarray(0, 136)))).toMatchObject({ code: 'truncated', path: 'drip.link' });
    expect(decodeError(() => decodeDripAuth(Uint8Array.of(...l, 0)))).toMatchObject({ code: 'malformed', offset: 137, path: 'drip.link' });
    const f = encodeDripAuth(frame(0));
    expect(decodeError(() => decodeDripAuth(Uint8Array.of(SAM_TYPE.frame, ...f.subarray(1, 9), ...f.subarray(10))))).toMatchObject({ path: 'drip.frame.frameType' });
    expect(decodeError(() => decodeDripAuth(w.subarray(0, 80)))).toMatchObject({ code: 'truncated', path: 'drip.wrapper' });
  });

  it('another SAM type, no data, more than 201 bytes', () => {
    for (const sam of [0, 5, 0x80, 0xe1, 0xff]) expect(decodeError(() => decodeDripAuth(Uint8Array.of(sam, ...w.subarray(1)))).code).toBe('unsupported');
    expect(decodeError(() => decodeDripAuth(new Uint8Array(0))).code).toBe('truncated');
    expect(decodeError(() => decodeDripAuth(new Uint8Array(202).fill(2)))).toMatchObject({ code: 'out-of-range', path: 'drip.length' });
  });

  it('encoding refuses five wrapped messages, unordered ones, and fields of the wrong size', () => {
    const five = clear(BASIC, LOC, SYSTEM, OPERATOR, OPERATOR);
    expect(() => signDrip<DripWrapper>({ type: 'wrapper', vnb: 0, vna: 1, messages: five, extended: false, uaDet: ua.det }, ua.sign)).toThrow(EncodeError);
    expect(() => signDrip<DripWrapper>({ type: 'wrapper', vnb: 0, vna: 1, messages: clear(LOC, BASIC), extended: false, uaDet: ua.det }, ua.sign)).toThrow(EncodeError);
    expect(() => encodeDripAuth({ ...link(), childHi: new Uint8Array(31) })).toThrow(EncodeError);
    expect(() => encodeDripAuth({ ...link(), vna: 2 ** 32 })).toThrow(EncodeError);
    expect(() => encodeDripAuth({ ...frame(0), frameData: new Uint8Array(112) })).toThrow(EncodeError);
    expect(() => signDrip<DripFrame>({ type: 'frame', vnb: 0, vna: 1, frameType: 1, frameData: new Uint8Array(0), uaDet: ua.det }, () => new Uint8Array(63))).toThrow(EncodeError);
  });

  it('random bytes after any SAM type decode or raise a DecodeError inside them, nothing else', () => {
    const r = new Random(0xd71b);
    for (let i = 0; i < 3000; i++) {
      const bytes = r.bytes(r.int(220));
      if (bytes.length && r.float() < 0.8) bytes[0] = 1 + r.int(4);
      try {
        const s = decodeDripAuth(bytes);
        expect(encodeDripAuth(s)).toEqual(bytes);
      } catch (e) {
        expect(e).toBeInstanceOf(DecodeError);
        expect((e as DecodeError).offset).toBeGreaterThanOrEqual(0);
        expect((e as DecodeError).offset).toBeLessThanOrEqual(Math.max(bytes.length, DRIP_MAX_AUTH_LENGTH));
      }
    }
  });
});
