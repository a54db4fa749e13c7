/**
 * The offline verifier on a registry made with rid-keys (Apex -> RAA -> HDA -> UA): a drone that signs what
 * it sends is verified; one whose evidence was altered, whose endorsement expired, that replays old
 * evidence, announces another DET, or lists hashes of nothing it sent is forged; one whose HDA nobody
 * vouches for is unverified. Each verdict comes with its reason and numbers.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import {
  decodeDripAuth,
  detToText,
  encodeDripAuth,
  encodeMessage,
  fromHex,
  signDrip,
  splitDripAuth,
  toHex,
  type DripLink,
} from '@odid/codec';
import { DripVerifier, loadTrustStore, nodeEd25519, pagedMessageHash, readEndorsement, readIdentity, trustStore, type TrustStore } from '../src/index.js';
import { Random } from '../../../test/support/random.js';
import { buildRegistry, clearMessages, manifestAuth, storeDir, wrapperAuth, type Registry } from './support.js';

const T0 = Date.UTC(2026, 5, 1, 12, 0, 0);

let reg: Registry;
let store: TrustStore;

beforeAll(async () => {
  reg = await buildRegistry(T0);
  store = loadTrustStore(storeDir([reg.files.apex.id], [reg.apexRaa, reg.raaHda]));
});

/** A verifier at `now` (ms, mutable through the returned setter). */
function verifier(trust: TrustStore = store, start = T0): { v: DripVerifier; at(ms: number): void } {
  let now = start;
  return { v: new DripVerifier({ trust, clock: () => now }), at: (ms) => void (now = ms) };
}

/** The drone's clear messages, its endorsement, and `auth` (authentication data), heard in that order. */
function hear(v: DripVerifier, drone: string, auth: Uint8Array[], clear = clearMessages(reg.ua.identity.det)): void {
  for (const m of clear) v.addClear(drone, m);
  v.addAuth(drone, encodeDripAuth(reg.uaLink));
  for (const a of auth) v.addAuth(drone, a);
}

describe('verified', () => {
  it('a Wrapper of its clear messages, signed by the UA, endorsed HDA <- RAA <- Apex (a trusted root)', () => {
    const { v } = verifier();
    const clear = clearMessages(reg.ua.identity.det);
    hear(v, 'aa:bb', [wrapperAuth(reg.ua, clear, T0)], clear);
    const s = v.state('aa:bb');
    expect(s.state, s.reason).toBe('verified');
    const det = (f: string): string => detToText(readIdentity(f).det);
    expect(s.chain).toEqual([det(reg.files.ua.id), det(reg.files.hda.id), det(reg.files.raa.id), det(reg.files.apex.id)]);
    expect(s.announcedDet).toBe(s.chain[0]);
    expect(s.signerDet).toBe(s.chain[0]);
    expect(s.evidence).toMatchObject({ clearMessages: 3, links: 1, signed: 1, verifiedSignatures: 1, matchedMessages: 3, malformed: 0, waitingForKey: 0 });
    expect(s.reason).toContain('3 endorsement(s)');
  });

  it('a Manifest of the messages heard, listing the hash of the endorsement it broadcasts', () => {
    const { v } = verifier();
    const clear = clearMessages(reg.ua.identity.det);
    hear(v, 'm', [manifestAuth(reg.ua, reg.uaLink, clear, T0)], clear);
    const s = v.state('m');
    expect(s.state, s.reason).toBe('verified');
    expect(s.evidence).toMatchObject({ matchedMessages: 3, unmatchedHashes: 0 });
  });

  it('an extended wrapper inside a message pack (its evidence is the pack), the chain heard rather than provisioned', () => {
    const { v } = verifier(trustStore({ roots: [readIdentity(reg.files.apex.id)] }));
    const members = clearMessages(reg.ua.identity.det);
    const auth = wrapperAuth(reg.ua, members, T0, { extended: true });
    const pages = splitDripAuth(auth, { timestamp: 1, fec: false }).map((p) => encodeMessage(p));
    const pack = Uint8Array.of(0xf2, 25, members.length + pages.length, ...members.flatMap((m) => [...m]), ...pages.flatMap((p) => [...p]));
    v.addClear('x', pack);
    for (const f of [reg.apexRaa, reg.raaHda]) v.addAuth('x', encodeDripAuth(readEndorsement(f)));
    v.addAuth('x', encodeDripAuth(reg.uaLink));
    v.addAuth('x', auth, { pack: [...pages, ...members] });
    const s = v.state('x');
    expect(s.state, s.reason).toBe('verified');
    expect(s.evidence.links).toBe(3);
  });

  it('evidence that waits for its key is checked once the endorsement arrives', () => {
    const { v } = verifier();
    const clear = clearMessages(reg.ua.identity.det);
    for (const m of clear) v.addClear('w', m);
    v.addAuth('w', wrapperAuth(reg.ua, clear, T0));
    const before = v.state('w');
    expect(before.state).toBe('unverified');
    expect(before.reason).toContain('no key known');
    expect(before.evidence.waitingForKey).toBe(1);
    v.addAuth('w', encodeDripAuth(reg.uaLink));
    expect(v.state('w').state).toBe('verified');
  });

  it('retransmissions of the same structures, interleaved, are not replays', () => {
    const { v, at } = verifier();
    const clear = clearMessages(reg.ua.identity.det);
    const w = wrapperAuth(reg.ua, clear, T0);
    const m = manifestAuth(reg.ua, reg.uaLink, clear, T0 + 1000);
    hear(v, 'r', [w, m]);
    at(T0 + 2000);
    hear(v, 'r', [w, m, w]);
    expect(v.state('r').state).toBe('verified');
  });
});

