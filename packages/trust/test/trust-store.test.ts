/**
 * The trust store directory: roots/ and endorsements/ load; every bad file stops the load with an error that
 * names the file and says what was expected; sizes are bounded and only regular files are read.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { toHex } from '@odid/codec';
import { TrustError, loadTrustStore, parseEndorsement, parseIdentity } from '../src/index.js';
import { buildRegistry, storeDir, type Registry } from './support.js';

const NOW = Date.UTC(2026, 5, 1);
let reg: Registry;
beforeAll(async () => {
  reg = await buildRegistry(NOW);
});

function loadError(dir: string): TrustError {
  try {
    loadTrustStore(dir);
  } catch (e) {
    expect(e).toBeInstanceOf(TrustError);
    return e as TrustError;
  }
  throw new Error('loaded');
}

describe('trust store', () => {
  it('loads its roots and endorsements', () => {
    const store = loadTrustStore(storeDir([reg.files.apex.id, reg.files.raa.id], [reg.apexRaa, reg.raaHda, reg.hdaUa]));
    expect(store.roots.map((r) => r.name).sort()).toEqual(['apex', 'raa']);
    expect(store.endorsements).toHaveLength(3);
    expect(toHex(store.endorsements.find((e) => toHex(e.childDet) === toHex(reg.ua.identity.det))!.childHi)).toBe(toHex(reg.ua.identity.hi));
  });

  it('names the bad file and what was expected', () => {
    const cases: Array<[string, string, RegExp]> = [
      ['roots/x.json', '{"format":"odid-drip-identity"', /x\.json: is not JSON .*Fix: expected an identity file written by rid-keys create/],
      ['roots/x.json', '[1,2]', /x\.json: is not a JSON object/],
      ['roots/x.json', JSON.stringify({ format: 'something-else' }), /"format" is "something-else", not "odid-drip-identity"/],
      ['roots/notes.txt', 'hello', /notes\.txt: is not a \.json file; roots\/ holds identity files of trusted registries/],
      ['endorsements/e.json', readFileSync(reg.files.apex.id, 'utf8'), /e\.json: "format" is "odid-drip-identity", not "odid-drip-endorsement"/],
      ['endorsements/e.json', JSON.stringify({ format: 'odid-drip-endorsement', version: 1, link: '02ff' }), /e\.json: "link" does not decode: drip\.wrapper: /],
      ['endorsements/e.json', JSON.stringify({ format: 'odid-drip-endorsement', version: 1, link: 'zz' }), /"link" is not the hex of a DRIP Link/],
    ];
    for (const [file, content, message] of cases) {
      const dir = storeDir([reg.files.apex.id], []);
      writeFileSync(path.join(dir, file), content);
      const e = loadError(dir);
      expect(e.code).toBe('bad-file');
      expect(e.message).toContain(path.join(dir, file));
      expect(e.message).toMatch(message);
    }
  });

  it('an identity whose DET is not its HI, or whose RAA is not the DET\'s', () => {
    const id = JSON.parse(readFileSync(reg.files.raa.id, 'utf8')) as Record<string, unknown>;
    expect(() => parseIdentity(JSON.stringify({ ...id, hi: JSON.parse(readFileSync(reg.files.hda.id, 'utf8')).hi }), 'raa.id.json')).toThrow(/raa\.id\.json: "det" .* is not the hash of "hi"/);
    expect(() => parseIdentity(JSON.stringify({ ...id, raa: 7 }), 'raa.id.json')).toThrow(/does not carry RAA 7/);
    expect(() => parseIdentity(JSON.stringify({ ...id, suite: 2 }), 'raa.id.json')).toThrow(/"suite" 2 is not 5/);
    expect(() => parseIdentity(JSON.stringify({ ...id, det: 'fe80::1::2' }), 'raa.id.json')).toThrow(/is not a DET in IPv6 notation/);
  });

  it('an endorsement whose words disagree with its bytes', () => {
    const e = JSON.parse(readFileSync(reg.hdaUa, 'utf8')) as Record<string, string>;
    expect(() => parseEndorsement(JSON.stringify({ ...e, validNotAfter: '2099-01-01T00:00:00Z' }), 'hda-ua.json')).toThrow(/hda-ua\.json: "validNotAfter" says "2099-01-01T00:00:00Z" but the Link's bytes say/);
    expect(() => parseEndorsement(JSON.stringify({ ...e, child: e.parent }), 'hda-ua.json')).toThrow(/"child" says/);
    expect(parseEndorsement(JSON.stringify({ format: e.format, version: 1, link: e.link }), 'bare.json').childDet).toEqual(reg.ua.identity.det);
    const otherHi = JSON.parse(readFileSync(reg.files.hda.id, 'utf8')).hi as string;
    const swapped = e.link!.slice(0, 2 * 25) + otherHi + e.link!.slice(2 * 57);
    expect(() => parseEndorsement(JSON.stringify({ format: e.format, version: 1, link: swapped }), 'swapped.json')).toThrow(/swapped\.json: the child DET .* is not the hash of the child HI/);
  });

  it('no roots, no directory, a file where the directory should be', () => {
    expect(loadError(storeDir([], [reg.apexRaa])).message).toMatch(/roots: holds no trusted root.*Fix: copy the NAME\.id\.json/);
    expect(loadError('/nonexistent/store').code).toBe('unreadable');
    expect(loadError(reg.files.apex.id).message).toMatch(/is not a directory/);
  });

  it('bounded: an oversized file and a FIFO are refused without reading them whole', () => {
    const big = storeDir([reg.files.apex.id], []);
    writeFileSync(path.join(big, 'roots', 'big.json'), ' '.repeat(65 * 1024));
    const e = loadError(big);
    expect(e.code).toBe('too-large');
    expect(e.message).toMatch(/big\.json: larger than 64 KiB/);
    const fifo = storeDir([reg.files.apex.id], []);
    execFileSync('mkfifo', [path.join(fifo, 'endorsements', 'pipe.json')]);
    expect(loadError(fifo).message).toMatch(/pipe\.json: is not a regular file/);
  });

  it('reads through symlinks to regular files, and ignores hidden files', () => {
    const dir = storeDir([], []);
    symlinkSync(reg.files.apex.id, path.join(dir, 'roots', 'apex.json'));
    writeFileSync(path.join(dir, 'roots', '.DS_Store'), 'junk');
    mkdirSync(path.join(dir, 'endorsements', '.git'));
    expect(loadTrustStore(dir).roots).toHaveLength(1);
  });
});
