/**
 * The tracker with a DRIP verifier (rid-scan --trust): real air frames of the transmitter's scheduler, signed
 * with a UA key from a registry made with rid-keys, through the pipeline (the bytes kept for the verifier).
 * Verified on every transport; forged when a Wrapper's signature is not over what it carries or when a clear
 * message differs from the one wrapped, with the flag drip-forged, its alert and the table's marks;
 * unverified when the HDA is unknown, and once the evidence expires; garbage, mixed and truncated pages never
 * verify and never throw. Without a verifier nothing of it exists.
 */
import { buildAirFrames, decodeMessage, encodeMessage, type BroadcastTransport, type LocationMessage } from '@odid/codec';
import { ManualClock, SimulatedFlightSource } from '@odid/position';
import { DEMO_IDENTITY_CONFIG, Scheduler, loadIdentity, withDripDet, type Transmission } from '@odid/transmitter';
import { DripVerifier, loadTrustStore, loadUaSigner, type TrustStore, type UaSigner } from '@odid/trust';
import { beforeAll, describe, expect, it } from 'vitest';
import { renderTable } from '../src/outputs/table.js';
import { Pipeline } from '../src/pipeline.js';
import type { RawFrame } from '../src/sources/types.js';
import { trackToJson, worseDrip, type Track, type TrackDrip, type TrackUpdate } from '../src/tracker/index.js';
import { Random } from '../../../test/support/random.js';
import { buildRegistry, storeDir, type Registry } from '../../trust/test/support.js';

const START = Date.UTC(2026, 10, 25, 10, 0, 0);
const ALL: BroadcastTransport[] = ['ble-legacy', 'ble-extended', 'wifi-beacon', 'wifi-nan'];
const ADDRESS = { ble: 'c4:11:22:33:44:55', wifi: '02:11:22:33:44:55' };

let reg: Registry;
let signer: UaSigner;
let store: TrustStore;

beforeAll(async () => {
  reg = await buildRegistry(START);
  signer = loadUaSigner(reg.files.ua.key, reg.hdaUa);
  store = loadTrustStore(storeDir([reg.files.apex.id], [reg.apexRaa, reg.raaHda]));
});

/** What the scheduler sends for `seconds`, as air frames; `edit` changes the transmissions first. */
async function air(seconds: number, opts: { transports?: BroadcastTransport[]; sign?: UaSigner; edit?: (list: Transmission[]) => Transmission[] } = {}): Promise<RawFrame[]> {
  const clock = new ManualClock(START);
  const sim = new SimulatedFlightSource({ clock, intervalMs: 0 });
  await sim.start();
  const s = opts.sign ?? signer;
  const identity = withDripDet(loadIdentity(DEMO_IDENTITY_CONFIG), s.uaDet);
  const scheduler = new Scheduler({ identity, transports: opts.transports ?? ALL, position: sim, clock, drip: { signer: s } });
  const list: Transmission[] = [];
  for (let next = scheduler.nextDue(); next <= START + seconds * 1000; next = scheduler.nextDue()) {
    clock.set(next);
    list.push(...scheduler.due());
  }
  return (opts.edit ? opts.edit(list) : list).flatMap((t) =>
    buildAirFrames({ transport: t.transport, address: t.transport.startsWith('ble') ? ADDRESS.ble : ADDRESS.wifi, counter: t.counter, payload: t.payload, timestampUs: t.timeMs * 1000 }).map(
      (f): RawFrame => ({ t: t.timeMs / 1000, linkType: f.linkType, data: f.data }),
    ),
  );
}

function receive(frames: RawFrame[], trust: TrustStore | null = store): { track: Track; updates: TrackUpdate[]; pipeline: Pipeline; bytesKept: boolean } {
  const updates: TrackUpdate[] = [];
  let bytesKept = false;
  const pipeline = new Pipeline(trust ? { drip: new DripVerifier({ trust }) } : {}, { update: (u) => void updates.push(u), message: (m) => void (bytesKept ||= m.bytes !== undefined) });
  for (const f of frames) pipeline.process(f);
  const tracks = pipeline.tracker.tracks();
  expect(tracks).toHaveLength(1);
  return { track: tracks[0]!, updates, pipeline, bytesKept };
}