describe('forged', () => {
  it('a Wrapper with one wrapped message altered after signing', () => {
    const { v } = verifier();
    const clear = clearMessages(reg.ua.identity.det);
    const auth = wrapperAuth(reg.ua, clear, T0);
    auth[9 + 25 + 11]! ^= 0x01; // a latitude byte of the wrapped Location
    hear(v, 'f', [auth], clear);
    const s = v.state('f');
    expect(s.state).toBe('forged');
    expect(s.reason).toMatch(/Wrapper .* signature that does not verify with the key of DET/);
  });

  it('a correctly signed Wrapper whose Location differs from the clear ones', () => {
    const { v } = verifier();
    const signedPosition = clearMessages(reg.ua.identity.det, 48.1);
    hear(v, 'g', [wrapperAuth(reg.ua, signedPosition, T0)], clearMessages(reg.ua.identity.det, 52.52));
    const s = v.state('g');
    expect(s.state).toBe('forged');
    expect(s.reason).toContain('wraps a Location message that differs from the 1 clear one(s) heard');
  });

  it('an expired endorsement broadcast by the drone', async () => {
    const old = await buildRegistry(T0, { start: '2026-05-01T00:00:00Z', valid: '1h' });
    const { v } = verifier(loadTrustStore(storeDir([old.files.apex.id], [old.apexRaa, old.raaHda])));
    const clear = clearMessages(old.ua.identity.det);
    for (const m of clear) v.addClear('e', m);
    v.addAuth('e', encodeDripAuth(old.uaLink));
    v.addAuth('e', wrapperAuth(old.ua, clear, T0));
    const s = v.state('e');
    expect(s.state).toBe('forged');
    expect(s.reason).toMatch(/Broadcast Endorsement .* outside its validity: expired at 2026-05-01T01:00:00Z/);
  });

  it('evidence replayed: a VNB older than one already seen', () => {
    const { v, at } = verifier();
    const clear = clearMessages(reg.ua.identity.det);
    const early = wrapperAuth(reg.ua, clear, T0);
    at(T0 + 60_000);
    hear(v, 'p', [wrapperAuth(reg.ua, clear, T0 + 60_000)], clear);
    expect(v.state('p').state).toBe('verified');
    v.addAuth('p', early);
    const s = v.state('p');
    expect(s.state).toBe('forged');
    expect(s.reason).toMatch(/replayed: VNB \d+ \(2026-06-01T12:00:00Z\) is older than VNB \d+ \(2026-06-01T12:01:00Z\)/);
  });

  it('evidence heard outside its own validity', () => {
    const { v, at } = verifier();
    const clear = clearMessages(reg.ua.identity.det);
    const w = wrapperAuth(reg.ua, clear, T0);
    at(T0 + 10 * 60_000);
    hear(v, 'late', [w], clear);
    expect(v.state('late')).toMatchObject({ state: 'forged', reason: expect.stringMatching(/heard outside its validity: expired/) });
  });

  it('evidence signed by a DET other than the one announced', async () => {
    const other = await buildRegistry(T0);
    const { v } = verifier();
    const clear = clearMessages(reg.ua.identity.det);
    for (const m of clear) v.addClear('d', m);
    v.addAuth('d', encodeDripAuth(other.uaLink));
    v.addAuth('d', wrapperAuth(other.ua, clearMessages(other.ua.identity.det), T0));
    expect(v.state('d')).toMatchObject({ state: 'forged', reason: expect.stringContaining('but the drone announces DET') });
  });

  it('two Manifests in a row listing hashes of nothing heard, with messages heard between them, after enough was heard', () => {
    const { v } = verifier();
    const clear = clearMessages(reg.ua.identity.det);
    for (let i = 0; i < 3; i++) for (const m of clear) v.addClear('h', m);
    v.addAuth('h', encodeDripAuth(reg.uaLink));
    const elsewhere = { hashes: [new Uint8Array(8).fill(1), new Uint8Array(8).fill(2)] };
    v.addAuth('h', manifestAuth(reg.ua, reg.uaLink, clear, T0, elsewhere));
    // One alone may follow a dropout (the receiver missed just what it lists).
    expect(v.state('h')).toMatchObject({ state: 'verified', evidence: { unmatchedHashes: 2 } });
    for (const m of clear) v.addClear('h', m);
    v.addAuth('h', manifestAuth(reg.ua, reg.uaLink, clear, T0 + 1000, elsewhere));
    expect(v.state('h')).toMatchObject({ state: 'forged', reason: expect.stringContaining('2 message hash(es), none of them of the 12 message(s) heard before it, nor did the Manifest before it (3 message(s) heard between them)') });
  });

  it('an unmatched Manifest followed by one that matches is no forgery', () => {
    const { v } = verifier();
    const clear = clearMessages(reg.ua.identity.det);
    for (let i = 0; i < 3; i++) for (const m of clear) v.addClear('d', m);
    v.addAuth('d', encodeDripAuth(reg.uaLink));
    v.addAuth('d', manifestAuth(reg.ua, reg.uaLink, clear, T0, { hashes: [new Uint8Array(8).fill(1)] }));
    for (const m of clear) v.addClear('d', m);
    v.addAuth('d', manifestAuth(reg.ua, reg.uaLink, clear, T0 + 1000));
    v.addAuth('d', manifestAuth(reg.ua, reg.uaLink, clear, T0 + 2000, { hashes: [new Uint8Array(8).fill(3)] }));
    expect(v.state('d').state).toBe('verified');
  });

  it("a Manifest whose link hash is of the endorsement's pages, not of its 136 bytes (the reading not taken)", () => {
    const { v } = verifier();
    const clear = clearMessages(reg.ua.identity.det);
    const pagesHash = (l: DripLink): Uint8Array => pagedMessageHash(splitDripAuth(encodeDripAuth(l), { timestamp: 0, fec: false }).map((p) => encodeMessage(p)));
    hear(v, 'l', [manifestAuth(reg.ua, reg.uaLink, clear, T0, { linkHashOf: pagesHash })], clear);
    expect(v.state('l')).toMatchObject({ state: 'forged', reason: expect.stringContaining('none of the 1 endorsement(s) of its DET it broadcast') });
  });

  it('an endorsement whose child DET is not the hash of its HI', () => {
    const { v } = verifier();
    const bad = { ...reg.uaLink, childHi: readIdentity(reg.files.hda.id).hi };
    v.addAuth('b', encodeDripAuth(bad));
    expect(v.state('b')).toMatchObject({ state: 'forged', reason: expect.stringContaining('is not the hash of the HI it carries') });
  });

  it('an endorsement of the UA not signed by its HDA', () => {
    const { v } = verifier();
    // Signed by the UA's own key, claiming the HDA as parent.
    const fake = signDrip<DripLink>({ ...reg.uaLink, type: 'link' }, (msg) => nodeEd25519.sign!(reg.ua.privateKey, msg));
    v.addAuth('s', encodeDripAuth(fake));
    expect(v.state('s')).toMatchObject({ state: 'forged', reason: expect.stringContaining("signature that does not verify with the parent's key") });
  });
});

