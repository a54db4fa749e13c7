/**
 * An output never overwrites its own input, and an existing file is only replaced as the policy of its
 * option says (each tool's --help names it):
 * - exports written at the end (rid-scan --out .geojson/.kml, odid encode --pcapng): written to a temporary
 *   file beside the target and renamed over it once complete;
 * - outputs written as the run goes (rid-scan --record/--pcapng/--jsonl/--out .jsonl, rid-broadcast
 *   --pcapng): an existing non-empty file is refused unless --force is given.
 * An output that is an input — the same file, through a symlink, a hard link or stdin — is refused before
 * anything is opened (same device and inode), and so are two outputs naming one file.
 */
import { linkSync, readdirSync, readFileSync, statSync, symlinkSync, writeFileSync, chmodSync, copyFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repoRoot } from '../support/fixtures.js';
import { lines, makeCapture, run, scratchDir } from '../support/faults.js';

const work = scratchDir();
const capture = work.file('a.pcap');
let captureBytes: Buffer;

beforeAll(() => {
  makeCapture(capture, 30);
  captureBytes = readFileSync(capture);
  symlinkSync(capture, work.file('link.pcap'));
  linkSync(capture, work.file('hard.pcap'));
  // A capture whose name looks like an export.
  copyFileSync(capture, work.file('capture.kml'));
  writeFileSync(work.file('in.jsonl'), '{"type":"selfId","descType":0,"desc":"Survey flight"}\n');
});
afterAll(() => work.cleanup());

const unchanged = (file: string, bytes: Buffer): void => expect(readFileSync(file).equals(bytes)).toBe(true);
const refusal = (option: string, file: string, input: string): RegExp =>
  new RegExp(`^rid-scan: ${option} ${file.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}: is the (input \\(--replay ${input.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}\\)|file on standard input \\(--replay -\\)); refusing to write over what is being read$`);

describe('an output that is the input is refused before anything is opened', () => {
  it('rid-scan --replay a.pcap --record a.pcap (the capture used to shrink to 34 bytes)', () => {
    const r = run('rid-scan', ['--replay', capture, '--fast', '--once', '--record', capture]);
    expect(r.status).toBe(2);
    expect(lines(r.stderr)).toEqual([expect.stringMatching(refusal('--record', capture, capture))]);
    unchanged(capture, captureBytes);
  });

  it('through a symlink or a hard link, for every output option', () => {
    const cases: [string[], string, string][] = [
      [['--replay', work.file('link.pcap'), '--pcapng', capture], '--pcapng', work.file('link.pcap')],
      [['--replay', capture, '--jsonl', work.file('hard.pcap')], '--jsonl', capture],
      [['--replay', work.file('capture.kml'), '--out', work.file('capture.kml')], '--out', work.file('capture.kml')],
    ];
    for (const [args, option, input] of cases) {
      const r = run('rid-scan', [...args, '--fast', '--once']);
      expect(r.status, r.stderr).toBe(2);
      expect(lines(r.stderr)).toEqual([expect.stringMatching(refusal(option, args[3]!, input))]);
    }
    unchanged(capture, captureBytes);
  });

  it('stdin redirected from the output file (rid-scan --replay - --record a.pcap < a.pcap)', async () => {
    const { spawnSync } = await import('node:child_process');
    const { builtProgram } = await import('../support/built.js');
    const r = spawnSync('sh', ['-c', `"${process.execPath}" "${builtProgram('rid-scan')}" --replay - --fast --once --pcapng "${capture}" < "${capture}"`], { encoding: 'utf8' });
    expect(r.status).toBe(2);
    expect(lines(r.stderr)).toEqual([expect.stringMatching(refusal('--pcapng', capture, '-'))]);
    unchanged(capture, captureBytes);
  });

  it('rid-broadcast --config X --pcapng X, and odid encode F --pcapng F (through a symlink)', () => {
    const config = work.file('identity.yaml');
    copyFileSync(path.join(repoRoot, 'packages/broadcaster/examples/eu-open.yaml'), config);
    const configBytes = readFileSync(config);
    const b = run('rid-broadcast', ['--config', config, '--clock', 'simulated', '--duration', '10', '--pcapng', config, '--force']);
    expect(b.status).toBe(2);
    expect(lines(b.stderr)).toEqual([`rid-broadcast: --pcapng ${config}: is the input (--config ${config}); refusing to write over what is being read`]);
    unchanged(config, configBytes);

    const input = work.file('in.jsonl');
    symlinkSync(input, work.file('in-link.jsonl'));
    const e = run('odid', ['encode', work.file('in-link.jsonl'), '--pcapng', input, '--transport', 'wifi-beacon']);
    expect(e.status).toBe(2);
    expect(lines(e.stderr)).toEqual([`odid: --pcapng ${input}: is the input (odid encode ${work.file('in-link.jsonl')}); refusing to write over what is being read`]);
    expect(readFileSync(input, 'utf8')).toBe('{"type":"selfId","descType":0,"desc":"Survey flight"}\n');
  });

  it('two outputs naming one file', () => {
    const r = run('rid-scan', ['--replay', capture, '--fast', '--once', '--record', work.file('twice'), '--pcapng', work.file('twice')]);
    expect(r.status).toBe(2);
    expect(lines(r.stderr)).toEqual([`rid-scan: --pcapng ${work.file('twice')}: is also --record ${work.file('twice')}; give each output its own file`]);
  });
});