describe('verified', () => {
  it('on every transport, each link on its own; the JSON and the table say so', async () => {
    const { track, updates, bytesKept } = receive(await air(30));
    const d = track.drip!;
    expect(d.state, d.reason).toBe('verified');
    expect(Object.values(d.linkStates)).toEqual(['verified', 'verified', 'verified', 'verified']);
    expect(Object.keys(d.linkStates).sort()).toEqual(ALL.map((t) => `${t} ${t.startsWith('ble') ? ADDRESS.ble : ADDRESS.wifi}`).sort());
    expect(d.chain).toHaveLength(4);
    expect(d.det).toBe(d.chain[0]);
    expect(d.evidence.verifiedSignatures).toBeGreaterThan(5);
    expect(d.recoveredPages).toBe(0);
    expect(track.flags).not.toContain('drip-forged');
    expect(bytesKept).toBe(true);
    const json = trackToJson(track);
    expect(json.drip).toEqual({ ...d, chain: [...d.chain], evidence: { ...d.evidence }, linkStates: { ...d.linkStates } });
    expect(renderTable([track], { nowMs: track.lastSeen, width: 200 })).toContain('DRIP-OK');
    expect(updates.some((u) => u.alerts?.some((a) => a.flag === 'drip-forged'))).toBe(false);
  });

  it('without a verifier there is no drip, and no bytes are kept', async () => {
    const { track, bytesKept } = receive(await air(10), null);
    expect(track.drip).toBeUndefined();
    expect('drip' in trackToJson(track)).toBe(false);
    expect(bytesKept).toBe(false);
  });

  it('one lost page of every BLE 4 structure: still verified, the pages rebuilt by FEC', async () => {
    // The third page of every authentication message is lost (a page of the data, never the parity page).
    let seen = 0;
    const frames = await air(30, {
      transports: ['ble-legacy'],
      edit: (list) => list.filter((t) => t.messageType !== 'auth' || (decodeMessage(t.payload) as { dataPage: number }).dataPage !== 2 || (seen++, false)),
    });
    expect(seen).toBeGreaterThan(5);
    const { track } = receive(frames);
    expect(track.drip!.state, track.drip!.reason).toBe('verified');
    // (The run may end before the last structure's parity page.)
    expect(track.drip!.recoveredPages).toBeGreaterThanOrEqual(seen - 1);
    expect(track.drip!.recoveredPages).toBeLessThanOrEqual(seen);
    // The same losses without FEC would leave nothing assembled: two pages of each lost are.
    const twice = await air(30, { transports: ['ble-legacy'], edit: (list) => list.filter((t) => t.messageType !== 'auth' || ![2, 3].includes((decodeMessage(t.payload) as { dataPage: number }).dataPage)) });
    expect(receive(twice).track.drip!).toMatchObject({ state: 'unverified', evidence: { signed: 0, links: 0 } });
  });
});

describe('forged', () => {
  it("a Wrapper whose signature is over other bytes than it carries (a wrapped message altered after signing)", async () => {
    // The UA key signs, but over a Location one bit away from the one it wraps.
    const forging: UaSigner = {
      ...signer,
      sign: (m) => {
        const altered = m.slice();
        if (m.length === 8 + 100 + 16 || m.length === 8 + 16) altered[8 + 50]! ^= 1;
        return signer.sign(altered);
      },
    };
    const { track, updates } = receive(await air(30, { sign: forging }));
    const d = track.drip!;
    expect(d.state).toBe('forged');
    expect(d.reason).toMatch(/Wrapper .* signature that does not verify with the key of DET/);
    expect(track.flags).toContain('drip-forged');
    const alert = updates.flatMap((u) => u.alerts ?? []).find((a) => a.flag === 'drip-forged');
    expect(alert).toMatchObject({ kind: 'flag', flag: 'drip-forged' });
    const table = renderTable([track], { nowMs: track.lastSeen, width: 200 });
    expect(table).toContain('drip-forged');
    expect(table.split('\n')[1]!.startsWith('!')).toBe(true);
  });

  it('a clear Location altered on the air after the Wrapper signed the real one', async () => {
    const frames = await air(30, {
      transports: ['ble-legacy'],
      edit: (list) =>
        list.map((t) => {
          if (t.messageType !== 'location') return t;
          const m = decodeMessage(t.payload) as LocationMessage;
          return { ...t, payload: encodeMessage({ ...m, latitude: m.latitude + 0.01 }) };
        }),
    });
    const d = receive(frames).track.drip!;
    expect(d.state).toBe('forged');
    expect(d.reason).toContain('wraps a Location message that differs from the 1 clear one(s) heard with its timestamp');
  });
});

