/**
 * A real spoofer's replay, from the external corpus: llorencroma/DJIDroneIDspoofer's replay_mavic.py, whose
 * records were captured from a DJI Mavic Air without a GPS fix (serial 0K1CG6G3AH8V2M, position 0/0, the
 * pilot's app at 46.76 N 7.60 E, GPS time 2020-12-03T12:43:09.061Z, sequence 1613). The script puts the
 * telemetry record (0x10) in a beacon from 60:60:1f:97:f0:85 and sends that same frame every 0.3 s; it also
 * builds a beacon with the flight-purpose record (0x11), whose serial reads 3K1CG6G3AH8V2M, but does not
 * send it. What fires, and why:
 * - timestamp-mismatch: the GPS time never moves. Replayed later it is years before its reception; replayed
 *   at the very time it was captured, it falls more than 30 s behind after 30 s.
 * - nothing else: the drone's position is 0/0 (no fix), which is no position, so motion, spread, operator
 *   distance and signal cannot be judged; the sequence number repeats (a repeat, not a step back); one
 *   address sends one serial.
 * - id-cycling as well, when the flight-purpose beacon is sent too (as the script's packet_list suggests):
 *   one address then sends two DJI serials.
 * Skipped, with the reason, without the corpus.
 */
import { readFileSync } from 'node:fs';
import { describe, expect } from 'vitest';
import { corpusPath, itCorpus } from '../../../test/support/fixtures.js';
import { isSpoofFlag, type SpoofEvidence, type Track } from '../src/tracker/index.js';
import { RECEIVER, Scene, Scripted, T0_MS, beaconWith, type AirRecord } from './spoofing-scene.js';

const MAC = '60:60:1f:97:f0:85';
const DJI_OUI = [0x26, 0x37, 0x12];
/** The GPS time in the captured telemetry record. */
const CAPTURED_GPS_TIME_MS = Date.UTC(2020, 11, 3, 12, 43, 9, 61);

/** The two vendor element bodies of the extract (after the OUI), by name. */
function records(): Map<string, number[]> {
  const out = new Map<string, number[]>();
  for (const line of readFileSync(corpusPath('llorencroma+DJIDroneIDspoofer', 'extracted', 'replay_mavic.hex'), 'utf8').split('\n')) {
    const [name, , hex] = line.split('\t');
    if (!line.startsWith('#') && name && hex) out.set(name, Array.from(Buffer.from(hex, 'hex')));
  }
  return out;
}

/** The script's loop: `bodies` in turn, one beacon every 0.3 s from `startMs` for `seconds`. */
function replay(bodies: number[][], startMs: number, seconds: number): AirRecord[] {
  const out: AirRecord[] = [];
  for (let k = 0; k * 300 < seconds * 1000; k++) out.push(beaconWith(MAC, DJI_OUI, bodies[k % bodies.length]!, (startMs + k * 300) / 1000));
  return out;
}

function heard(frames: AirRecord[], seconds: number): Scene {
  const scene = new Scene({}, RECEIVER);
  scene.clock.set(Math.round(frames[0]!.t * 1000));
  scene.add(new Scripted(scene.clock, frames));
  scene.run(seconds);
  return scene;
}

const spoofFlags = (t: Track): string[] => t.flags.filter(isSpoofFlag);
const evidence = (t: Track, flag: string): SpoofEvidence => t.spoofing.find((e) => e.flag === flag)!;

describe('DJIDroneIDspoofer replay_mavic.py (external corpus)', () => {
  itCorpus('as the script sends it, replayed in 2025: timestamp-mismatch, the GPS time years before its reception; nothing else', () => {
    const telemetry = records().get('vendor_payload')!;
    const scene = heard(replay([telemetry], T0_MS, 60), 60);
    const [t, ...others] = scene.tracker.tracks();
    expect(others).toEqual([]);
    expect(t!.uasId).toBe('0K1CG6G3AH8V2M');
    // What the record gives: no position (0/0), the pilot's app position, the same sequence number every time.
    expect(t!.position).toBeUndefined();
    expect(t!.operator).toMatchObject({ source: 'dji-app' });
    expect(t!.links.get(`dji-wifi ${MAC}`)!.counters.get('dji')!.snapshot()).toMatchObject({ received: 1, repeats: 199, resets: 0 });
    expect(spoofFlags(t!)).toEqual(['timestamp-mismatch']);
    expect(t!.flags).toContain('spoofing-suspect');
    const e = evidence(t!, 'timestamp-mismatch');
    expect(e.values.skewS).toBeCloseTo((T0_MS + 59_700 - CAPTURED_GPS_TIME_MS) / 1000, 0);
    expect(e.detail).toMatch(/^DJI GPS time \d+\.\d s before its reception \(over 30\.0 s\)$/);
    expect(e.addresses).toEqual([MAC]);
    // Raised by the first frame, and renewed by every one since.
    expect(e.since).toBe(T0_MS);
    expect(e.count).toBe(200);
  });

  itCorpus('replayed at the very time it was captured: the GPS time stands still, and is over 30 s behind after 30 s', () => {
    const telemetry = records().get('vendor_payload')!;
    const early = heard(replay([telemetry], CAPTURED_GPS_TIME_MS, 30), 29.9).tracker.tracks()[0]!;
    expect(spoofFlags(early)).toEqual([]);
    const t = heard(replay([telemetry], CAPTURED_GPS_TIME_MS, 45), 45).tracker.tracks()[0]!;
    expect(spoofFlags(t)).toEqual(['timestamp-mismatch']);
    const e = evidence(t, 'timestamp-mismatch');
    // The first frame past 30 s: 30.3 s after the first.
    expect(e.since).toBe(CAPTURED_GPS_TIME_MS + 30_300);
    expect(e.values.skewS).toBeCloseTo(44.7, 1);
  });

  itCorpus('with the flight-purpose beacon the script builds sent in turn: one address, two DJI serials: id-cycling on both tracks', () => {
    const r = records();
    const scene = heard(replay([r.get('vendor_payload')!, r.get('vendor_payload2')!], T0_MS, 20), 20);
    const tracks = scene.tracker.tracks();
    expect(tracks.map((t) => t.uasId)).toEqual(['0K1CG6G3AH8V2M', '3K1CG6G3AH8V2M']);
    for (const t of tracks) {
      expect(t.flags).toContain('id-cycling');
      const e = evidence(t, 'id-cycling');
      expect(e.ids).toEqual(['0K1CG6G3AH8V2M', '3K1CG6G3AH8V2M']);
      expect(e.addresses).toEqual([MAC]);
      expect(e.detail).toMatch(/^60:60:1f:97:f0:85 sent 2 DJI serials in \d+\.\d s: 0K1CG6G3AH8V2M, 3K1CG6G3AH8V2M$/);
    }
    // The purpose record carries no time: only the telemetry's track has timestamp-mismatch.
    expect(spoofFlags(tracks[0]!)).toEqual(['id-cycling', 'timestamp-mismatch']);
    expect(spoofFlags(tracks[1]!)).toEqual(['id-cycling']);
  });
});
