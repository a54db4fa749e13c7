/**
 * A reader that quits early (`| head -1`, `| head -c 100`) ends the built programs as it ends `cat`:
 * promptly, nothing on stderr but what the run said before (no stack trace), exit status 141 (128 +
 * SIGPIPE, what a shell reports for cat) — each tool's --help says so. rid-scan finishes its other outputs
 * first. Real pipes: the program's stdout goes straight into a `head` process.
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectNoStackTrace, lines, makeCapture, pipeInto, run, scratchDir } from '../support/faults.js';

const work = scratchDir();
const capture = work.file('big.pcapng');
/** What a shell shows for a program killed by SIGPIPE, and what the tools exit with instead. */
const STDOUT_CLOSED = 141;

// Ten minutes of the demo flight: ~19,000 messages, megabytes of JSONL (far more than a pipe holds).
beforeAll(() => void makeCapture(capture, 600));
afterAll(() => work.cleanup());

describe('a closed stdout ends the program quietly, exit 141', () => {
  it('odid decode big.pcapng | head -1', async () => {
    const r = await pipeInto('odid', ['decode', capture], ['head', '-1']);
    expectNoStackTrace(r.stderr);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(STDOUT_CLOSED);
    expect(JSON.parse(r.readerOutput).message.type).toBeDefined();
  });

  it('rid-scan --replay big.pcapng --jsonl - --out tracks.geojson | head -1: the export is still written', async () => {
    const geo = work.file('tracks.geojson');
    const r = await pipeInto('rid-scan', ['--replay', capture, '--fast', '--once', '--jsonl', '-', '--out', geo], ['head', '-1']);
    expectNoStackTrace(r.stderr);
    expect(r.status, r.stderr).toBe(STDOUT_CLOSED);
    expect(lines(r.stderr)).toEqual([`rid-scan: wrote ${geo}`]);
    expect(JSON.parse(r.readerOutput).transport).toBeDefined();
    expect(JSON.parse(readFileSync(geo, 'utf8')).features.length).toBeGreaterThan(0);
  });

  it('rid-scan --sim --fast --jsonl - over a simulated week | head -c 100: ends, not after the week', async () => {
    const r = await pipeInto('rid-scan', ['--sim', '--fast', '--once', '--duration', '600000', '--jsonl', '-'], ['head', '-c', '100']);
    expectNoStackTrace(r.stderr);
    expect(r.status, r.stderr).toBe(STDOUT_CLOSED);
    expect(r.readerOutput).toHaveLength(100);
  });

  it('rid-broadcast --clock simulated --duration (a week) --pcapng - | head -c 100', async () => {
    const r = await pipeInto('rid-broadcast', ['--clock', 'simulated', '--duration', '600000', '--pcapng', '-'], ['head', '-c', '100']);
    expectNoStackTrace(r.stderr);
    expect(r.status, r.stderr).toBe(STDOUT_CLOSED);
    expect(r.stderr).not.toMatch(/EPIPE|Error/);
    expect(r.readerOutput.length).toBe(100);
  });

  it('rid-broadcast --dry-run | head -1', async () => {
    const r = await pipeInto('rid-broadcast', ['--clock', 'simulated', '--duration', '600000', '--dry-run'], ['head', '-1']);
    expectNoStackTrace(r.stderr);
    expect(r.status, r.stderr).toBe(STDOUT_CLOSED);
    expect(JSON.parse(r.readerOutput).transport).toBeDefined();
  });

  it('any other stdout failure (> /dev/full) is one line and exit 1', async () => {
    const { spawnSync } = await import('node:child_process');
    const { builtProgram } = await import('../support/built.js');
    const r = spawnSync('sh', ['-c', `"${process.execPath}" "${builtProgram('odid')}" decode "${capture}" > /dev/full`], { encoding: 'utf8', timeout: 30_000 });
    expectNoStackTrace(r.stderr);
    expect(r.status).toBe(1);
    expect(lines(r.stderr)).toEqual([expect.stringMatching(/^odid: cannot write to stdout: ENOSPC/)]);
  });

  it('each tool documents the exit status', () => {
    const flat = (args: [Parameters<typeof run>[0], string[]]): string => run(...args).stdout.toString('utf8').replace(/\s+/g, ' ');
    expect(flat(['odid', ['decode', '--help']])).toMatch(/reader of stdout quits early \(\| head\), odid stops quietly with exit code 141/);
    expect(flat(['rid-scan', ['--help']])).toMatch(/141 stdout was closed early \(a reader such as head quit\)/);
    expect(flat(['rid-broadcast', ['--help']])).toMatch(/141 stdout was closed early \(a reader such as head quit\)/);
  });
});
