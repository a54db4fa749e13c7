/**
 * The scheduler with DRIP, over simulated minutes on all four transports, measured the way a receiver would:
 * on the frames in the pcapng the sink writes, decoded with the codec, pages assembled per transport (FEC on
 * BLE 4), structures decoded and checked with @odid/trust's verifier against a trust store built with
 * rid-keys. The DET is announced beside the serial; the Link is the endorsement as issued; Wrappers wrap what
 * was just sent in the clear (BLE 4) or the pack they ride in (extended, evidence length 0); Manifests hash
 * what was sent and chain; VNB comes from the clock; the rates of remote-id-spec.md §4 hold at 1 and 2 Hz.
 */
import {
  BROADCAST_TRANSPORTS,
  CaptureReader,
  FecAuthAssembler,
  MESSAGE_SIZE,
  RemoteIdExtractor,
  concatBytes,
  decodeDripAssembled,
  detToText,
  dripTime,
  encodeDripAuth,
  fecLayout,
  toHex,
  withPackEvidence,
  type AuthMessage,
  type DripAuth,
  type ReceivedMessage,
} from '@odid/codec';
import { ManualClock, SimulatedFlightSource } from '@odid/position';
import { DEMO_IDENTITY_CONFIG, Scheduler, loadIdentity, withDripDet } from '@odid/transmitter';
import { DripVerifier, currentManifestHash, dripHash, linkHash, loadTrustStore, loadUaSigner, type UaSigner } from '@odid/trust';
import { beforeAll, describe, expect, it } from 'vitest';
import { Broadcaster } from '../src/broadcaster.js';
import { PcapngSink } from '../src/radios/pcapng-sink.js';
import { buildRegistry, storeDir, type Registry } from '../../trust/test/support.js';

const START = Date.UTC(2026, 10, 25, 9, 59, 30);

let reg: Registry;
let signer: UaSigner;
let storeDirPath: string;

beforeAll(async () => {
  reg = await buildRegistry(START);
  signer = loadUaSigner(reg.files.ua.key, reg.hdaUa);
  storeDirPath = storeDir([reg.files.apex.id], [reg.apexRaa, reg.raaHda]);
});

interface Heard {
  t: number;
  transport: string;
  s: DripAuth;
  /** The message or pack the last page came in, and what the link had sent in the clear before it. */
  bytes: Uint8Array;
  before: Uint8Array[];
  counters: number[];
  pages: AuthMessage[];
}

