/**
 * The registry of position-source forms: every entry makes a source from its own example, the help lists
 * every entry, and a spec no entry fits is refused with every registered form named.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../src/clock.js';
import { createPositionSource, findPositionScheme, POSITION_SCHEMES, positionSourcesHelp, PositionSpecError, toNmea } from '../src/index.js';

const clock = new ManualClock(Date.UTC(2025, 5, 1, 12, 0, 0));
const dir = mkdtempSync(join(tmpdir(), 'odid-registry-'));
const cwd = process.cwd();
// The examples name files relative to where the CLI runs (sim:route.json, nmea:track.nmea): run here.
beforeAll(() => {
  writeFileSync(join(dir, 'route.json'), JSON.stringify({ name: 'field', speed: 6, loop: true, waypoints: [{ lat: 1, lon: 1, alt: 20 }, { lat: 1.001, lon: 1, alt: 20 }] }));
  writeFileSync(join(dir, 'track.nmea'), toNmea({ time: clock.now(), latitude: 47, longitude: 7.5 }).join('\r\n') + '\r\n');
  process.chdir(dir);
});
afterAll(() => {
  process.chdir(cwd);
  rmSync(dir, { recursive: true, force: true });
});

describe('POSITION_SCHEMES', () => {
  it('every entry makes a source from its own example, and is the entry that example finds', () => {
    for (const entry of POSITION_SCHEMES) {
      expect(findPositionScheme(entry.example), entry.syntax).toBe(entry);
      const source = createPositionSource(entry.example, { clock, stdin: new PassThrough() });
      expect(typeof source.start, entry.example).toBe('function');
      expect(source.name.length, entry.example).toBeGreaterThan(0);
    }
  });

  it('every entry has a syntax of its kind, a one-line description and an example', () => {
    const syntaxes = new Set<string>();
    for (const e of POSITION_SCHEMES) {
      expect(e.syntax.toLowerCase().startsWith(e.scheme), e.syntax).toBe(true);
      expect(e.description, e.syntax).toMatch(/^[^\n]{10,}$/);
      expect(e.example.trim(), e.syntax).toBe(e.example);
      expect(syntaxes.has(e.syntax), e.syntax).toBe(false);
      syntaxes.add(e.syntax);
    }
  });

  it('the help has one line per entry with its syntax and description', () => {
    const help = positionSourcesHelp();
    for (const e of POSITION_SCHEMES) {
      const at = help.indexOf(`  ${e.syntax}`);
      expect(at, e.syntax).toBeGreaterThanOrEqual(0);
      expect(help.slice(at).replace(/\s+/g, ' '), e.syntax).toMatch(new RegExp(`^ ${escape(e.syntax)} ${escape(e.description)}`));
    }
  });

  it('an unknown scheme is refused with every registered form', () => {
    let error: unknown;
    try {
      createPositionSource('nmea+udp://:10110', { clock });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(PositionSpecError);
    expect((error as PositionSpecError).code).toBe('unknown-scheme');
    expect((error as PositionSpecError).fix).toBe(`use one of ${POSITION_SCHEMES.map((e) => e.syntax).join(', ')}`);
    expect((error as Error).message).toMatch(/^position source 'nmea\+udp:\/\/:10110': unknown kind of source; use one of gpsd:\/\/host:port, /);
  });
});

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}