describe('existing files: replaced whole at the end, or refused without --force', () => {
  it('rid-scan streams (--record, --pcapng, --jsonl, --out .jsonl) refuse an existing file; --force overwrites it', () => {
    for (const [option, name] of [['--record', 'old.cbor'], ['--pcapng', 'old.pcapng'], ['--jsonl', 'old.jsonl'], ['--out', 'old-updates.jsonl']] as const) {
      const file = work.file(name);
      writeFileSync(file, 'precious\n');
      const r = run('rid-scan', ['--replay', capture, '--fast', '--once', option, file]);
      expect(r.status).toBe(2);
      expect(lines(r.stderr)).toEqual([`rid-scan: ${option} ${file}: already exists (9 bytes); give --force to overwrite it, or another name`]);
      expect(readFileSync(file, 'utf8')).toBe('precious\n');
      const forced = run('rid-scan', ['--replay', capture, '--fast', '--once', option, file, '--force']);
      expect(forced.status, forced.stderr).toBe(0);
      expect(statSync(file).size).toBeGreaterThan(100);
    }
    // An empty file (mktemp's) holds nothing to lose.
    writeFileSync(work.file('empty.cbor'), '');
    expect(run('rid-scan', ['--replay', capture, '--fast', '--once', '--record', work.file('empty.cbor')]).status).toBe(0);
  });

  it('rid-broadcast --pcapng refuses an existing file; --force overwrites it', () => {
    const file = work.file('air.pcapng');
    writeFileSync(file, 'precious\n');
    const r = run('rid-broadcast', ['--clock', 'simulated', '--duration', '10', '--pcapng', file]);
    expect(r.status).toBe(2);
    expect(lines(r.stderr)).toEqual([`rid-broadcast: --pcapng ${file}: already exists (9 bytes); give --force to overwrite it, or another name`]);
    expect(readFileSync(file, 'utf8')).toBe('precious\n');
    expect(run('rid-broadcast', ['--clock', 'simulated', '--duration', '10', '--pcapng', file, '--force']).status).toBe(0);
    expect(readFileSync(file).readUInt32LE(0)).toBe(0x0a0d0d0a);
  });

  it('exports written at the end replace an existing file whole, keep its mode, and leave no temporary file', () => {
    const geo = work.file('tracks.geojson');
    const kml = work.file('tracks.kml');
    writeFileSync(geo, 'old\n');
    chmodSync(geo, 0o640);
    writeFileSync(kml, 'old\n');
    // A second name for the old file: it keeps the old bytes, since the new file is renamed over the name
    // instead of the old one being truncated and rewritten in place.
    linkSync(geo, work.file('tracks-before.geojson'));
    const r = run('rid-scan', ['--replay', capture, '--fast', '--once', '--out', geo, '--out', kml]);
    expect(r.status, r.stderr).toBe(0);
    expect(readFileSync(work.file('tracks-before.geojson'), 'utf8')).toBe('old\n');
    expect(JSON.parse(readFileSync(geo, 'utf8')).type).toBe('FeatureCollection');
    expect(statSync(geo).mode & 0o777).toBe(0o640);
    expect(readFileSync(kml, 'utf8')).toMatch(/^<\?xml/);
    const pcapng = work.file('encoded.pcapng');
    writeFileSync(pcapng, 'old\n');
    linkSync(pcapng, work.file('encoded-before.pcapng'));
    const e = run('odid', ['encode', work.file('in.jsonl'), '--pcapng', pcapng, '--transport', 'wifi-beacon']);
    expect(e.status, e.stderr).toBe(0);
    expect(readFileSync(pcapng).readUInt32LE(0)).toBe(0x0a0d0d0a);
    expect(readFileSync(work.file('encoded-before.pcapng'), 'utf8')).toBe('old\n');
    expect(readdirSync(work.dir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });

  it('each policy is in --help', () => {
    const help = (name: 'odid' | 'rid-broadcast' | 'rid-scan', args: string[]): string => run(name, args).stdout.toString('utf8').replace(/\s+/g, ' ');
    const scan = help('rid-scan', ['--help']);
    expect(scan).toContain('--out <file> export the tracks: FILE.geojson or FILE.kml (an existing file is replaced once the new one is complete), or FILE.jsonl (written as the run goes; an existing non-empty file needs --force); repeatable');
    expect(scan).toContain('--record <file> record the raw frames for an exact replay: FILE (written as the run goes; an existing non-empty file needs --force)');
    expect(scan).toContain('--force let --out FILE.jsonl, --jsonl, --record and --pcapng overwrite an existing file');
    expect(help('rid-broadcast', ['--help'])).toMatch(/--pcapng <file> .*\(written as the run goes; an existing non-empty file needs --force\)/);
    expect(help('odid', ['encode', '--help'])).toMatch(/--pcapng <file> .*an existing file is replaced once the new one is complete/);
  });
});
