/**
 * Every numeric and enumerated option of every CLI refuses nonsense the same way, in the built programs as
 * users run them: exit 2, nothing on stdout, one line on stderr naming the program, the option, the value
 * (quoted, escaped, cut short) and what is expected — before anything starts, so nothing runs forever
 * (`--duration 1e309`), floods warnings (`--speed 0`) or silently runs for no time (`--duration abc`).
 */
import { spawn } from 'node:child_process';
import { availableParallelism } from 'node:os';
import { describe, expect, it } from 'vitest';
import { builtProgram, type Program } from '../support/built.js';
import { repoRoot } from '../support/fixtures.js';

interface Outcome {
  status: number | null;
  stdout: string;
  stderr: string;
  ms: number;
}

/** Runs a built program without blocking the test process (so that cases run side by side); stdin closed. */
function runAsync(name: Program, args: string[], timeoutMs = 15_000): Promise<Outcome> {
  return new Promise((resolve) => {
    const started = Date.now();
    const child = spawn(process.execPath, [builtProgram(name), ...args], { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    // Keep only the start of a flood: a case that fails may print without end.
    child.stdout.on('data', (d: Buffer) => void (stdout.length < 4096 && (stdout += d.toString('utf8'))));
    child.stderr.on('data', (d: Buffer) => void (stderr.length < 65_536 && (stderr += d.toString('utf8'))));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('close', (status) => {
      clearTimeout(timer);
      resolve({ status, stdout, stderr, ms: Date.now() - started });
    });
  });
}

/** Runs every case, a few at a time. */
async function runAll<T>(cases: T[], run: (c: T) => Promise<Outcome>): Promise<Outcome[]> {
  const out: Outcome[] = new Array(cases.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < cases.length) {
      const i = next++;
      out[i] = await run(cases[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.max(2, Math.min(4, availableParallelism())) }, worker));
  return out;
}

/** A program, its arguments, the option at fault, and (for some) the exact line expected on stderr. */
type Case = [program: Program, args: string[], option: string, exact?: string];

// Each program's other arguments are valid and short, so that a case whose option were accepted would run
// (and fail the test by its exit code), never wait on stdin or hardware.
const BROADCAST = ['--dry-run', '--clock', 'simulated', '--duration', '1'];
const SCAN = ['--sim', '--fast', '--once', '--duration', '5'];
const broadcast = (option: string, value: string, exact?: string): Case => ['rid-broadcast', [...BROADCAST, option, value], option, exact];
const scan = (option: string, value: string, exact?: string): Case => ['rid-scan', [...SCAN, option, value], option, exact];
const decode = (option: string, value: string, exact?: string): Case => ['odid', ['decode', option, value, '/dev/null'], option, exact];
const encode = (option: string, value: string, exact?: string): Case => ['odid', ['encode', '--pcapng', '/dev/null', option, value, '/dev/null'], option, exact];

// A representative set (the parsers' unit tests go through the values one by one): every option, the
// values reported in the issue, and the message in full for one of each kind of rule.
const CASES: Case[] = [
  // odid decode
  decode('--format', 'xml', 'odid: --format must be one of jsonl, table (got "xml")'),
  decode('--filter', 'location,bogus'),
  decode('--transport', 'ble'),
  decode('--mac', 'zz:zz:zz:zz:zz:zz'),
  // odid encode
  encode('--interval', '-5', 'odid: --interval must be a number of milliseconds > 0 and ≤ 3600000 (got "-5")'),
  encode('--interval', 'NaN'),
  encode('--transport', 'lora'),
  encode('--mac', 'not-an-address'),
  encode('--start', 'yesterday', 'odid: --start must be an ISO 8601 time or seconds since the epoch, from 1970-01-01 to 9999-12-31 (got "yesterday")'),
  // rid-broadcast
  broadcast('--duration', '1e309', 'rid-broadcast: --duration must be a number of seconds > 0 and ≤ 604800 (got "1e309")'),
  broadcast('--duration', '-1'),
  broadcast('--duration', 'abc'),
  broadcast('--duration', '0'),
  broadcast('--rate', '0'),
  broadcast('--rate', '11'),
  broadcast('--hci', '', 'rid-broadcast: --hci must be a Bluetooth controller: N or hciN with N 0..9999 (got "")'),
  broadcast('--hci', '1.5'),
  broadcast('--transport', 'lora', 'rid-broadcast: --transport must be one or more of ble-legacy, ble-extended, wifi-beacon, wifi-nan (comma separated) (got "lora")'),
  broadcast('--wifi-mode', 'monitor'),
  broadcast('--clock', 'fast'),
  broadcast('--start', '2010-01-01T00:00:00Z'),
  broadcast('--wifi', 'wlan/../../x'),
  // A hostile value: shown escaped, and cut short however long it is.
  broadcast('--rate', '9'.repeat(5000), 'rid-broadcast: --rate must be a number of Hz ≥ 1 and ≤ 10 (got "999999999999999999999999999999999999999999999999…[4952 more]")'),
  // rid-scan
  scan('--speed', '0', 'rid-scan: --speed must be a number > 0 and ≤ 1000 (got "0")'),
  scan('--speed', '-1'),
  scan('--speed', '\u001b[2J\u001b]0;pwned\u0007', 'rid-scan: --speed must be a number > 0 and ≤ 1000 (got "\\u001b[2J\\u001b]0;pwned\\u0007")'),
  scan('--duration', '-1'),
  scan('--duration', 'NaN'),
  scan('--duration', '1e309'),
  scan('--stale', '0'),
  scan('--lost', '-1'),
  scan('--history', '0'),
  scan('--history', '1.5', 'rid-scan: --history must be a whole number of positions ≥ 1 and ≤ 100000 (got "1.5")'),
  scan('--forget', '-5'),
  scan('--sort', 'speed', 'rid-scan: --sort must be one of distance, id, last, rssi, first (got "speed")'),
  scan('--wifi-mode', 'promiscuous'),
  scan('--channels', '6,abc'),
  scan('--ble', ''),
  scan('--wifi', 'wlan1 mon'),
];

describe('bad option values (built programs)', () => {
  it('every option of every CLI: exit 2, one line naming the option and the value, nothing on stdout', async () => {
    const outcomes = await runAll(CASES, ([program, args]) => runAsync(program, args));
    const problems: string[] = [];
    CASES.forEach(([program, args, option, exact], i) => {
      const r = outcomes[i]!;
      const lines = r.stderr.trimEnd().split('\n');
      const ok =
        r.status === 2 &&
        r.stdout === '' &&
        lines.length === 1 &&
        lines[0]!.startsWith(`${program}: ${option} must be `) &&
        / \(got ".*"\)$/.test(lines[0]!) &&
        !/[\u0000-\u001f\u007f]/.test(lines[0]!) &&
        (exact === undefined || lines[0] === exact);
      if (!ok) problems.push(`${program} ${JSON.stringify(args).slice(0, 200)}: exit ${r.status} after ${r.ms} ms, stdout ${r.stdout.length} chars, stderr ${JSON.stringify(r.stderr.slice(0, 300))}`);
    });
    expect(problems).toEqual([]);
  }, 180_000);

  it("commander's own usage errors exit 2 too, on one line, named after the program", async () => {
    const cases: Case[] = [
      ['odid', ['decode', '--bogus', '/dev/null'], '--bogus'],
      ['odid', ['frobnicate'], 'frobnicate'],
      ['odid', ['encode'], 'file'],
      ['rid-broadcast', ['--bogus'], '--bogus'],
      ['rid-broadcast', ['--duration'], '--duration'],
      ['rid-scan', ['--bogus'], '--bogus'],
      ['rid-scan', ['--speed'], '--speed'],
    ];
    const outcomes = await runAll(cases, ([program, args]) => runAsync(program, args));
    cases.forEach(([program, , named], i) => {
      const r = outcomes[i]!;
      expect(r.status, r.stderr).toBe(2);
      expect(r.stderr.trimEnd().split('\n'), r.stderr).toHaveLength(1);
      expect(r.stderr).toMatch(new RegExp(`^${program}: .*${named}`));
    });
  });

  it('--help shows the ranges and units (and exits 0)', async () => {
    const [scan, broadcast, encode] = await runAll([['rid-scan'], ['rid-broadcast'], ['odid', 'encode']], ([program, ...args]) => runAsync(program as Program, [...args, '--help']));
    // Help is wrapped to the terminal: compare with the line breaks taken out.
    const flat = (r: Outcome): string => (expect(r.status).toBe(0), r.stdout.replace(/\s+/g, ' '));
    expect(flat(scan!)).toContain('--speed <factor> replay: play N times faster than recorded (> 0 and ≤ 1000)');
    expect(flat(scan!)).toContain('--duration <seconds> stop after this many seconds (> 0 and ≤ 604800, a week;');
    expect(flat(scan!)).toContain('--history <points> positions kept per track for its line in --out exports, oldest dropped first (1..100000)');
    expect(flat(broadcast!)).toContain('--rate <hz> Location messages per second on each transport (1..10)');
    expect(flat(broadcast!)).toContain('--config <file> identity (JSON or YAML, at most 1 MiB)');
    expect(flat(encode!)).toContain('--interval <ms> with --pcapng: milliseconds between transmissions (> 0 and ≤ 3600000)');
    expect(flat(encode!)).toContain('(at most 64 MiB)');
  });
});
