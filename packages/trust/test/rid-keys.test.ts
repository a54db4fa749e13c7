/**
 * rid-keys: identities are two files, the private key with mode 0600 whatever the umask and never printed;
 * existing files are refused without --force; endorsements verify and carry the validity asked for; show
 * reads every kind of file; bad values and bad files are one line each, exit 2 and 1. Run in-process, and
 * once as a user runs it (through tsx) for the exit codes and streams.
 */
import { chmodSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { generateKeyPairSync } from 'node:crypto';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { detFromText, fromHex } from '@odid/codec';
import { detMatchesHostIdentity, loadKeyPair, readEndorsement, readIdentity, readPrivateKey, verifyEndorsement } from '../src/index.js';
import { runCli } from '../../../test/support/run-cli.js';
import { ridKeys, tempDir } from './support.js';

const NOW = Date.UTC(2026, 5, 1, 12, 0, 0);
const previousUmask = process.umask();
afterEach(() => void process.umask(previousUmask));

/** Every 16-character run of the key's base64 body: none may appear in anything printed. */
function keyFragments(pemFile: string): string[] {
  const body = readFileSync(pemFile, 'utf8').replace(/-----[^-]+-----/g, '').replace(/\s/g, '');
  const out: string[] = [];
  for (let i = 0; i + 16 <= body.length; i += 4) out.push(body.slice(i, i + 16));
  return out;
}

describe('rid-keys create', () => {
  it('writes the key with mode 0600 (umask 000 or 077 alike) and a public identity, printing only the DET and paths', async () => {
    for (const umask of [0o000, 0o077]) {
      process.umask(umask);
      const dir = tempDir('create');
      const r = await ridKeys(['create', '--raa', '16376', '--hda', '1', '--out', dir, '--name', 'ua1'], NOW);
      expect(r.status, r.err.join('\n')).toBe(0);
      expect(r.err).toEqual([]);
      const key = path.join(dir, 'ua1.key.pem');
      const id = path.join(dir, 'ua1.id.json');
      expect(statSync(key).mode & 0o777).toBe(0o600);
      expect(statSync(id).mode & 0o777).toBe(0o644);
      expect(readFileSync(key, 'utf8')).toMatch(/^-----BEGIN PRIVATE KEY-----\n/);
      const identity = readIdentity(id);
      expect(identity).toMatchObject({ name: 'ua1', raa: 16376, hda: 1, suite: 5 });
      expect(detMatchesHostIdentity(identity.det, identity.hi)).toBe(true);
      expect(r.out[0]).toMatch(/^DET 2001:003f:fe00:0105:[0-9a-f]{4}:[0-9a-f]{4}:[0-9a-f]{4}:[0-9a-f]{4}$/);
      expect(detFromText(r.out[0]!.slice(4))).toEqual(identity.det);
      const printed = [...r.out, ...r.err].join('\n');
      expect(printed).not.toMatch(/PRIVATE KEY-----/);
      for (const f of keyFragments(key)) expect(printed).not.toContain(f);
      // The pair loads back, key and identity together.
      expect(loadKeyPair(key).identity.det).toEqual(identity.det);
    }
  });

  it('names the files after the DET hash when no --name is given', async () => {
    const dir = tempDir('noname');
    const r = await ridKeys(['create', '--raa', '1', '--hda', '2', '--out', dir], NOW);
    expect(r.status).toBe(0);
    const det = detFromText(r.out[0]!.slice(4));
    expect(r.out[1]).toBe(`identity ${path.join(dir, `det-${Buffer.from(det.subarray(8)).toString('hex')}.id.json`)}`);
  });

  it('refuses to overwrite without --force (nothing changes), replaces with it', async () => {
    const dir = tempDir('force');
    await ridKeys(['create', '--raa', '1', '--hda', '1', '--out', dir, '--name', 'k'], NOW);
    const key = path.join(dir, 'k.key.pem');
    const before = readFileSync(key, 'utf8');
    const again = await ridKeys(['create', '--raa', '1', '--hda', '1', '--out', dir, '--name', 'k'], NOW);
    expect(again.status).toBe(1);
    expect(again.err).toEqual([`rid-keys: ${key}: already exists. Fix: give --force to replace it, or another name`]);
    expect(readFileSync(key, 'utf8')).toBe(before);
    const forced = await ridKeys(['create', '--raa', '1', '--hda', '1', '--out', dir, '--name', 'k', '--force'], NOW);
    expect(forced.status).toBe(0);
    expect(readFileSync(key, 'utf8')).not.toBe(before);
    expect(statSync(key).mode & 0o777).toBe(0o600);
    expect(loadKeyPair(key).identity.det).toEqual(detFromText(forced.out[0]!.slice(4)));
  });

  it('usage errors: one line, exit 2', async () => {
    const dir = tempDir('usage');
    const cases: Array<[string[], RegExp]> = [
      [['create', '--raa', '16384', '--hda', '1', '--out', dir], /^rid-keys: --raa must be a whole number ≥ 0 and ≤ 16383 \(got "16384"\)$/],
      [['create', '--raa', '1', '--hda', 'x', '--out', dir], /--hda must be a whole number/],
      [['create', '--raa', '1', '--hda', '1', '--out', dir, '--name', '../evil'], /--name must be 1\.\.64 letters/],
      [['create', '--raa', '1', '--hda', '1'], /required option '--out <dir>' not specified/],
      [['endorse', '--parent', 'p', '--child', 'c', '--valid', '0d', '--out', 'o'], /--valid must be a duration from 1s to 3650d/],
      [['endorse', '--parent', 'p', '--child', 'c', '--valid', '3651d', '--out', 'o'], /--valid must be a duration/],
      [['endorse', '--parent', 'p', '--child', 'c', '--valid', '1d', '--start', '2018-01-01', '--out', 'o'], /--start must be an ISO 8601 time/],
      [['frobnicate'], /unknown command 'frobnicate'/],
    ];
    for (const [args, message] of cases) {
      const r = await ridKeys(args, NOW);
      expect(r.status, args.join(' ')).toBe(2);
      expect(r.err, args.join(' ')).toHaveLength(1);
      expect(r.err[0]).toMatch(message);
    }
  });

  it('--help explains the chain and the two files', async () => {
    const r = await ridKeys(['--help']);
    expect(r.status).toBe(0);
    const text = r.out.join('\n');
    expect(text).toMatch(/Usage: rid-keys/);
    expect(text).toContain('Apex -> RAA -> HDA -> UA');
    expect(text).toContain('mode 0600, never printed');
    expect((await ridKeys(['endorse', '--help'])).out.join('\n')).toContain('--valid <duration>');
  });
});

describe('rid-keys endorse and show', () => {
  it('an HDA endorses a UA for 30 days from now; the endorsement verifies with the HDA key only', async () => {
    const dir = tempDir('endorse');
    for (const [name, hda] of [['hda', '1'], ['ua', '1'], ['other', '1']] as const) await ridKeys(['create', '--raa', '16376', '--hda', hda, '--out', dir, '--name', name], NOW);
    const out = path.join(dir, 'hda-ua.json');
    const r = await ridKeys(['endorse', '--parent', path.join(dir, 'hda.key.pem'), '--child', path.join(dir, 'ua.id.json'), '--valid', '30d', '--out', out], NOW);
    expect(r.status, r.err.join('\n')).toBe(0);
    expect(r.out[0]).toMatch(/ endorses .* from 2026-06-01T12:00:00Z to 2026-07-01T12:00:00Z$/);
    const link = readEndorsement(out);
    const hda = readIdentity(path.join(dir, 'hda.id.json'));
    const ua = readIdentity(path.join(dir, 'ua.id.json'));
    expect(link.parentDet).toEqual(hda.det);
    expect(link.childDet).toEqual(ua.det);
    expect(link.childHi).toEqual(ua.hi);
    expect(link.vna - link.vnb).toBe(30 * 86_400);
    expect(verifyEndorsement(link, hda.hi, { nowMs: NOW, clockSkewS: 30 })).toEqual({ ok: true });
    expect(verifyEndorsement(link, readIdentity(path.join(dir, 'other.id.json')).hi, { nowMs: NOW, clockSkewS: 30 })).toMatchObject({ ok: false, problem: 'signature' });
    expect(verifyEndorsement(link, hda.hi, { nowMs: NOW + 31 * 86_400_000, clockSkewS: 30 })).toMatchObject({ ok: false, problem: 'expired' });
    expect(verifyEndorsement(link, hda.hi, { nowMs: NOW - 60_000, clockSkewS: 30 })).toMatchObject({ ok: false, problem: 'not-yet-valid' });
    expect(verifyEndorsement(link, hda.hi, { nowMs: NOW - 20_000, clockSkewS: 30 })).toEqual({ ok: true });

    const shown = await ridKeys(['show', out, '--parent', path.join(dir, 'hda.id.json')], NOW);
    expect(shown.status).toBe(0);
    expect(shown.out).toContain(`valid 2026-06-01T12:00:00Z to 2026-07-01T12:00:00Z: valid now`);
    expect(shown.out.at(-1)).toBe('signature by hda.id.json: verifies');
    const wrongParent = await ridKeys(['show', out, '--parent', path.join(dir, 'other.id.json')], NOW);
    expect(wrongParent.status).toBe(1);
    expect(wrongParent.err[0]).toContain('not of the endorsing parent');
    const keyShown = await ridKeys(['show', path.join(dir, 'ua.key.pem')], NOW);
    expect(keyShown.out[0]).toMatch(/Ed25519 \(not shown\), mode 0600$/);
    expect(keyShown.out[1]).toBe(`HI ${Buffer.from(ua.hi).toString('hex')}`);
    for (const f of keyFragments(path.join(dir, 'ua.key.pem'))) expect(keyShown.out.join('\n')).not.toContain(f);
    expect((await ridKeys(['show', path.join(dir, 'ua.id.json')], NOW)).out).toContain(`RAA 16376, HDA 1, suite 5`);
  });

  it('a key with another identity, a key others can read, a key of another algorithm: refused with the file named', async () => {
    const dir = tempDir('keys');
    await ridKeys(['create', '--raa', '1', '--hda', '1', '--out', dir, '--name', 'a'], NOW);
    await ridKeys(['create', '--raa', '1', '--hda', '1', '--out', dir, '--name', 'b'], NOW);
    const mismatch = await ridKeys(['endorse', '--parent', path.join(dir, 'a.key.pem'), '--parent-identity', path.join(dir, 'b.id.json'), '--child', path.join(dir, 'b.id.json'), '--valid', '1d', '--out', path.join(dir, 'x.json')], NOW);
    expect(mismatch.status).toBe(1);
    expect(mismatch.err[0]).toContain(`${path.join(dir, 'a.key.pem')}: is not the key of ${path.join(dir, 'b.id.json')}`);
    chmodSync(path.join(dir, 'a.key.pem'), 0o644);
    expect(() => readPrivateKey(path.join(dir, 'a.key.pem'))).toThrow(/others may read this private key \(mode 0644\)\. Fix: chmod 600/);
    const ec = path.join(dir, 'ec.key.pem');
    writeFileSync(ec, generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ format: 'pem', type: 'pkcs8' }), { mode: 0o600 });
    expect(() => readPrivateKey(ec)).toThrow(/holds a ec key; expected an Ed25519 private key/);
    writeFileSync(path.join(dir, 'junk.key.pem'), '-----BEGIN PRIVATE KEY-----\nnot a key\n-----END PRIVATE KEY-----\n', { mode: 0o600 });
    expect(() => readPrivateKey(path.join(dir, 'junk.key.pem'))).toThrow(/is not an Ed25519 private key/);
    expect(() => readPrivateKey(dir)).toThrow(/is not a regular file/);
  });

  it('refuses to endorse a child whose DET is not its HI', async () => {
    const dir = tempDir('badchild');
    await ridKeys(['create', '--raa', '1', '--hda', '1', '--out', dir, '--name', 'p'], NOW);
    await ridKeys(['create', '--raa', '1', '--hda', '1', '--out', dir, '--name', 'c'], NOW);
    const id = JSON.parse(readFileSync(path.join(dir, 'c.id.json'), 'utf8')) as { hi: string };
    id.hi = Buffer.from(fromHex(id.hi).map((b, i) => (i === 0 ? b ^ 1 : b))).toString('hex');
    writeFileSync(path.join(dir, 'c.id.json'), JSON.stringify(id));
    const r = await ridKeys(['endorse', '--parent', path.join(dir, 'p.key.pem'), '--child', path.join(dir, 'c.id.json'), '--valid', '1d', '--out', path.join(dir, 'x.json')], NOW);
    expect(r.status).toBe(1);
    expect(r.err[0]).toContain('is not the hash of "hi"');
  });
});

describe('rid-keys as a user runs it', () => {
  it('exit codes and streams: 0 with the DET on stdout, 2 with one line on stderr, no key anywhere', () => {
    const dir = tempDir('spawn');
    const ok = runCli('packages/trust/src/cli/rid-keys.ts', ['create', '--raa', '5', '--hda', '6', '--out', dir, '--name', 'drone']);
    expect(ok.status, ok.stderr).toBe(0);
    expect(ok.stdout.split('\n')[0]).toMatch(/^DET 2001:003/);
    expect(ok.stderr).toBe('');
    for (const f of keyFragments(path.join(dir, 'drone.key.pem'))) expect(ok.stdout + ok.stderr).not.toContain(f);
    const bad = runCli('packages/trust/src/cli/rid-keys.ts', ['create', '--raa', '-1', '--hda', '6', '--out', dir]);
    expect(bad.status).toBe(2);
    expect(bad.stdout).toBe('');
    expect(bad.stderr.trim().split('\n')).toHaveLength(1);
  });
});
