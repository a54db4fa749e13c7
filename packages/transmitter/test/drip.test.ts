/**
 * The transmitter's DRIP parts with a signer from @odid/trust (keys made with generateDripKey): the DET added
 * to the identity beside the serial (and refused where it cannot go), the messages a Wrapper takes, the turns,
 * Manifests chained on their own current hash, VNB from the clock and never backwards, the config's `drip`
 * files, and the scheduler's refusals.
 */
import { describe, expect, it } from 'vitest';
import { decodeDripAuth, dripTime, encodeMessage, signDrip, splitAuth, verifyDripSignature, type DripLink, type DripManifest, type DripWrapper } from '@odid/codec';
import { ManualClock } from '@odid/position';
import { createEndorsement, dripHash, generateDripKey, manifestHashConsistent, nodeEd25519, uaSigner } from '@odid/trust';
import {
  DEMO_IDENTITY_CONFIG,
  DRIP_TURNS,
  DripAuthor,
  IdentityError,
  LEGACY_DRIP_MAX_PAGES,
  Scheduler,
  announcesDet,
  loadIdentity,
  locationMessage,
  parseIdentity,
  systemMessage,
  withDripDet,
  wrapperMessages,
} from '../src/index.js';

const T0 = Date.UTC(2026, 5, 1, 12);
const hda = generateDripKey({ raa: 16376, hda: 1 });
const ua = generateDripKey({ raa: 16376, hda: 1 });
const link: DripLink = createEndorsement(hda, ua.identity, { vnb: dripTime(T0) - 60, vna: dripTime(T0) + 86_400 });
const signer = uaSigner(ua.privateKey, link);

const demo = (): ReturnType<typeof loadIdentity> => loadIdentity(DEMO_IDENTITY_CONFIG);

describe('the DET announced', () => {
  it('is added as a session ID (type 4, session type 1) beside the serial, once', () => {
    const id = withDripDet(demo(), ua.identity.det);
    expect(id.basicIds).toHaveLength(2);
    expect(id.basicIds[1]).toMatchObject({ idType: 4, uaType: 2 });
    const bytes = encodeMessage(id.basicIds[1]!);
    expect(bytes[2]).toBe(0x01);
    expect(bytes.subarray(3, 19)).toEqual(ua.identity.det);
    expect(announcesDet(id, ua.identity.det)).toBe(true);
    expect(withDripDet(id, ua.identity.det)).toBe(id);
  });

  it('is refused beside another session ID, or beside two IDs already', () => {
    const other = loadIdentity({ ...DEMO_IDENTITY_CONFIG, ids: [...DEMO_IDENTITY_CONFIG.ids, { type: 'session', det: '2001:3f:fe00:105:a29b:3ff4:2226:c04e' }] });
    expect(() => withDripDet(other, ua.identity.det)).toThrow(IdentityError);
    const two = loadIdentity({ ...DEMO_IDENTITY_CONFIG, ids: [...DEMO_IDENTITY_CONFIG.ids, { type: 'caa', value: 'FIN-123' }] });
    expect(() => withDripDet(two, ua.identity.det)).toThrow(/two UAS IDs already/);
  });

  it("the config names the signing files (drip: { key, endorsement }), only their names", () => {
    const id = parseIdentity('ids: [{ type: serial, value: 1581F5FHB229F00202DR }]\ndrip: { key: keys/ua.key.pem, endorsement: keys/hda-ua.json }\n');
    expect(id.drip).toEqual({ key: 'keys/ua.key.pem', endorsement: 'keys/hda-ua.json' });
    expect(() => parseIdentity('ids: [{ type: serial, value: 1581F5FHB229F00202DR }]\ndrip: { key: k.pem }\n')).toThrow(/drip.endorsement/);
  });
});

