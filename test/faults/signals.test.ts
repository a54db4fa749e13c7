/**
 * SIGINT and SIGTERM, sent to the process group as a terminal does, stop the built programs within a
 * second, with every output finished (files that read back whole, exports written) and nothing said after
 * the closing summary. Long loops (a simulated clock, a fast simulation) give the event loop a turn, and a
 * replay from a pipe does not wait for its writer to close it.
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBuilt } from '../support/built.js';
import { ended, expectNoStackTrace, interrupt, killGroup, lines, makeCapture, run, scratchDir, sizeOf, until } from '../support/faults.js';

const work = scratchDir();
const capture = work.file('flight.pcapng');
/**
 * "Within a second" of work; the bound leaves room for a loaded test machine (several test files run at
 * once). Without the fixes these programs ran on for hours (a simulated week) or until stdin closed.
 */
const PROMPT_MS = 3000;
const SUMMARY = /^rid-scan: \d+ frames, \d+ messages/;

beforeAll(() => void makeCapture(capture, 120));
afterAll(() => work.cleanup());

/** A pcapng read back by the built odid with no warning: whole blocks only. */
function expectWholePcapng(file: string): void {
  const r = run('odid', ['decode', file]);
  expect(r.status, r.stderr).toBe(0);
  expect(r.stderr).not.toMatch(/warning/);
  expect(r.stderr).toMatch(/pcapng: \d+ frames/);
  expect(r.stdout.length).toBeGreaterThan(1000);
}

/** A recording read back by the built rid-scan with no warning (not cut short). */
function expectWholeRecording(file: string): number {
  const r = run('rid-scan', ['--replay', file, '--fast', '--once', '--json']);
  expect(r.status, r.stderr).toBe(0);
  expect(r.stderr).not.toMatch(/warning|cut short/);
  return JSON.parse(r.stdout.toString('utf8')).length as number;
}

describe('rid-broadcast --clock simulated: a simulated week into a pcapng stops at once on a signal', () => {
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    it(`${signal}: exits 0 promptly, the pcapng whole`, async () => {
      const file = work.file(`air-${signal}.pcapng`);
      const r = await interrupt('rid-broadcast', ['--clock', 'simulated', '--duration', '600000', '--pcapng', file], () => sizeOf(file) > 200_000, signal);
      expectNoStackTrace(r.stderr);
      expect(r.msAfterSignal).toBeLessThan(PROMPT_MS);
      expect(r.status, r.stderr).toBe(0);
      expect(lines(r.stderr).at(-1)).toMatch(/^rid-broadcast: sent \d+ transmissions$/);
      expectWholePcapng(file);
    });
  }
});

describe('rid-scan stops on a signal with every output finished', () => {
  it('--sim --fast over a simulated week: SIGINT ends it promptly; the recording and the export are whole; the summary comes last', async () => {
    const rec = work.file('sim.cbor');
    const geo = work.file('sim.geojson');
    const r = await interrupt('rid-scan', ['--sim', '--fast', '--once', '--duration', '600000', '--record', rec, '--out', geo], () => sizeOf(rec) > 50_000, 'SIGINT');
    expectNoStackTrace(r.stderr);
    expect(r.msAfterSignal).toBeLessThan(PROMPT_MS);
    expect(r.status, r.stderr).toBe(0);
    expect(lines(r.stderr).at(-1)).toMatch(SUMMARY);
    expect(r.stderr).not.toMatch(/closed/);
    expect(expectWholeRecording(rec)).toBeGreaterThan(0);
    expect(JSON.parse(readFileSync(geo, 'utf8')).features.length).toBeGreaterThan(0);
  });

  it('--replay - from a pipe its writer keeps open: SIGTERM ends it without waiting for stdin', async () => {
    const rec = work.file('pipe.cbor');
    const child = startBuilt('rid-scan', ['--replay', '-', '--fast', '--once', '--record', rec], { stdio: ['pipe', 'pipe', 'pipe'] });
    const end = ended(child, 60_000);
    // Half the capture, and the pipe left open (a tcpdump still running).
    const bytes = readFileSync(capture);
    child.stdin!.write(bytes.subarray(0, bytes.length >> 1));
    await until(child, () => sizeOf(rec) > 20_000);
    const t0 = Date.now();
    killGroup(child, 'SIGTERM');
    const r = await end;
    child.stdin!.destroy();
    expectNoStackTrace(r.stderr);
    expect(Date.now() - t0).toBeLessThan(PROMPT_MS);
    expect(r.status, r.stderr).toBe(0);
    expect(lines(r.stderr).at(-1)).toMatch(SUMMARY);
    expect(expectWholeRecording(rec)).toBe(1);
  });

  it('a paced replay (real time) with --record: SIGINT between two frames; nothing is said after the summary', async () => {
    const rec = work.file('paced.cbor');
    const pcap = work.file('paced.pcapng');
    const r = await interrupt('rid-scan', ['--replay', capture, '--once', '--record', rec, '--pcapng', pcap], () => sizeOf(rec) > 3_000, 'SIGINT');
    expectNoStackTrace(r.stderr);
    expect(r.msAfterSignal).toBeLessThan(PROMPT_MS);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).not.toMatch(/closed/);
    expect(lines(r.stderr)).toEqual([expect.stringMatching(SUMMARY)]);
    expect(expectWholeRecording(rec)).toBe(1);
    expectWholePcapng(pcap);
  });
});
