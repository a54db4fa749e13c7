/**
 * Role: the `iw` scan output parser (packages/receiver/src/sources/wifi/iw-scan-parse.ts) as a coverage
 * target, with the path its results travel in rid-scan's managed mode: each BSS's element sets rebuilt as a
 * beacon (synthetic-frame.ts) and decoded by the receive path. For any text: no throw; every BSS has a
 * well-formed address; every rebuilt vendor element is a whole element (DD, its length, at most 255 bytes of
 * body); numbers are finite; the rebuilt beacons decode to well-formed messages.
 *
 * Seeds: the iw output samples of the receiver's scan tests, and iw's print format (iw 5.19, scan.c: see
 * iw-scan-parse.ts) of the beacons in the real captures.
 */

import { readFileSync } from 'node:fs';
import path from 'node:path';
import { LINKTYPE, RemoteIdExtractor, decodeLinkFrame, formatMac, walkElements } from '@odid/codec';
import { parseIwScan, type ScannedBss } from '../../packages/receiver/src/sources/wifi/iw-scan-parse.js';
import { syntheticFrame } from '../../packages/receiver/src/sources/wifi/synthetic-frame.js';
import { checkDiagnostic, checkJsonLine, checkReceived } from '../../packages/codec/scripts/fuzz/checks.js';
import type { CoverageTarget } from '../../packages/codec/scripts/fuzz/coverage-target.js';
import { safeJson } from '../../packages/codec/scripts/fuzz/report.js';
import { linkSeeds } from '../../packages/codec/scripts/fuzz/seeds.js';
import { repoRoot } from '../support/fixtures.js';
import { bytesOf, mutateLines, textOf } from './line-mutator.js';

const MAC = /^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/;
const hex2 = (v: number): string => v.toString(16).padStart(2, '0');