describe('unverified', () => {
  it('an HDA the trust store does not know', async () => {
    const d = receive(await air(20), loadTrustStore(storeDir([reg.files.apex.id], [reg.apexRaa]))).track.drip!;
    expect(d.state).toBe('unverified');
    expect(d.reason).toMatch(/chain of trust incomplete: .* whose key is unknown/);
    expect(d.evidence.verifiedSignatures).toBeGreaterThan(0);
    expect(renderTable([receive(await air(5), loadTrustStore(storeDir([reg.files.apex.id], []))).track], { nowMs: START + 5000, width: 200 })).toContain('DRIP?');
  });

  it('a drone that falls silent: once its evidence expires, a tick says so (an update of its flags)', async () => {
    const { track, pipeline } = receive(await air(20));
    expect(track.drip!.state).toBe('verified');
    const later = pipeline.tracker.tick(START + 20_000 + 10 * 60_000);
    const u = later.find((x) => x.track === track)!;
    expect(u).toBeDefined();
    expect(track.drip).toMatchObject({ state: 'unverified', reason: expect.stringContaining('no longer valid') });
  });

  it('a merge keeps the worse verdict', () => {
    const v = (state: TrackDrip['state']): TrackDrip => ({ state, reason: state, chain: [], evidence: {} as TrackDrip['evidence'], link: 'x', linkStates: {}, recoveredPages: 0 });
    expect(worseDrip(v('verified'), v('forged'))!.state).toBe('forged');
    expect(worseDrip(v('forged'), v('verified'))!.state).toBe('forged');
    expect(worseDrip(v('unverified'), v('verified'))!.state).toBe('verified');
    expect(worseDrip(undefined, v('unverified'))!.state).toBe('unverified');
  });
});

describe('hostile pages', () => {
  const isAuth = (t: Transmission): boolean => t.messageType === 'auth';

  it('garbage, mixed and truncated BLE 4 pages: never verified, never a throw', async () => {
    const r = new Random(0xd41b);
    const edits: Record<string, (list: Transmission[]) => Transmission[]> = {
      // Every page's 23 data bytes random (the header kept: still auth type 5 pages).
      garbage: (list) => list.map((t) => (isAuth(t) ? { ...t, payload: Uint8Array.of(...t.payload.subarray(0, 2), ...r.bytes(23)) } : t)),
      // The pages of the structures dealt out among the auth slots in another order.
      mixed: (list) => {
        const slots = list.flatMap((t, i) => (isAuth(t) ? [i] : []));
        const payloads = r.shuffle(slots.map((i) => list[i]!.payload));
        return list.map((t, i) => (isAuth(t) ? { ...t, payload: payloads[slots.indexOf(i)]! } : t));
      },
      // Every structure cut after its fourth page.
      truncated: (list) => list.filter((t) => !isAuth(t) || (decodeMessage(t.payload) as { dataPage: number }).dataPage < 4),
    };
    for (const [name, edit] of Object.entries(edits)) {
      const frames = await air(30, { transports: ['ble-legacy'], edit });
      const { track } = receive(frames);
      expect(track.drip!.state, `${name}: ${track.drip!.reason}`).not.toBe('verified');
      expect(track.drip!.evidence.verifiedSignatures, name).toBe(0);
    }
  });

  it('random authentication pages and packs from a drone announcing the DET: never verified', async () => {
    const r = new Random(0xbad);
    const pipeline = new Pipeline({ drip: new DripVerifier({ trust: store }) });
    const basic = encodeMessage(withDripDet(loadIdentity(DEMO_IDENTITY_CONFIG), signer.uaDet).basicIds[1]!);
    for (let i = 0; i < 3000; i++) {
      const page = r.bytes(25);
      page[0] = 0x22;
      page[1] = (r.float() < 0.8 ? 0x50 : r.int(16) << 4) | r.int(16);
      const legacy = r.float() < 0.5;
      const payload = legacy ? page : Uint8Array.of(0xf2, 25, 2, ...basic, ...page);
      const transport = legacy ? 'ble-legacy' : 'wifi-beacon';
      for (const f of buildAirFrames({ transport, address: ADDRESS.ble, counter: i & 0xff, payload: legacy && r.float() < 0.3 ? basic : payload, timestampUs: (START + i * 100) * 1000 })) {
        pipeline.process({ t: START / 1000 + i / 10, linkType: f.linkType, data: f.data });
      }
    }
    for (const t of pipeline.tracker.tracks()) expect(t.drip?.state).not.toBe('verified');
  });
});
