/**
 * What a receiver of a real broadcast needs of the verifier beyond the flow itself: a Wrapper whose Location
 * or System was missed in the clear is not contradicted by those of other times (only the same time's
 * contradicts it); a replay is judged at its capture time; a structure a page of which FEC rebuilt, whose
 * signature fails, is unreadable, not forged; and the UA's signer (key + endorsement, as rid-broadcast loads
 * them) signs what verifies, and refuses a key the endorsement is not of.
 */
import { chmodSync, copyFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { dripTime, encodeDripAuth, encodeMessage, signDrip, type DripWrapper, type SingleMessageInput } from '@odid/codec';
import { DripVerifier, TrustError, loadTrustStore, loadUaSigner, readPrivateKey, uaSigner, verifyEndorsement, type TrustStore } from '../src/index.js';
import { buildRegistry, clearMessages, storeDir, tempDir, wrapperAuth, type Registry } from './support.js';

const T0 = Date.UTC(2026, 5, 1, 12, 0, 0);

let reg: Registry;
let store: TrustStore;

beforeAll(async () => {
  reg = await buildRegistry(T0);
  store = loadTrustStore(storeDir([reg.files.apex.id], [reg.apexRaa, reg.raaHda]));
});

const location = (timestamp: number, lat = 52.52): Uint8Array =>
  encodeMessage({ type: 'location', status: 2, direction: 90, speedHorizontal: 5, speedVertical: 0, latitude: lat, longitude: 13.4, altitudeBaro: 100, altitudeGeo: 110, heightType: 0, height: 50, horizAccuracy: 10, vertAccuracy: 4, baroAccuracy: 3, speedAccuracy: 2, tsAccuracy: 1, timestamp } as SingleMessageInput);
const system = (timestamp: number, lat = 52.5): Uint8Array =>
  encodeMessage({ type: 'system', operatorLocationType: 0, classificationType: 0, operatorLatitude: lat, operatorLongitude: 13.4, areaCount: 1, areaRadius: 0, areaCeiling: -1000, areaFloor: -1000, categoryEU: 0, classEU: 0, operatorAltitudeGeo: -1000, timestamp } as SingleMessageInput);

function heard(v: DripVerifier, drone: string, clear: Uint8Array[], auth: Uint8Array[]): void {
  for (const m of clear) v.addClear(drone, m);
  v.addAuth(drone, encodeDripAuth(reg.uaLink));
  for (const a of auth) v.addAuth(drone, a);
}

describe('wrapped messages against the clear ones', () => {
  it('a wrapped Location and System whose clear copies were missed: unmatched, not contradicted by other times', () => {
    const v = new DripVerifier({ trust: store, clock: () => T0 });
    const basic = clearMessages(reg.ua.identity.det)[0]!;
    // Heard in the clear: the Locations and System before and after; the wrapped ones (1200.5 s, +1 s) were lost.
    const clear = [basic, location(1199.5), location(1200), location(1201), system(230_000_000), system(230_000_002)];
    heard(v, 'm', clear, [wrapperAuth(reg.ua, [basic, location(1200.5), system(230_000_001)], T0)]);
    const s = v.state('m');
    expect(s.state, s.reason).toBe('verified');
    expect(s.evidence).toMatchObject({ matchedMessages: 1, unmatchedMessages: 2 });
  });

  it('a wrapped Location or System that differs from the clear one of the same time: forged', () => {
    for (const [wrapped, what] of [
      [location(1200, 48.1), 'Location'],
      [system(230_000_001, 48.1), 'System'],
    ] as const) {
      const v = new DripVerifier({ trust: store, clock: () => T0 });
      const basic = clearMessages(reg.ua.identity.det)[0]!;
      heard(v, what, [basic, location(1200), system(230_000_001)], [wrapperAuth(reg.ua, [basic, wrapped], T0)]);
      expect(v.state(what)).toMatchObject({ state: 'forged', reason: expect.stringContaining(`wraps a ${what} message that differs from the 1 clear one(s) heard with its timestamp`) });
    }
  });
});

describe('time and rebuilt pages', () => {
  it("state(drone, t): a capture replayed years later is judged at the capture's time", () => {
    const later = T0 + 2 * 365 * 86_400_000;
    const v = new DripVerifier({ trust: store, clock: () => later });
    const clear = clearMessages(reg.ua.identity.det);
    for (const m of clear) v.addClear('r', m);
    v.addAuth('r', encodeDripAuth(reg.uaLink), { t: T0 });
    v.addAuth('r', wrapperAuth(reg.ua, clear, T0), { t: T0 + 1000 });
    expect(v.state('r', T0 + 2000).state).toBe('verified');
    expect(v.state('r')).toMatchObject({ state: 'unverified', reason: expect.stringContaining('no longer valid') });
  });

  it('a bad signature on a structure FEC rebuilt a page of is unreadable (malformed), not forged; the same heard whole is forged', () => {
    const clear = clearMessages(reg.ua.identity.det);
    const w = wrapperAuth(reg.ua, clear, T0);
    w[9 + 25 + 11]! ^= 0x01;
    const rebuilt = new DripVerifier({ trust: store, clock: () => T0 });
    for (const m of clear) rebuilt.addClear('x', m);
    rebuilt.addAuth('x', encodeDripAuth(reg.uaLink));
    rebuilt.addAuth('x', w, { rebuilt: true });
    expect(rebuilt.state('x')).toMatchObject({ state: 'unverified', evidence: { malformed: 1, verifiedSignatures: 0 } });
    const whole = new DripVerifier({ trust: store, clock: () => T0 });
    heard(whole, 'y', clear, [w]);
    expect(whole.state('y').state).toBe('forged');
  });
});

describe("the UA's signer", () => {
  it('signs Wrappers that verify, with the DET and endorsement of its files', () => {
    const signer = loadUaSigner(reg.files.ua.key, reg.hdaUa);
    expect(signer.uaDet).toEqual(reg.ua.identity.det);
    expect(encodeDripAuth(signer.endorsement)).toEqual(encodeDripAuth(reg.uaLink));
    expect(signer.hash(new Uint8Array(25))).toHaveLength(8);
    const clear = clearMessages(signer.uaDet);
    const vnb = dripTime(T0);
    const w = signDrip<DripWrapper>({ type: 'wrapper', vnb, vna: vnb + 300, messages: clear, extended: false, uaDet: signer.uaDet }, signer.sign);
    const v = new DripVerifier({ trust: store, clock: () => T0 });
    heard(v, 's', clear, [encodeDripAuth(w)]);
    expect(v.state('s').state).toBe('verified');
    expect(verifyEndorsement(signer.endorsement, loadTrustStore(storeDir([reg.files.hda.id], [])).roots[0]!.hi, { nowMs: T0, clockSkewS: 0 })).toEqual({ ok: true });
  });

  it('refuses a key the endorsement is not of, and a key file others can read', () => {
    let e: unknown;
    try {
      uaSigner(readPrivateKey(reg.files.hda.key), reg.uaLink, 'hda-ua.json');
    } catch (x) {
      e = x;
    }
    expect(e).toBeInstanceOf(TrustError);
    expect((e as TrustError).code).toBe('key-mismatch');
    expect((e as TrustError).message).toContain('hda-ua.json');
    const open = path.join(tempDir('open-key'), 'ua.key.pem');
    copyFileSync(reg.files.ua.key, open);
    chmodSync(open, 0o644);
    expect(() => loadUaSigner(open, reg.hdaUa)).toThrow(/others may read this private key/);
  });
});
