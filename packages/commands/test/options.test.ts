import { describe, expect, it } from 'vitest';
import {
  MAX_DURATION_S,
  USAGE_EXIT,
  UsageError,
  expectedNumber,
  parseChoice,
  parseChoiceList,
  parseHciIndex,
  parseInterfaceName,
  parseMacAddress,
  parseMacList,
  parseNumber,
  parseNumberList,
  parseTime,
  quoteValue,
  rangeText,
  usageErrorWriter,
  type NumberRule,
} from '../src/options.js';

/** The message of the UsageError `f` throws. */
function refusal(f: () => unknown): string {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(UsageError);
    expect((e as UsageError).exitCode).toBe(USAGE_EXIT);
    return (e as Error).message;
  }
  throw new Error('expected a UsageError');
}

const SPEED: NumberRule = { min: 0, minExclusive: true, max: 1000 };
const DURATION: NumberRule = { min: 0, minExclusive: true, max: MAX_DURATION_S, unit: 'seconds' };
const COUNT: NumberRule = { min: 1, max: 100_000, integer: true };

describe('parseNumber', () => {
  it('takes decimal numbers within the range', () => {
    const speed = parseNumber('--speed', SPEED);
    expect(speed('2')).toBe(2);
    expect(speed(' 0.5 ')).toBe(0.5);
    expect(speed('1e3')).toBe(1000);
    expect(speed('.25')).toBe(0.25);
    expect(parseNumber('--forget', { min: 0, max: 10 })('-0')).toBe(0);
    expect(Object.is(parseNumber('--forget', { min: 0, max: 10 })('-0'), 0)).toBe(true);
    expect(parseNumber('--history', COUNT)('1e5')).toBe(100_000);
  });

  it.each(['0', '-1', '1001', '1e309', '-1e309', 'NaN', 'nan', 'Infinity', 'abc', '', ' ', '0x10', '1_000', '1,5', '2 3', '+', '.', 'e3', '1e'])('refuses %j for --speed', (v) => {
    expect(refusal(() => parseNumber('--speed', SPEED)(v))).toBe(`--speed must be a number > 0 and ≤ 1000 (got ${JSON.stringify(v)})`);
  });

  it('says the unit, and "whole number" for counts', () => {
    expect(refusal(() => parseNumber('--duration', DURATION)('1e309'))).toBe('--duration must be a number of seconds > 0 and ≤ 604800 (got "1e309")');
    expect(refusal(() => parseNumber('--history', COUNT)('1.5'))).toBe('--history must be a whole number ≥ 1 and ≤ 100000 (got "1.5")');
    expect(refusal(() => parseNumber('--history', COUNT)('0'))).toBe('--history must be a whole number ≥ 1 and ≤ 100000 (got "0")');
    expect(expectedNumber({ min: 0, max: 60, unit: 'minutes' })).toBe('a number of minutes ≥ 0 and ≤ 60');
  });

  it('describes the range for --help', () => {
    expect(rangeText(SPEED)).toBe('> 0 and ≤ 1000');
    expect(rangeText(DURATION)).toBe('> 0 and ≤ 604800');
    expect(rangeText(COUNT)).toBe('1..100000');
    expect(rangeText({ min: 0, max: 10080, unit: 'minutes' })).toBe('0..10080');
  });

  it('a duration never exceeds what setTimeout can wait', () => {
    expect(MAX_DURATION_S * 1000).toBeLessThanOrEqual(2 ** 31 - 1);
  });
});

describe('quoteValue', () => {
  it('JSON-quotes, escapes what a terminal would act on, and cuts long values', () => {
    expect(quoteValue('abc')).toBe('"abc"');
    expect(quoteValue('a"b\\c')).toBe('"a\\"b\\\\c"');
    expect(quoteValue('\u001b[2J\u0007\n')).toBe('"\\u001b[2J\\u0007\\n"');
    // What JSON leaves alone but a terminal would obey or hide: C1 controls, bidi overrides, separators.
    expect(quoteValue('\u009b31m\u202egnp.exe\u2028')).not.toMatch(/[\u0080-\u009f\u202e\u2028]/);
    const long = quoteValue('9'.repeat(5000));
    expect(long.length).toBeLessThanOrEqual(64);
    expect(long).toMatch(/^"9+…\[\d+ more\]"$/);
  });
});