describe('DripAuthor', () => {
  it('takes turns: Link, Wrapper, Manifest, Wrapper, Manifest', () => {
    const a = new DripAuthor(signer);
    expect(Array.from({ length: 10 }, () => a.nextTurn())).toEqual([...DRIP_TURNS, ...DRIP_TURNS]);
    expect(DRIP_TURNS).toEqual(['link', 'wrapper', 'manifest', 'wrapper', 'manifest']);
  });

  it('signs Wrappers of what it is given, valid from the clock for 5 minutes, VNB never going back', () => {
    const a = new DripAuthor(signer);
    const loc = encodeMessage(locationMessage(undefined, T0));
    const w = decodeDripAuth(a.wrapper(T0 + 2500, [loc], false)) as DripWrapper;
    expect(w).toMatchObject({ vnb: dripTime(T0) + 2, vna: dripTime(T0) + 302, extended: false, messages: [loc] });
    expect(verifyDripSignature(w, ua.identity.hi, nodeEd25519)).toBe(true);
    // A clock that steps back does not make a receiver take the next one for a replay.
    expect((decodeDripAuth(a.wrapper(T0, [loc], false)) as DripWrapper).vnb).toBe(dripTime(T0) + 2);
    const ext = decodeDripAuth(a.wrapper(T0 + 5000, [loc], true)) as DripWrapper;
    expect(ext).toMatchObject({ extended: true, messages: [] });
    expect(verifyDripSignature({ ...ext, messages: [loc] }, ua.identity.hi, nodeEd25519)).toBe(true);
  });

  it('chains Manifests: each one\'s previous hash is the current hash of the one before; the first a nonce', () => {
    const nonce = Uint8Array.of(1, 2, 3, 4, 5, 6, 7, 8);
    const a = new DripAuthor(signer, { nonce: () => nonce });
    const sent = [Uint8Array.of(1), Uint8Array.of(2)];
    const m1 = decodeDripAuth(a.manifest(T0, sent)) as DripManifest;
    const m2 = decodeDripAuth(a.manifest(T0 + 1000, sent)) as DripManifest;
    expect(m1.previousHash).toEqual(nonce);
    expect(m2.previousHash).toEqual(m1.currentHash);
    expect(m1.messageHashes).toEqual(sent.map(dripHash));
    expect(manifestHashConsistent(m1) && manifestHashConsistent(m2)).toBe(true);
    expect(verifyDripSignature(m2, ua.identity.hi, nodeEd25519)).toBe(true);
    // Without a nonce given, a random one.
    expect((decodeDripAuth(new DripAuthor(signer).manifest(T0, [])) as DripManifest).previousHash).not.toEqual(new Uint8Array(8));
  });

  it('refuses an endorsement of another DET than its signer, and a validity beyond a day', () => {
    const other = generateDripKey({ raa: 16376, hda: 1 });
    const wrong = createEndorsement(hda, other.identity, { vnb: 0, vna: 1 });
    expect(() => new DripAuthor({ ...signer, endorsement: wrong })).toThrow(/endorsement is of DET/);
    expect(() => new DripAuthor(signer, { validityS: 86_401 })).toThrow(RangeError);
  });
});

describe('wrapperMessages', () => {
  it('Basic IDs, then Location, System, Operator ID, Self-ID, at most four, in type order', () => {
    const basic = encodeMessage(withDripDet(demo(), ua.identity.det).basicIds[0]!);
    const session = encodeMessage(withDripDet(demo(), ua.identity.det).basicIds[1]!);
    const loc = encodeMessage(locationMessage(undefined, T0));
    const self = encodeMessage({ type: 'selfId', descType: 0, desc: 'x' });
    const op = encodeMessage({ type: 'operatorId', operatorIdType: 0, operatorId: 'FIN87astrdge12k8' });
    const sys = encodeMessage(systemMessage(demo(), undefined, T0));
    expect(wrapperMessages([self, op, sys, loc, session, basic])).toEqual([session, basic, loc, sys]);
    expect(wrapperMessages([self, op, loc, basic])).toEqual([basic, loc, self, op]);
    // They are what a Wrapper accepts.
    expect(() => signDrip<DripWrapper>({ type: 'wrapper', vnb: 0, vna: 1, messages: wrapperMessages([self, op, sys, loc, session, basic]), extended: false, uaDet: ua.identity.det }, signer.sign)).not.toThrow();
  });
});

describe('the scheduler', () => {
  const position = { latest: () => undefined };
  it('refuses DRIP for an identity that does not announce its DET, and DRIP with fixed authentication pages', () => {
    const clock = new ManualClock(T0);
    expect(() => new Scheduler({ identity: demo(), transports: ['ble-legacy'], position, clock, drip: { signer } })).toThrow(/does not announce the DRIP DET/);
    const identity = withDripDet(demo(), signer.uaDet);
    const authPages = splitAuth({ authType: 1, timestamp: 0, data: Uint8Array.of(0) });
    expect(() => new Scheduler({ identity, transports: ['ble-legacy'], position, clock, drip: { signer }, authPages })).toThrow(/one kind of authentication/);
  });

  it('sizes the BLE 4 rotation for the largest structure (10 pages with FEC)', () => {
    expect(LEGACY_DRIP_MAX_PAGES).toBe(10);
  });
});