describe('unverified', () => {
  it('an HDA nobody in the store vouches for', () => {
    const { v } = verifier(loadTrustStore(storeDir([reg.files.apex.id], [reg.apexRaa])));
    const clear = clearMessages(reg.ua.identity.det);
    hear(v, 'u', [wrapperAuth(reg.ua, clear, T0)], clear);
    const s = v.state('u');
    expect(s.state).toBe('unverified');
    expect(s.reason).toMatch(/chain of trust incomplete: .* is endorsed by .*, whose key is unknown/);
    // Its own signature did verify: only the chain is missing.
    expect(s.evidence.verifiedSignatures).toBe(1);
  });

  it('a trusted root that is not on its chain at all', async () => {
    const elsewhere = await buildRegistry(T0);
    const { v } = verifier(loadTrustStore(storeDir([elsewhere.files.apex.id], [elsewhere.apexRaa, elsewhere.raaHda])));
    const clear = clearMessages(reg.ua.identity.det);
    hear(v, 'n', [wrapperAuth(reg.ua, clear, T0)], clear);
    expect(v.state('n')).toMatchObject({ state: 'unverified', reason: expect.stringContaining('chain of trust incomplete') });
  });

  it('nothing signed yet, nothing announced, or endorsements that have expired since they were heard', () => {
    const { v, at } = verifier();
    expect(v.state('none')).toMatchObject({ state: 'unverified', reason: 'nothing heard from this drone' });
    const clear = clearMessages(reg.ua.identity.det);
    for (const m of clear) v.addClear('c', m);
    expect(v.state('c')).toMatchObject({ state: 'unverified', reason: expect.stringContaining('no signed Wrapper, Manifest or Frame') });
    v.addAuth('q', encodeDripAuth(reg.uaLink));
    v.addAuth('q', wrapperAuth(reg.ua, clear.slice(1), T0));
    expect(v.state('q')).toMatchObject({ state: 'unverified', reason: expect.stringContaining('no DET announced') });
    // Two years on, fresh evidence from a drone that no longer broadcasts its (30-day) endorsement: the
    // endorsements the verifier knows have expired since (had the drone sent it now, it would be forged).
    const later = T0 + 2 * 365 * 86_400_000;
    at(later);
    for (const m of clear) v.addClear('c2', m);
    v.addAuth('c2', wrapperAuth(reg.ua, clear, later));
    expect(v.state('c2')).toMatchObject({ state: 'unverified', reason: expect.stringMatching(/chain of trust incomplete: the endorsement of .* expired at 2026-07-01T12:00:00Z/) });
  });

  it('a drone that falls silent: its last evidence expires', () => {
    const { v, at } = verifier();
    const clear = clearMessages(reg.ua.identity.det);
    hear(v, 's', [wrapperAuth(reg.ua, clear, T0)], clear);
    expect(v.state('s').state).toBe('verified');
    at(T0 + 10 * 60_000);
    expect(v.state('s')).toMatchObject({ state: 'unverified', reason: expect.stringContaining('no longer valid') });
  });
});

