/**
 * The nRF Sniffer's legacy header (v0, "0xBEEF", firmware before 1.0) on DLT 272, read as Wireshark's
 * packet-nordic_ble.c reads it. Its payload length is one byte, so odid_bt5_lr_sample's coded-PHY records
 * (271 bytes) cannot be re-wrapped in it as they are: their Remote ID messages are sent again the BLE 4 way,
 * one per ADV_NONCONN_IND (the codec's own frames, DLT 256), and the same LE packets are wrapped in v0
 * headers; tshark must find the same adverts in both, and `odid decode` the same lines (and the messages of
 * the original capture). Where the external corpus is present, a real BLE 4 capture (nRF Sniffer v3) is
 * re-wrapped record by record and must decode exactly as the original.
 */

import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { corpusPath, fixturePath, itCorpus } from '../../../test/support/fixtures.js';
import { odid } from '../../../test/support/run-cli.js';
import { tshark } from '../../../test/support/tshark.js';
import { CaptureReader, PcapWriter, type CaptureRecord } from '../src/capture/index.js';
import { concatBytes, toHex } from '../src/bytes.js';
import { DecodeError } from '../src/errors.js';
import { BLE_PHDR_LENGTH, LINKTYPE, buildBleAdvPdu, decodeLinkFrame, type BleAdvFrame, type LinkResult } from '../src/link/index.js';
import { buildAirFrames } from '../src/transmit/index.js';
import { nordicV0Record } from './link-header-writers.js';

const tmp = mkdtempSync(path.join(tmpdir(), 'odid-nordic-v0-'));
const BT5 = fixturePath('captures', 'opendroneid+wireshark-dissector', 'odid_bt5_lr_sample.pcapng');
const MESSAGE_SIZE = 25;

function readRecords(file: string): CaptureRecord[] {
  const reader = new CaptureReader();
  return [...reader.push(new Uint8Array(readFileSync(file))), ...reader.end()];
}

function writePcap(name: string, linkType: number, records: { t: number; data: Uint8Array }[]): string {
  const w = new PcapWriter();
  const file = path.join(tmp, name);
  writeFileSync(file, concatBytes([w.header(linkType), ...records.map((r) => w.packet(r.t, r.data))]));
  return file;
}

const lines = (stdout: string): Record<string, unknown>[] => stdout.split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>);

/** tshark's view of each advert: protocols, address, Remote ID service data, channel and signal (from whichever header). */
function tsharkAdverts(file: string): string[] {
  const f = ['frame.number', 'btle.advertising_address', 'btcommon.eir_ad.entry.service_data', 'btle.crc.incorrect'];
  return tshark(['-r', file, '-T', 'fields', '-E', 'separator=;', ...f.flatMap((x) => ['-e', x])]).trim().split('\n');
}

describe('nRF Sniffer v0 around the Remote ID messages of odid_bt5_lr_sample', () => {
  // Each good BT5 record's AD: length, 16 FA FF 0D, counter, pack (F0 19 count, then 25-byte messages).
  const sent: { t: number; address: string; counter: number; message: Uint8Array; rssi: number }[] = [];
  for (const r of readRecords(BT5)) {
    const f = decodeLinkFrame(r.linkType, r.data).frames[0] as BleAdvFrame;
    if (f.crc !== 'ok') continue;
    const ad = f.advData;
    expect(toHex(ad.subarray(1, 5))).toBe('16faff0d');
    const pack = ad.subarray(6);
    for (let i = 0; i < pack[2]!; i++) {
      sent.push({ t: r.timestamp, address: f.address!, counter: ad[5]!, message: pack.subarray(3 + i * MESSAGE_SIZE, 3 + (i + 1) * MESSAGE_SIZE), rssi: f.rssi! });
    }
  }
  const channels = [37, 38, 39];
  const phdr = sent.map((s, i) => {
    const [air] = buildAirFrames({ transport: 'ble-legacy', address: s.address, counter: s.counter, payload: s.message, channel: channels[i % 3], rssi: s.rssi });
    return { t: s.t, data: air!.data };
  });
  const v0 = phdr.map((r, i) => ({ t: r.t, data: nordicV0Record(r.data.subarray(BLE_PHDR_LENGTH), { flags: 0x01, channel: channels[i % 3]!, rssi: sent[i]!.rssi, counter: i }) }));
  const phdrFile = writePcap('bt5-as-ble4-phdr.pcap', LINKTYPE.BLUETOOTH_LE_LL_WITH_PHDR, phdr);
  const v0File = writePcap('bt5-as-ble4-nordic-v0.pcap', LINKTYPE.NORDIC_BLE, v0);

  it('tshark reads every v0 record through the legacy header and finds the adverts it finds behind the LE pseudo-header', () => {
    expect(sent.length).toBeGreaterThan(1000);
    const stacks = tshark(['-r', v0File, '-T', 'fields', '-e', 'frame.protocols', '-e', 'nordic_ble.legacy_marker', '-e', 'nordic_ble.protover']).trim().split('\n');
    expect(new Set(stacks)).toEqual(new Set(['nordic_ble:btle:btcommon\t0xbeef\t0']));
    const want = tsharkAdverts(phdrFile);
    expect(want.every((row) => row.split(';')[2] !== '')).toBe(true);
    expect(tsharkAdverts(v0File)).toEqual(want);
    // Channel and signal: tshark's from the v0 header are those of the pseudo-header.
    const radio = (file: string, fields: string[]) => tshark(['-r', file, '-T', 'fields', ...fields.flatMap((x) => ['-e', x])]).trim().split('\n');
    expect(radio(v0File, ['nordic_ble.channel', 'nordic_ble.rssi'])).toEqual(radio(phdrFile, ['btle_rf.channel', 'btle_rf.signal_dbm']).map((l) => l.replace(/^(\d+)\t/, (_m, rf: string) => `${rfToIndex(Number(rf))}\t`)));
  });

  it('odid decode prints the same lines for both, and the messages of the original capture', () => {
    const fromPhdr = odid(['decode', phdrFile]);
    const fromV0 = odid(['decode', v0File]);
    expect(fromV0.status).toBe(0);
    expect(fromV0.stderr).not.toMatch(/unreadable|dropped|link warnings/);
    expect(fromV0.stdout).toBe(fromPhdr.stdout);
    const original = lines(odid(['decode', BT5]).stdout).map((l) => l.message);
    expect(lines(fromV0.stdout).map((l) => l.message)).toEqual(original);
  });
});