/** The iw output samples of the receiver's scan tests (their String.raw literals). */
function testSamples(): string[] {
  const file = path.join(repoRoot, 'packages/receiver/test/sources-wifi-scan.test.ts');
  return [...readFileSync(file, 'utf8').matchAll(/String\.raw`([^`]*)`/g)].map((m) => m[1]!);
}

/** print_ssid_escaped's output for SSID bytes (non-printable bytes and '\' as \xHH). */
const escapeSsid = (b: Uint8Array): string => Array.from(b, (v) => (v > 0x20 && v < 0x7f && v !== 0x5c ? String.fromCharCode(v) : `\\x${hex2(v)}`)).join('');

/** A beacon or probe response (802.11 MAC frame) as iw prints it with -u. */
function iwText(frame: Uint8Array, freqMHz: number | undefined, rssi: number | undefined): string | undefined {
  if (frame.length < 36 || (frame[0] !== 0x80 && frame[0] !== 0x50)) return undefined;
  const u16 = (o: number): number => frame[o]! | (frame[o + 1]! << 8);
  let tsf = 0n;
  for (let i = 7; i >= 0; i--) tsf = (tsf << 8n) | BigInt(frame[24 + i]!);
  const lines = [
    `BSS ${formatMac(frame, 16)}(on wlan0)`,
    '\tlast seen: 4312.905s [boottime]',
    `\tTSF: ${tsf} usec (0d, 00:00:00)`,
    `\tfreq: ${freqMHz ?? 2437}`,
    `\tbeacon interval: ${u16(32)} TUs`,
    `\tcapability: ESS (0x${u16(34).toString(16).padStart(4, '0')})`,
    `\tsignal: ${(rssi ?? -50).toFixed(2)} dBm`,
    '\tlast seen: 20 ms ago',
  ];
  if (frame[0] === 0x50) lines.push('\tInformation elements from Probe Response frame:');
  for (const e of walkElements(frame.subarray(36)).elements) {
    if (e.id === 0) lines.push(`\tSSID: ${escapeSsid(e.data)}`);
    else if (e.id === 3 && e.data.length === 1) lines.push(`\tDS Parameter set: channel ${e.data[0]}`);
    else if (e.id === 221 && e.data.length >= 3) {
      const oui = Array.from(e.data.subarray(0, 3), hex2).join(':');
      lines.push(`\tVendor specific: OUI ${oui}, data:${Array.from(e.data.subarray(3), (v) => ` ${hex2(v)}`).join('')}`);
    }
  }
  return lines.join('\n') + '\n';
}

function iwSeeds(): Uint8Array[] {
  const texts: string[] = [];
  const seeds = linkSeeds();
  for (const lt of [LINKTYPE.IEEE802_11_RADIOTAP, LINKTYPE.IEEE802_11]) {
    for (const rec of seeds.get(lt) ?? []) {
      let frames;
      try {
        frames = decodeLinkFrame(lt, rec).frames;
      } catch {
        continue;
      }
      for (const f of frames) {
        const t = f.kind === 'wifi' ? iwText(f.frame, f.freqMHz, f.rssi) : undefined;
        if (t !== undefined && !texts.includes(t)) texts.push(t);
      }
    }
  }
  const picked = texts.filter((_, i) => i % Math.max(1, Math.floor(texts.length / 40)) === 0).slice(0, 40);
  // Several BSS blocks in one scan, as iw prints them.
  return [...testSamples(), picked.slice(0, 6).join(''), ...picked].map(bytesOf);
}

/** What is wrong with one parsed BSS, or undefined. */
function checkBss(b: ScannedBss): string | undefined {
  if (!MAC.test(b.bssid)) return `bssid ${b.bssid}`;
  for (const k of ['lastSeenBoottimeMs', 'freqMHz', 'beaconIntervalTU', 'capability', 'signalDbm', 'lastSeenMsAgo'] as const) {
    const v = b[k];
    if (v !== undefined && !Number.isFinite(v)) return `${k} ${v}`;
  }
  if (b.tsf !== undefined && (typeof b.tsf !== 'bigint' || b.tsf < 0n)) return `tsf ${String(b.tsf)}`;
  if (!Array.isArray(b.ieSets)) return 'ieSets';
  for (const set of b.ieSets) {
    if (set.source !== 'beacon' && set.source !== 'probe-response') return `source ${String(set.source)}`;
    if (set.ssid !== undefined && !(set.ssid instanceof Uint8Array)) return 'ssid';
    if (set.channel !== undefined && !Number.isInteger(set.channel)) return `channel ${set.channel}`;
    for (const el of set.vendorElements) {
      if (!(el instanceof Uint8Array) || el.length < 5 || el.length > 257 || el[0] !== 0xdd || el[1] !== el.length - 2) return `vendor element ${safeJson(Array.from(el))}`;
    }
  }
  return undefined;
}

export function iwScanTarget(): CoverageTarget {
  return {
    name: 'iw-scan',
    maxLength: 32_768,
    seeds: iwSeeds,
    exec(input) {
      const list = parseIwScan(textOf(input));
      if (!Array.isArray(list)) return 'parseIwScan returned no array';
      for (const bss of list) {
        const bad = checkBss(bss);
        if (bad) return `BSS ${safeJson(bss.bssid)}: ${bad}`;
        for (const set of bss.ieSets) {
          // The scan source's path: the set rebuilt as a beacon, decoded as a captured one.
          const f = syntheticFrame(bss, set);
          let badDiagnostic: string | undefined;
          const extractor = new RemoteIdExtractor({}, (d) => {
            badDiagnostic ??= checkDiagnostic(d);
          });
          for (const m of extractor.fromRecord(f.linkType, f.data)) {
            const wrong = checkReceived(m, false) ?? checkJsonLine(m);
            if (wrong) return `rebuilt beacon of ${bss.bssid}: ${wrong}`;
          }
          if (badDiagnostic) return `rebuilt beacon of ${bss.bssid}: malformed diagnostic: ${badDiagnostic}`;
        }
      }
      return undefined;
    },
    mutate: (rng, parent, corpus) => mutateLines(rng, parent, corpus),
  };
}