describe('choices', () => {
  it('one of a fixed list, any case, returned as listed', () => {
    const sort = parseChoice('--sort', ['distance', 'id'] as const);
    expect(sort('ID')).toBe('id');
    expect(refusal(() => sort('speed'))).toBe('--sort must be one of distance, id (got "speed")');
    expect(refusal(() => sort('__proto__'))).toBe('--sort must be one of distance, id (got "__proto__")');
  });

  it('lists: repeatable, comma separated, duplicates dropped, no empty item', () => {
    const transport = parseChoiceList('--transport', ['ble-legacy', 'wifi-nan'] as const);
    expect(transport('ble-legacy, WIFI-NAN')).toEqual(['ble-legacy', 'wifi-nan']);
    expect(transport('wifi-nan', ['ble-legacy'])).toEqual(['ble-legacy', 'wifi-nan']);
    expect(transport('ble-legacy,ble-legacy')).toEqual(['ble-legacy']);
    expect(refusal(() => transport('lora'))).toBe('--transport must be one or more of ble-legacy, wifi-nan (comma separated) (got "lora")');
    expect(refusal(() => transport(''))).toMatch(/\(got ""\)$/);
    expect(refusal(() => transport('ble-legacy,'))).toMatch(/\(got "ble-legacy,"\)$/);
  });

  it('number lists: each within the rule, a bounded count', () => {
    const channels = parseNumberList('--channels', { min: 1, max: 233, integer: true }, 4);
    expect(channels('6, 149,6')).toEqual([6, 149]);
    expect(refusal(() => channels('0'))).toBe('--channels must be a comma-separated list of at most 4 whole numbers 1..233 (got "0")');
    expect(refusal(() => channels('6,abc'))).toMatch(/\(got "6,abc"\)$/);
    expect(refusal(() => channels('1,2,3,4,5'))).toMatch(/at most 4/);
  });
});

describe('hci, addresses, times, interfaces', () => {
  it('a Bluetooth controller as N or hciN', () => {
    const hci = parseHciIndex('--hci');
    expect(hci('0')).toBe(0);
    expect(hci('hci1')).toBe(1);
    expect(hci('HCI2')).toBe(2);
    for (const bad of ['', 'hci', '-1', '1.5', '0x1', 'hci-1', '10000', 'hci 1']) {
      expect(refusal(() => hci(bad))).toBe(`--hci must be a Bluetooth controller: N or hciN with N 0..9999 (got ${JSON.stringify(bad)})`);
    }
  });

  it('48-bit addresses, normalised', () => {
    expect(parseMacAddress('--mac')('C2-5A-1D-00-00-01')).toBe('c2:5a:1d:00:00:01');
    expect(parseMacList('--mac')('aa:bb:cc:dd:ee:ff,C2-5A-1D-00-00-01')).toEqual(['aa:bb:cc:dd:ee:ff', 'c2:5a:1d:00:00:01']);
    for (const bad of ['', 'zz:zz:zz:zz:zz:zz', 'c2:5a:1d:00:00', 'c2:5a-1d:00:00:01', 'c25a1d000001']) {
      expect(refusal(() => parseMacAddress('--mac')(bad))).toMatch(/^--mac must be a 48-bit address/);
    }
  });

  it('times: ISO 8601 (and epoch seconds where allowed) within a range', () => {
    const start = parseTime('--start', { minMs: Date.UTC(2019, 0, 1), maxMs: Date.UTC(2150, 0, 1) });
    expect(start('2025-06-01T10:00:00Z')).toBe(Date.UTC(2025, 5, 1, 10));
    expect(start('2025-06-01')).toBe(Date.UTC(2025, 5, 1));
    expect(refusal(() => start('yesterday'))).toBe('--start must be an ISO 8601 time such as 2025-06-01T10:00:00Z, from 2019-01-01 to 2150-01-01 (got "yesterday")');
    expect(refusal(() => start('2010-01-01T00:00:00Z'))).toMatch(/from 2019-01-01/);
    expect(refusal(() => start('1717236000'))).toMatch(/ISO 8601/); // Date.parse would take it
    expect(refusal(() => start('2025-13-45'))).toMatch(/ISO 8601/);
    const epoch = parseTime('--start', { minMs: 0, maxMs: Date.UTC(9999, 11, 31), epochSeconds: true });
    expect(epoch('1717236000.5')).toBe(1717236000500);
    expect(refusal(() => epoch('99999999999999'))).toMatch(/seconds since the epoch/);
  });

  it('network interface names as the kernel takes them', () => {
    const wifi = parseInterfaceName('--wifi');
    expect(wifi('wlan1mon')).toBe('wlan1mon');
    for (const bad of ['', '.', '..', 'a/b', '../../../dev/zero', 'wlan1 mon', 'x'.repeat(16), 'wl:an', 'wlan\u001b']) {
      expect(refusal(() => wifi(bad))).toMatch(/^--wifi must be a network interface name/);
    }
  });
});

describe("commander's own usage errors", () => {
  it('one line, named after the program, escaped', () => {
    const out: string[] = [];
    const write = (t: string): void => void out.push(t);
    usageErrorWriter('rid-scan')("error: unknown option '--spede'\n(Did you mean --speed?)\n", write);
    usageErrorWriter('odid')("error: unknown option '--\u001b[2J'\n", write);
    usageErrorWriter('odid')('odid decode: give a capture file\n', write);
    expect(out).toEqual(["rid-scan: unknown option '--spede' (Did you mean --speed?)\n", "odid: unknown option '--\\x1b[2J'\n", 'odid decode: give a capture file\n']);
  });
});
