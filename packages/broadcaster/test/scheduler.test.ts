/**
 * A simulated hour of broadcasting on all four transports, measured the way a receiver would: on the
 * timestamps of the frames in the pcapng the sink writes, decoded with the codec.
 */
import { BROADCAST_TRANSPORTS, CaptureReader, RemoteIdExtractor, concatBytes, splitAuth, type ReceivedMessage } from '@odid/codec';
import { ManualClock, SimulatedFlightSource } from '@odid/position';
import { DEMO_IDENTITY_CONFIG, Scheduler, loadIdentity } from '@odid/transmitter';
import { describe, expect, it } from 'vitest';
import { Broadcaster } from '../src/broadcaster.js';
import { PcapngSink } from '../src/radios/pcapng-sink.js';

const START = Date.UTC(2026, 10, 25, 9, 59, 30); // crosses the top of the hour: the location timestamp wraps

async function broadcastHour(opts: { rateHz?: number; auth?: boolean; minutes?: number } = {}) {
  const clock = new ManualClock(START);
  const sim = new SimulatedFlightSource({ clock, intervalMs: 0 });
  await sim.start();
  const identity = loadIdentity({ ...DEMO_IDENTITY_CONFIG, ids: [...DEMO_IDENTITY_CONFIG.ids, { type: 'session', det: '2001:3f:fe00:105:a29b:3ff4:2226:c04e' }] });
  const authPages = opts.auth ? splitAuth({ authType: 1, timestamp: 1000, data: new Uint8Array(100).map((_, i) => i) }) : undefined;
  const scheduler = new Scheduler({ identity, transports: BROADCAST_TRANSPORTS, position: sim, clock, rateHz: opts.rateHz, authPages });
  const chunks: Uint8Array[] = [];
  const sink = new PcapngSink({ write: (b) => void chunks.push(b) }, { ble: 'c4:11:22:33:44:55', wifi: '02:11:22:33:44:55' });
  const b = new Broadcaster({ scheduler, radios: BROADCAST_TRANSPORTS.map((t) => sink.radio(t)), clock });
  await b.start();
  await b.runSimulated(clock, START + (opts.minutes ?? 60) * 60_000);
  const reader = new CaptureReader();
  const ex = new RemoteIdExtractor();
  const lines: ReceivedMessage[] = [];
  for (const r of [...reader.push(concatBytes(chunks)), ...reader.end()]) lines.push(...ex.fromRecord(r.linkType, r.data, { t: r.timestamp, frame: r.frame }));
  expect(reader.warnings).toEqual([]);
  return { lines, sim, stats: ex.stats };
}

function maxGaps(lines: ReceivedMessage[]): Map<string, number> {
  const last = new Map<string, number>();
  const gaps = new Map<string, number>();
  for (const l of lines) {
    const key = `${l.transport}/${l.message.type}${l.message.type === 'basicId' ? `/${l.message.idType}` : ''}`;
    const prev = last.get(key);
    if (prev !== undefined) gaps.set(key, Math.max(gaps.get(key) ?? 0, l.t! - prev));
    last.set(key, l.t!);
  }
  return gaps;
}

describe('scheduler over a simulated hour', () => {
  it('keeps every location gap ≤ 1 s and every static gap ≤ 3 s on every transport', async () => {
    const { lines } = await broadcastHour({ auth: true });
    const gaps = maxGaps(lines);
    for (const transport of BROADCAST_TRANSPORTS) {
      for (const type of ['basicId/1', 'basicId/4', 'location', 'selfId', 'system', 'operatorId', 'auth']) {
        const gap = gaps.get(`${transport}/${type}`);
        expect(gap, `${transport} ${type} never sent twice`).toBeDefined();
        expect(gap!, `${transport} ${type}`).toBeLessThanOrEqual(type === 'location' ? 1 : 3);
      }
    }
    expect(lines.length).toBeGreaterThan(100_000);
    // and they carry real positions, not "unknown"
    expect(lines.filter((l) => l.message.type === 'location' && l.message.latitude === 0)).toEqual([]);
  }, 120_000);

  it('steps every counter by one, modulo 256', async () => {
    const { lines } = await broadcastHour({ minutes: 20 });
    const seen = new Map<string, number>();
    let wraps = 0;
    let frame = -1;
    for (const l of lines) {
      // a pack yields several lines with one counter: count each frame once
      const key = l.transport === 'ble-legacy' ? `${l.transport}/${l.message.type}` : l.transport;
      if (l.transport !== 'ble-legacy' && l.frame === frame) continue;
      frame = l.frame!;
      const prev = seen.get(key);
      if (prev !== undefined) {
        expect(l.counter, key).toBe((prev + 1) % 256);
        if (prev === 255) wraps++;
      }
      seen.set(key, l.counter!);
    }
    expect(wraps).toBeGreaterThan(0);
  }, 60_000);

  it('each location carries the position source value at that moment, within the codec resolution', async () => {
    const { lines, sim } = await broadcastHour({ minutes: 10 });
    let checked = 0;
    for (const l of lines) {
      if (l.message.type !== 'location') continue;
      const fix = sim.positionAt(Math.round(l.t! * 1000))!;
      const m = l.message;
      expect(Math.abs(m.latitude - fix.latitude)).toBeLessThanOrEqual(1e-7);
      expect(Math.abs(m.longitude - fix.longitude)).toBeLessThanOrEqual(1e-7);
      expect(Math.abs(m.altitudeGeo - (fix.altitudeGeo ?? -1000))).toBeLessThanOrEqual(0.5);
      expect(Math.abs(m.height - (fix.height ?? -1000))).toBeLessThanOrEqual(0.5);
      expect(Math.abs(m.speedHorizontal - (fix.speedHorizontal ?? 0))).toBeLessThanOrEqual(0.375);
      const expectedDir = Math.round(fix.direction ?? 0) % 360;
      if (m.speedHorizontal > 0) expect(m.direction).toBe(expectedDir);
      const afterHour = ((l.t! * 1000) % 3_600_000) / 1000;
      expect(Math.abs(m.timestamp - afterHour)).toBeLessThanOrEqual(0.05 + 1e-9);
      checked++;
    }
    expect(checked).toBeGreaterThan(4000);
  }, 60_000);

  it('says so when the position source goes silent instead of repeating stale data', async () => {
    const clock = new ManualClock(START);
    let fix = { time: START, latitude: 52, longitude: 13, altitudeGeo: 100, status: 'airborne' as const };
    const scheduler = new Scheduler({ identity: loadIdentity(DEMO_IDENTITY_CONFIG), transports: ['ble-legacy'], position: { latest: () => fix }, clock });
    clock.set(START + 900);
    const fresh = scheduler.due().find((t) => t.messageType === 'location')!;
    expect(fresh).toBeDefined();
    clock.set(START + 5000);
    const later = scheduler.due().filter((t) => t.messageType === 'location');
    const { decodeMessage } = await import('@odid/codec');
    const last = decodeMessage(later[later.length - 1]!.payload);
    expect(last).toMatchObject({ type: 'location', status: 4, latitude: 0, longitude: 0, altitudeGeo: -1000, speedHorizontal: 255, timestamp: 65535 });
    fix = { ...fix, time: START + 5000 };
    clock.set(START + 5600);
    const back = decodeMessage(scheduler.due().filter((t) => t.messageType === 'location').pop()!.payload);
    expect(back).toMatchObject({ status: 2, latitude: 52, longitude: 13 });
  });
});