describe('hostile input', () => {
  it('garbage and mutated authentication data never verify and never throw', () => {
    const { v } = verifier();
    const r = new Random(0x7e57);
    const clear = clearMessages(reg.ua.identity.det);
    const genuine = [encodeDripAuth(reg.uaLink), wrapperAuth(reg.ua, clear, T0), manifestAuth(reg.ua, reg.uaLink, clear, T0)];
    const states = new Map<string, number>();
    for (let i = 0; i < 600; i++) {
      const drone = `z${i}`;
      for (const m of clear) v.addClear(drone, m);
      for (const g of genuine) {
        const b = g.slice();
        // one to four changed bytes, or a cut, in every structure this drone sends
        if (r.float() < 0.2) v.addAuth(drone, b.subarray(0, r.int(b.length)));
        else {
          for (let k = 1 + r.int(4); k > 0; k--) b[1 + r.int(b.length - 1)]! ^= 1 + r.int(255);
          v.addAuth(drone, b);
        }
      }
      v.addAuth(drone, r.bytes(r.int(220)));
      const s = v.state(drone).state;
      states.set(s, (states.get(s) ?? 0) + 1);
      expect(s, drone).not.toBe('verified');
    }
    expect(states.get('forged')).toBeGreaterThan(0);
  });

  it('the untouched structures do verify (the test above can fail)', () => {
    const { v } = verifier();
    const clear = clearMessages(reg.ua.identity.det);
    hear(v, 'ok', [wrapperAuth(reg.ua, clear, T0), manifestAuth(reg.ua, reg.uaLink, clear, T0)], clear);
    expect(v.state('ok').state).toBe('verified');
  });

  it('keeps at most maxDrones drones', () => {
    const v = new DripVerifier({ trust: store, clock: () => T0, maxDrones: 10 });
    for (let i = 0; i < 50; i++) v.addClear(`d${i}`, clearMessages(reg.ua.identity.det)[0]!);
    expect(v.droneKeys()).toEqual(Array.from({ length: 10 }, (_, i) => `d${40 + i}`));
  });

  it('a store made in code must pair each root DET with its HI', () => {
    const apex = readIdentity(reg.files.apex.id);
    expect(() => new DripVerifier({ trust: trustStore({ roots: [{ ...apex, hi: readIdentity(reg.files.raa.id).hi }] }) })).toThrow(/not the hash of its HI/);
  });

  it('reads an assembled message: auth type 5 only', () => {
    const { v } = verifier();
    expect(v.addAssembled('a', { authType: 1, authData: '00' })).toBeUndefined();
    expect(v.state('a').evidence.unsupported).toBe(1);
    expect(v.addAssembled('a', { authType: 5, authData: toHex(encodeDripAuth(reg.uaLink)) })).toMatchObject({ type: 'link' });
    expect(decodeDripAuth(fromHex(toHex(encodeDripAuth(reg.uaLink))))).toEqual(reg.uaLink);
  });
});