async function broadcast(minutes: number, rateHz = 2) {
  const clock = new ManualClock(START);
  const sim = new SimulatedFlightSource({ clock, intervalMs: 0 });
  await sim.start();
  const identity = withDripDet(loadIdentity(DEMO_IDENTITY_CONFIG), signer.uaDet);
  const scheduler = new Scheduler({ identity, transports: BROADCAST_TRANSPORTS, position: sim, clock, rateHz, drip: { signer } });
  const chunks: Uint8Array[] = [];
  const sink = new PcapngSink({ write: (b) => void chunks.push(b) }, { ble: 'c4:11:22:33:44:55', wifi: '02:11:22:33:44:55' });
  const b = new Broadcaster({ scheduler, radios: BROADCAST_TRANSPORTS.map((t) => sink.radio(t)), clock });
  await b.start();
  await b.runSimulated(clock, START + minutes * 60_000);
  const reader = new CaptureReader();
  const ex = new RemoteIdExtractor({ keepBytes: true });
  const lines: ReceivedMessage[] = [];
  for (const r of [...reader.push(concatBytes(chunks)), ...reader.end()]) lines.push(...ex.fromRecord(r.linkType, r.data, { t: r.timestamp, frame: r.frame }));
  expect(reader.warnings).toEqual([]);
  expect(ex.stats.dropped).toEqual({});
  // Per transport: pages assembled, with the clear messages (BLE 4) sent before each structure and its counters.
  const heard: Heard[] = [];
  const verifier = new DripVerifier({ trust: loadTrustStore(storeDirPath), clock: () => clock.now() });
  const assemblers = new Map<string, FecAuthAssembler>();
  const clear = new Map<string, Uint8Array[]>();
  const counters = new Map<string, number[]>();
  let lastPack: Uint8Array | undefined;
  for (const l of lines) {
    const key = l.transport;
    const sent = clear.get(key) ?? [];
    clear.set(key, sent);
    if (l.bytes![0]! >> 4 === 0xf) {
      if (l.bytes !== lastPack) verifier.addClear(key, (lastPack = l.bytes!));
    } else if (l.message.type !== 'auth') {
      verifier.addClear(key, l.bytes!);
      sent.push(l.bytes!);
    }
    if (l.message.type !== 'auth') continue;
    if (l.transport === 'ble-legacy') counters.set(key, [...(counters.get(key) ?? []), l.counter!]);
    let a = assemblers.get(key);
    if (!a) assemblers.set(key, (a = new FecAuthAssembler()));
    const done = a.add(l.message);
    if (!done.complete || done.again) continue;
    const packed = l.bytes![0]! >> 4 === 0xf;
    const members = packed ? Array.from({ length: l.bytes![2]! }, (_, i) => l.bytes!.subarray(3 + i * MESSAGE_SIZE, 3 + (i + 1) * MESSAGE_SIZE)) : undefined;
    verifier.addAssembled(key, done.auth, { t: l.t! * 1000, ...(members ? { pack: members } : {}) });
    // As a receiver does: each structure checked when it comes, against what was heard by then.
    verifier.state(key, l.t! * 1000);
    let s = decodeDripAssembled(done.auth);
    if (s.type === 'wrapper' && members) s = withPackEvidence(s, members);
    heard.push({ t: l.t!, transport: key, s, bytes: l.bytes!, before: [...sent], counters: counters.get(key) ?? [], pages: done.pages });
    counters.set(key, []);
  }
  return { lines, heard, verifier, clock };
}

/** The longest gap between consecutive times (and from the start to the first). */
function maxGap(times: number[], startS = START / 1000): number {
  let gap = 0;
  let prev = startS;
  for (const t of times) {
    gap = Math.max(gap, t - prev);
    prev = t;
  }
  return gap;
}

