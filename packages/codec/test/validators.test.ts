import { describe, expect, it } from 'vitest';
import { checkEuOperatorId, checkEuOperatorIdFormat, checkSerialNumber, luhnMod36 } from '../src/index.js';

describe('ANSI/CTA-2063-A serial numbers', () => {
  it.each(['1581F5FHB229F00202DR', '1581F5FJD228400X0S2K', 'ABCD1X', 'MFG1A0123456789'.replace('MFG1', 'MFG2')])('accepts %s', (s) => {
    expect(checkSerialNumber(s)).toMatchObject({ valid: true, problems: [] });
  });
  it('splits manufacturer code and serial', () => {
    expect(checkSerialNumber('1581F5FHB229F00202DR')).toMatchObject({ manufacturerCode: '1581', serial: '5FHB229F00202DR' });
  });
  it.each([
    ['1581F5FHB229F00202D', 'declares 15'], // one character short
    ['1581G5FHB229F00202DR', 'must be 1-9 or A-F'],
    ['1581F5FHB229F0O202DR', 'I and O'],
    ['1581f5fhb229f00202dr', 'upper case'],
    ['158', 'too short'],
    ['1581-ABC', 'not allowed'],
  ])('refuses %s, saying why', (s, why) => {
    const r = checkSerialNumber(s);
    expect(r.valid).toBe(false);
    expect(r.problems.join('; ')).toContain(why);
  });
});

describe('EU operator registration numbers', () => {
  it('computes the Luhn mod 36 check character of the spec example', () => {
    expect(luhnMod36('87astrdge12k' + 'xyz')).toBe('8');
  });
  it('accepts the full number with its secret and gives the 16 public characters', () => {
    expect(checkEuOperatorId('FIN87astrdge12k8-xyz')).toMatchObject({ valid: true, publicId: 'FIN87astrdge12k8', country: 'FIN' });
  });
  it('detects any single mistyped character of base or secret', () => {
    const good = 'FIN87astrdge12k8-xyz';
    for (let i = 3; i < good.length; i++) {
      if (good[i] === '-') continue;
      const bad = good.slice(0, i) + (good[i] === 'a' ? 'b' : 'a') + good.slice(i + 1);
      expect(checkEuOperatorId(bad).valid, bad).toBe(false);
    }
  });
  it('refuses malformed numbers and non-EASA countries', () => {
    expect(checkEuOperatorId('FIN87astrdge12k8').valid).toBe(false); // no secret
    expect(checkEuOperatorId('fin87astrdge12k8-xyz').valid).toBe(false);
    expect(checkEuOperatorIdFormat('USA87astrdge12k8').problems.join()).toContain('not an EASA member state');
  });
  it('a receiver checks only the format of the 16 broadcast characters', () => {
    expect(checkEuOperatorIdFormat('FIN87astrdge12k8').valid).toBe(true);
    expect(checkEuOperatorIdFormat('FIN87astrdge12k9').valid).toBe(true); // cannot know: the check covers the secret
    expect(checkEuOperatorIdFormat('GBR-OP-123ABCD').valid).toBe(false);
    expect(checkEuOperatorIdFormat('FIN87ASTRDGE12K8').valid).toBe(false);
  });
});

import { horizontalAccuracyEnum, speedAccuracyEnum, timestampAccuracyEnum, verticalAccuracyEnum } from '../src/index.js';

describe('accuracy enums', () => {
  it('put boundary values in the coarser bucket, as the reference does', () => {
    expect(horizontalAccuracyEnum(2.5)).toBe(11);
    expect(horizontalAccuracyEnum(3)).toBe(10);
    expect(horizontalAccuracyEnum(0.5)).toBe(12);
    expect(horizontalAccuracyEnum(20000)).toBe(0);
    expect(horizontalAccuracyEnum(undefined)).toBe(0);
    expect(verticalAccuracyEnum(0.5)).toBe(6);
    expect(verticalAccuracyEnum(1.5)).toBe(5);
    expect(verticalAccuracyEnum(10)).toBe(3);
    expect(speedAccuracyEnum(0.5)).toBe(3);
    expect(speedAccuracyEnum(0.1)).toBe(4);
    expect(speedAccuracyEnum(12)).toBe(0);
    expect(timestampAccuracyEnum(0.2)).toBe(2);
    expect(timestampAccuracyEnum(0.05)).toBe(1);
    expect(timestampAccuracyEnum(1.5)).toBe(15);
    expect(timestampAccuracyEnum(2)).toBe(0);
  });
});
