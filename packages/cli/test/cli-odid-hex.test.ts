import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { odid } from '../../../test/support/run-cli.js';

const LOCATION = '122624160a42bf241b6ed1b4b69808ac0870084a63150e0100';
const OPERATOR = '520046494e38376173747264676531326b3800000000000000';
const PACK = 'f2190152004742522d4f502d31323341424344000000000000000000';

describe('odid decode --hex / encode', () => {
  it('decodes one message to one line of decoded-form JSON', () => {
    const r = odid(['decode', '--hex', LOCATION]);
    expect(r.status).toBe(0);
    expect(r.stdout.trim().split('\n')).toHaveLength(1);
    expect(JSON.parse(r.stdout)).toMatchObject({ type: 'location', direction: 216, speedHorizontal: 5.5, latitude: 45.539309, timestamp: 360.5 });
  });

  it('reads one hex message per line from stdin; a bad line is reported with its number and the rest still decoded', () => {
    const r = odid(['decode', '--hex', '-'], `${LOCATION}\n\n12ab\n${PACK}\n62${'00'.repeat(24)}\n${OPERATOR}\n`);
    expect(r.status).toBe(1);
    const lines = r.stdout.trim().split('\n').map((l) => JSON.parse(l));
    expect(lines.map((l) => l.type)).toEqual(['location', 'messagePack', 'operatorId']);
    expect(r.stderr).toMatch(/line 3: .*truncated/);
    expect(r.stderr).toMatch(/line 5: .*reserved.*unsupported/);
  });

  it('skips a line too long to be a message without holding it, numbering the lines after it right', () => {
    const huge = 'ab'.repeat(4 << 20); // 8 MiB of hex on one line: arrives in many chunks
    const r = odid(['decode', '--hex', '-'], `${LOCATION}\n${huge}\n${OPERATOR}\n12ab\n`);
    expect(r.status).toBe(1);
    expect(r.stdout.trim().split('\n').map((l) => JSON.parse(l).type)).toEqual(['location', 'operatorId']);
    expect(r.stderr).toMatch(/line 2: longer than 65536 characters; skipped/);
    expect(r.stderr).toMatch(/line 4: .*truncated/);
    expect(r.stderr.split('\n').filter(Boolean)).toHaveLength(2);
  });

  it('encode is the exact inverse of decode, line by line and for a pretty-printed pack', () => {
    const decoded = odid(['decode', '--hex', '-'], `${LOCATION}\n${OPERATOR}\n`);
    const encoded = odid(['encode', '-'], decoded.stdout);
    expect(encoded.status).toBe(0);
    expect(encoded.stdout).toBe(`${LOCATION}\n${OPERATOR}\n`);
    const pretty = odid(['decode', '--pretty', '--hex', PACK]).stdout;
    expect(pretty.split('\n').length).toBeGreaterThan(3);
    const dir = mkdtempSync(path.join(tmpdir(), 'odid-'));
    writeFileSync(path.join(dir, 'pack.json'), pretty);
    expect(odid(['encode', path.join(dir, 'pack.json')]).stdout).toBe(`${PACK}\n`);
  });

  it('encode refuses out-of-range values naming the field and the allowed range, and goes on', () => {
    const good = JSON.stringify({ type: 'selfId', descType: 0, desc: 'ok' });
    const bad = JSON.stringify({ type: 'system', operatorLocationType: 0, classificationType: 1, operatorLatitude: 1, operatorLongitude: 1, areaCount: 1, areaRadius: 2551, areaCeiling: 0, areaFloor: 0, categoryEU: 1, classEU: 2, operatorAltitudeGeo: 0, timestamp: 0 });
    const r = odid(['encode', '-'], `${bad}\n{oops\n${good}\n`);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('line 1: system.areaRadius: 2551 is not allowed; expected 0..2550 m');
    expect(r.stderr).toContain('line 2: not valid JSON');
    expect(r.stdout.trim()).toBe('3200' + Buffer.from('ok').toString('hex') + '00'.repeat(21));
  });

  it('--help explains the commands', () => {
    expect(odid(['decode', '--help']).stdout).toContain('--hex');
    expect(odid(['--help']).stdout).toContain('encode');
  });
});