describe('the scheduler with DRIP', () => {
  it('every transport is verified; Link, Wrapper and Manifest at the rates of §4, at 2 and at 1 Hz', async () => {
    for (const rateHz of [2, 1]) {
      const { lines, heard, verifier, clock } = await broadcast(5, rateHz);
      for (const transport of BROADCAST_TRANSPORTS) {
        const v = verifier.state(transport, clock.now());
        expect(v.state, `${transport} at ${rateHz} Hz: ${v.reason}`).toBe('verified');
        expect(v.announcedDet).toBe(detToText(signer.uaDet));
        expect(v.evidence.malformed + v.evidence.unmatchedHashes, `${transport} ${JSON.stringify(v.evidence)}`).toBe(0);
        const mine = heard.filter((h) => h.transport === transport);
        const of = (...kinds: string[]): number[] => mine.filter((h) => kinds.includes(h.s.type)).map((h) => h.t);
        // §4.2: the Link at least every minute (here every fifth turn), a Wrapper or Manifest at least every 5 s;
        // §4.1: an authentication at least every 3 s.
        expect(maxGap(of('link')), `${transport} link`).toBeLessThanOrEqual(15);
        expect(maxGap(of('wrapper', 'manifest')), `${transport} wrapper/manifest`).toBeLessThanOrEqual(5);
        expect(maxGap(of('link', 'wrapper', 'manifest')), `${transport} auth`).toBeLessThanOrEqual(3);
        // and the clear messages keep theirs, the DET's Basic ID among them
        const times = (type: string, idType?: number): number[] =>
          lines.filter((l) => l.transport === transport && l.message.type === type && (idType === undefined || (l.message as { idType: number }).idType === idType)).map((l) => l.t!);
        expect(maxGap(times('location')), `${transport} location`).toBeLessThanOrEqual(1);
        for (const [type, idType] of [['basicId', 1], ['basicId', 4], ['system'], ['selfId'], ['operatorId']] as const) {
          expect(maxGap(times(type, idType)), `${transport} ${type}`).toBeLessThanOrEqual(3);
        }
      }
    }
  }, 120_000);

  it('what each structure holds: the endorsement as issued, fresh VNB, wrapped and hashed what was sent, a chain of Manifests', async () => {
    const { heard } = await broadcast(2);
    const linkData = toHex(encodeDripAuth(reg.uaLink));
    const previous = new Map<string, Uint8Array>();
    for (const h of heard) {
      const s = h.s;
      if (s.type === 'link') {
        expect(toHex(encodeDripAuth(s))).toBe(linkData);
        continue;
      }
      if (s.type === 'frame') throw new Error('no Frames are sent');
      // VNB from the clock: the second the structure was made (its first page at most a few seconds before the last).
      expect(s.vnb).toBeLessThanOrEqual(dripTime(h.t * 1000));
      expect(s.vnb).toBeGreaterThanOrEqual(dripTime(h.t * 1000) - 3);
      expect(s.vna - s.vnb).toBe(300);
      expect(s.uaDet).toEqual(signer.uaDet);
      if (s.type === 'wrapper') {
        if (h.transport === 'ble-legacy') {
          expect(s.extended).toBe(false);
          // Four messages just sent in the clear: the two Basic IDs, the latest Location and System.
          expect(s.messages.map((m) => m[0]! >> 4)).toEqual([0, 0, 1, 4]);
          // Made when its first page was due: a Location goes before each page (BLE 4 alternates them), so the
          // one wrapped is the last but as many as it has pages; the System, the last of the rotation before.
          const ofType = (type: number): string[] => h.before.filter((m) => m[0]! >> 4 === type).map((m) => toHex(m));
          expect(toHex(s.messages[2]!)).toBe(ofType(1).at(-h.pages.length));
          expect(toHex(s.messages[3]!)).toBe(ofType(4).at(-1));
        } else {
          // Extended: no evidence on the air; it signs the pack's other members, in type order.
          expect(s.extended).toBe(true);
          expect(h.bytes[2]).toBe(9);
          expect(s.messages).toHaveLength(4);
        }
      } else {
        // Hashes of what this transport sent before (messages on BLE 4, whole packs elsewhere), chained.
        expect(s.linkHash).toEqual(linkHash(reg.uaLink));
        expect(s.currentHash).toEqual(currentManifestHash(s.previousHash, s.linkHash, s.messageHashes));
        const before = previous.get(h.transport);
        if (before) expect(s.previousHash).toEqual(before);
        previous.set(h.transport, s.currentHash);
        if (h.transport === 'ble-legacy') {
          expect(s.messageHashes).toHaveLength(10);
          const sentHashes = new Set(h.before.slice(-40).map((m) => toHex(dripHash(m))));
          for (const x of s.messageHashes) expect(sentHashes.has(toHex(x))).toBe(true);
        } else {
          expect(s.messageHashes.length).toBeLessThanOrEqual(5);
          expect(s.messageHashes.length).toBeGreaterThanOrEqual(1);
        }
      }
    }
    expect(new Set(heard.map((h) => `${h.transport}/${h.s.type}`)).size).toBe(12);
  }, 60_000);

  it('BLE 4 pages carry FEC and one counter per message; packs carry whole structures without FEC', async () => {
    const { heard } = await broadcast(2);
    for (const h of heard) {
      const length = h.pages[0]!.length!;
      if (h.transport === 'ble-legacy') {
        expect(h.pages[0]!.lastPageIndex, h.s.type).toBe(fecLayout(length).lastPageIndex);
        expect(new Set(h.counters).size, `${h.s.type} pages share their counter`).toBe(1);
        expect(h.counters).toHaveLength(h.pages.length);
      } else {
        expect(h.pages[0]!.lastPageIndex).toBe(h.pages.length - 1);
        expect(h.pages.length).toBeLessThan(fecLayout(length).lastPageIndex + 1);
      }
    }
    // Successive legacy structures have successive counters.
    const legacy = heard.filter((h) => h.transport === 'ble-legacy').map((h) => h.counters[0]!);
    for (let i = 1; i < legacy.length; i++) expect(legacy[i]).toBe((legacy[i - 1]! + 1) % 256);
  }, 60_000);
});