/** BLE RF channel (0..39 by frequency) -> channel index (37, 38, 39 are RF 0, 12, 39). */
function rfToIndex(rf: number): number {
  if (rf === 0) return 37;
  if (rf === 12) return 38;
  if (rf === 39) return 39;
  return rf < 12 ? rf - 1 : rf - 2;
}

describe('nRF Sniffer v0 records by hand', () => {
  const pdu = buildBleAdvPdu({ pdu: 'ADV_NONCONN_IND', address: 'c0:11:22:33:44:55', advData: Uint8Array.of(2, 1, 6) });
  const rec = nordicV0Record(pdu, { flags: 0x01, channel: 38, rssi: -66 });
  const ids = (r: LinkResult) => r.diagnostics.map((d) => d.id);
  const refused = (data: Uint8Array) => {
    try {
      decodeLinkFrame(LINKTYPE.NORDIC_BLE, data);
    } catch (e) {
      expect(e).toBeInstanceOf(DecodeError);
      const d = e as DecodeError;
      return { code: d.code, offset: d.offset, path: d.path };
    }
    throw new Error('expected a DecodeError');
  };

  it('flags, channel and RSSI sit where v1..v3 have them; the packet follows at 17', () => {
    const r = decodeLinkFrame(LINKTYPE.NORDIC_BLE, rec);
    expect(ids(r)).toEqual([]);
    expect(r.frames[0]).toMatchObject({ pdu: 'ADV_NONCONN_IND', address: 'c0:11:22:33:44:55', channel: 38, rssi: -66, crc: 'ok', phy: '1M' });
    // The sniffer's CRC flag and the computed CRC are both read.
    const damaged = rec.slice();
    damaged[rec.length - 1] = damaged[rec.length - 1]! ^ 0xff;
    const bad = decodeLinkFrame(LINKTYPE.NORDIC_BLE, damaged);
    expect((bad.frames[0] as BleAdvFrame).crc).toBe('bad');
    expect(ids(bad)).toEqual(['link.bad-crc', 'link.nordic-crc-disagrees']);
  });

  it('other packet IDs carry no radio packet; bytes past the payload length are a warning', () => {
    const status = nordicV0Record(pdu, { id: 0x0e, flags: 0x01, channel: 38, rssi: -66 });
    const r = decodeLinkFrame(LINKTYPE.NORDIC_BLE, status);
    expect([r.frames, ids(r), r.diagnostics[0]!.offset]).toEqual([[], ['link.nordic-no-packet'], 2]);
    expect(ids(decodeLinkFrame(LINKTYPE.NORDIC_BLE, concatBytes([rec, Uint8Array.of(0, 0)])))).toEqual(['link.nordic-trailing-bytes']);
  });

  it('short or lying v0 headers are DecodeErrors at the field at fault', () => {
    expect(refused(rec.subarray(0, 16))).toEqual({ code: 'truncated', offset: 0, path: 'nordic' });
    expect(refused(rec.subarray(0, rec.length - 1))).toEqual({ code: 'truncated', offset: 7, path: 'nordic.payloadLength' });
    const short = rec.slice();
    short[7] = 5; // a payload too short for the event fields
    expect(refused(short)).toEqual({ code: 'truncated', offset: 7, path: 'nordic.eventHeaderLength' });
  });
});

itCorpus('a real BLE 4 capture (nRF Sniffer v3) re-wrapped in v0 headers: tshark and odid decode see the same', () => {
  const real = corpusPath('ayumu-kasuga+remoteID_packet_reader_loop_script', 'remoteID_capture.pcapng');
  // v3: board, payload length u16, version, counter u16, ID, event header length, flags, channel, RSSI, event counter u16, timestamp u32, packet.
  const v0 = readRecords(real).map((r) => {
    expect([r.data[3], r.data[7]]).toEqual([3, 10]);
    return { t: r.timestamp, data: nordicV0Record(r.data.subarray(17), { flags: r.data[8]!, channel: r.data[9]!, rssi: -r.data[10]!, counter: r.data[4]! | (r.data[5]! << 8) }) };
  });
  const file = writePcap('remoteID_capture-v0.pcap', LINKTYPE.NORDIC_BLE, v0);
  expect(tsharkAdverts(file)).toEqual(tsharkAdverts(real));
  const view = (f: string) => tshark(['-r', f, '-T', 'fields', '-e', 'nordic_ble.channel', '-e', 'nordic_ble.rssi', '-e', 'nordic_ble.crcok']).trim().split('\n');
  expect(view(file)).toEqual(view(real));
  const want = odid(['decode', real]);
  expect(lines(want.stdout).length).toBeGreaterThan(0);
  expect(odid(['decode', file]).stdout).toBe(want.stdout);
});
