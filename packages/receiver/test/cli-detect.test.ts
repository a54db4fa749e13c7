import { mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { detectRadios } from '../src/cli/detect-radios.js';

describe('detectRadios', () => {
  it('finds Bluetooth controllers and the network interfaces that are Wi-Fi', () => {
    const sys = mkdtempSync(path.join(tmpdir(), 'sys-'));
    for (const d of ['bluetooth/hci0', 'bluetooth/hci1', 'bluetooth/hci0:1', 'net/wlan1/phy80211', 'net/eth0', 'net/lo']) mkdirSync(path.join(sys, d), { recursive: true });
    expect(detectRadios(sys)).toEqual({ ble: [0, 1], wifi: ['wlan1'] });
  });
  it('finds nothing on a machine without radios', () => {
    expect(detectRadios(mkdtempSync(path.join(tmpdir(), 'sys-')))).toEqual({ ble: [], wifi: [] });
  });
});
