/**
 * Role: the position package's NMEA 0183 parser and fix assembler (packages/position/src/sources/nmea-parse.ts,
 * nmea-assemble.ts) as a coverage target: the lines of the input, each parsed (a sentence, or an NmeaError and
 * nothing else), the sentences fed to one assembler as NmeaSource does. Sentences keep their fields in range
 * (latitude, longitude, time of day); every fix is well-formed: finite numbers, latitude and longitude in
 * range, speeds and accuracies not negative, a direction in [0, 360).
 *
 * Seeds: NMEA written by the package's own writer (toNmea) for fixes around the globe and across midnight,
 * and the textbook GGA sentence its tests use. Structure-aware mutation repairs the checksum of most lines,
 * so that they reach the field parsers.
 */

import { ManualClock, NmeaError, NmeaFixAssembler, nmeaChecksum, parseNmeaSentence, toNmea, type Fix, type NmeaSentence } from '@odid/position';
import type { CoverageTarget } from '../../packages/codec/scripts/fuzz/coverage-target.js';
import { safeJson } from '../../packages/codec/scripts/fuzz/report.js';
import { bytesOf, mutateLines, textOf } from './line-mutator.js';

const DAY = 86_400_000;

function nmeaSeeds(): Uint8Array[] {
  const start = Date.UTC(2025, 5, 1, 23, 59, 58);
  const places: Partial<Fix>[] = [
    { latitude: 45.539309, longitude: -122.966389, altitudeGeo: 110, speedHorizontal: 5.5, direction: 216, horizontalAccuracy: 3, verticalAccuracy: 4 },
    { latitude: -33.8688, longitude: 151.2093, altitudeGeo: -20, speedHorizontal: 0, direction: 0 },
    { latitude: 89.99999, longitude: 179.99999, altitudeGeo: 8000 },
    { latitude: 0, longitude: 0 },
  ];
  const seeds: string[] = [];
  places.forEach((p, i) => {
    const lines: string[] = [];
    // A few epochs a second apart (across midnight for the first), as a receiver sends them.
    for (let k = 0; k < 4; k++) {
      const fix = { time: start + i * DAY / 3 + k * 1000, latitude: 0, longitude: 0, ...p, ...(p.altitudeGeo !== undefined ? { altitudeGeo: p.altitudeGeo + k } : {}) } as Fix;
      lines.push(...toNmea(fix, { talker: i % 2 ? 'GN' : 'GP', geoidSeparation: i * 10 - 15 }));
    }
    seeds.push(lines.join('\r\n') + '\r\n');
  });
  seeds.push('$GPGGA,123519,4807.038,N,01131.000,E,1,08,0.9,545.4,M,46.9,M,,*47\n');
  // The pre-2.3 VTG layout without unit letters, and a proprietary sentence.
  const body = 'GPVTG,054.7,,034.4,,005.5,,010.2,';
  seeds.push(`$${body}*${nmeaChecksum(body)}\n$PUBX,00,123519.00*00\n`);
  return seeds.map(bytesOf);
}

/** A line's checksum made right again (what a mutation broke), when it has the $...* shape. */
function repairChecksum(line: string): string {
  const m = /^(\s*\$)([^*]*)\*[^\r]*(\r?)$/.exec(line);
  return m ? `${m[1]}${m[2]}*${nmeaChecksum(m[2]!)}${m[3]}` : line;
}

const finite = (v: unknown): boolean => v === undefined || (typeof v === 'number' && Number.isFinite(v));

function checkSentence(s: NmeaSentence): string | undefined {
  const o = s as unknown as Record<string, unknown>;
  for (const [k, v] of Object.entries(o)) if (typeof v === 'number' && !Number.isFinite(v)) return `${k} ${v}`;
  if (o.latitude !== undefined && Math.abs(o.latitude as number) > 90) return `latitude ${String(o.latitude)}`;
  if (o.longitude !== undefined && Math.abs(o.longitude as number) > 180) return `longitude ${String(o.longitude)}`;
  if (o.timeOfDay !== undefined && ((o.timeOfDay as number) < 0 || (o.timeOfDay as number) > DAY + 1000)) return `timeOfDay ${String(o.timeOfDay)}`;
  return undefined;
}

function checkFix(f: Fix): string | undefined {
  if (!Number.isFinite(f.time)) return `time ${f.time}`;
  if (!Number.isFinite(f.latitude) || Math.abs(f.latitude) > 90) return `latitude ${f.latitude}`;
  if (!Number.isFinite(f.longitude) || Math.abs(f.longitude) > 180) return `longitude ${f.longitude}`;
  for (const k of ['altitudeGeo', 'altitudeBaro', 'height', 'speedVertical'] as const) if (!finite(f[k])) return `${k} ${f[k]}`;
  for (const k of ['speedHorizontal', 'horizontalAccuracy', 'verticalAccuracy', 'speedAccuracy'] as const) {
    if (!finite(f[k]) || (f[k] ?? 0) < 0) return `${k} ${f[k]}`;
  }
  if (f.direction !== undefined && !(f.direction >= 0 && f.direction < 360)) return `direction ${f.direction}`;
  return undefined;
}

export function nmeaTarget(): CoverageTarget {
  return {
    name: 'nmea',
    maxLength: 8192,
    seeds: nmeaSeeds,
    exec(input) {
      const assembler = new NmeaFixAssembler({ clock: new ManualClock(Date.UTC(2025, 5, 1, 12)) });
      const fixes: Fix[] = [];
      for (const line of textOf(input).split('\n')) {
        let s: NmeaSentence;
        try {
          s = parseNmeaSentence(line);
        } catch (e) {
          if (e instanceof NmeaError) continue;
          throw e;
        }
        const bad = checkSentence(s);
        if (bad) return `sentence ${safeJson(s)}: ${bad}`;
        fixes.push(...assembler.push(s));
      }
      const last = assembler.flush();
      if (last) fixes.push(last);
      for (const f of fixes) {
        const bad = checkFix(f);
        if (bad) return `fix ${safeJson(f)}: ${bad}`;
      }
      return undefined;
    },
    mutate: (rng, parent, corpus) => mutateLines(rng, parent, corpus, repairChecksum),
  };
}
