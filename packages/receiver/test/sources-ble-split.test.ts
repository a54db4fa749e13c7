/**
 * The BLE source reads its HCI events with the codec's splitter and no parser of its own: a stub noble
 * hands it event bytes, the codec's splitHciAdvReports is watched, and what the source forwards is what
 * the splitter found, each report recorded in an event of its own. Also how it takes a bad report among
 * good ones: the good ones go on, the bad one is reported.
 */

import { EventEmitter } from 'node:events';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  buildHciLeAdvertisingReport,
  buildHciLeExtAdvertisingReport,
  buildLegacyAdvData,
  encodeMessage,
  splitHciAdvReports,
  type HciLegacyReport,
} from '@odid/codec';
import { BleSource, BleSourceError, type AdapterState, type NobleLike, type NobleRuntime } from '../src/sources/ble.js';
import type { RawFrame } from '../src/sources/types.js';

vi.mock('@odid/codec', async (importOriginal) => {
  const codec = await importOriginal<typeof import('@odid/codec')>();
  return { ...codec, splitHciAdvReports: vi.fn(codec.splitHciAdvReports) };
});
const splitter = vi.mocked(splitHciAdvReports);

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');
const ODID = buildLegacyAdvData(3, encodeMessage({ type: 'basicId', idType: 1, uaType: 2, uasId: '1596F3A8B7C2D4E5F6G7' }));
const FLAGS = Uint8Array.of(0x02, 0x01, 0x06);

/** A noble that is powered on at once and whose HCI socket the test writes to. */
function stubNoble(socket: EventEmitter): NobleRuntime {
  const noble = new EventEmitter() as EventEmitter & NobleLike;
  Object.assign(noble, {
    _bindings: { _hci: { _socket: socket, _isExtended: true } },
    startScanningAsync: async () => undefined,
    stopScanningAsync: async () => undefined,
    stop: () => undefined,
  });
  noble.on('newListener', (event: string) => {
    if (event === 'stateChange') setImmediate(() => noble.emit('stateChange', 'poweredOn' satisfies AdapterState));
  });
  return { version: 'stub', create: () => noble, createSocket: () => new EventEmitter() as never };
}

let socket: EventEmitter;
let source: BleSource;
let frames: RawFrame[];
let errors: Error[];
async function start(allReports = false): Promise<void> {
  socket = new EventEmitter();
  source = new BleSource({ hciDevice: 0, allReports, forgetEveryMs: 0, loadNoble: async () => stubNoble(socket), timers: { now: () => 1_000_000, setTimeout, clearTimeout } as never });
  frames = [];
  errors = [];
  source.on('frame', (f) => frames.push(f));
  source.on('error', (e) => errors.push(e));
  await source.start();
}
/** What noble's socket delivers: a Buffer per H4 packet. */
const deliver = (packet: Uint8Array): boolean => socket.emit('data', Buffer.from(packet));

beforeEach(() => {
  splitter.mockClear();
});
afterEach(async () => source.stop());

describe('the BLE source reads events with the codec', () => {
  it('splits each LE Meta event once with splitHciAdvReports and records exactly the reports it gives', async () => {
    await start(true);
    const legacy: HciLegacyReport[] = [
      { pdu: 'ADV_NONCONN_IND', address: 'c0:11:22:33:44:55', addressType: 1, data: ODID, rssi: -70 },
      { pdu: 'SCAN_RSP', address: '00:1b:dc:00:00:01', addressType: 2, data: FLAGS },
      { pdu: 'ADV_IND', address: '00:1b:dc:00:00:02', addressType: 3, data: FLAGS, rssi: 3 },
    ];
    const events = [
      buildHciLeAdvertisingReport(legacy),
      buildHciLeExtAdvertisingReport([
        { address: 'c0:11:22:33:44:55', primaryPhy: 'coded', secondaryPhy: 'coded', sid: 2, fragment: 'more', data: ODID.subarray(0, 10) },
        { address: 'c0:11:22:33:44:55', primaryPhy: 'coded', secondaryPhy: 'coded', sid: 2, data: ODID.subarray(10) },
      ]),
    ];
    for (const e of events) deliver(e);
    // One split per event, of the packet as delivered, from its event code on.
    expect(splitter.mock.calls.map(([p, at]) => [hex(p), at])).toEqual(events.map((e) => [hex(e), 1]));
    const split = splitter.mock.results.map((r) => r.value as ReturnType<typeof splitHciAdvReports>);
    expect(split.map((s) => s.reports.length)).toEqual([3, 2]);
    // Each report the splitter found, its bytes as they came, in an event of its own.
    const expected = split.flatMap((s, i) =>
      s.reports.map((r) => '00000001' + '043e' + hex(Uint8Array.of(2 + r.length, s.subevent!, 1)) + hex(events[i]!.subarray(r.offset, r.offset + r.length))),
    );
    expect(frames.map((f) => hex(f.data))).toEqual(expected);
    // ... which is what a controller sending one report per event sends.
    expect(frames.slice(0, 3).map((f) => hex(f.data))).toEqual(legacy.map((r) => '00000001' + hex(buildHciLeAdvertisingReport([r]))));
    expect(frames.every((f) => f.linkType === 201 && f.t === 1000)).toBe(true);
    expect(source.stats).toEqual({ events: 2, reports: 5, forwarded: 5, malformed: 0 });
    expect(errors).toEqual([]);
  });

  it('other packets never reach the splitter; other LE Meta events give nothing', async () => {
    await start(true);
    for (const p of ['040e0401030c00', '040f0400010d20', '02010020000400']) deliver(Buffer.from(p, 'hex'));
    expect(splitter).not.toHaveBeenCalled();
    deliver(Buffer.from('043e130100000100000000000000000000000000000000', 'hex')); // LE Connection Complete
    deliver(Buffer.from('043e0a0100', 'hex')); // and one that is cut
    expect(splitter).toHaveBeenCalledTimes(2);
    expect([frames, errors, source.stats]).toEqual([[], [], { events: 0, reports: 0, forwarded: 0, malformed: 0 }]);
  });

  it('a report running past the event after good ones: the good ones go on, the damage is reported once', async () => {
    await start();
    const reps: HciLegacyReport[] = ['c0:11:22:33:44:55', 'c0:11:22:33:44:56', 'c0:11:22:33:44:57'].map((address) => ({ pdu: 'ADV_NONCONN_IND', address, data: ODID, rssi: -70 }));
    const event = buildHciLeAdvertisingReport(reps);
    event[5 + 2 * (10 + ODID.length) + 8] = 200; // Data_Length of the third report
    deliver(event);
    expect(frames.map((f) => hex(f.data))).toEqual(reps.slice(0, 2).map((r) => '00000001' + hex(buildHciLeAdvertisingReport([r]))));
    expect(errors).toHaveLength(1);
    const err = errors[0] as BleSourceError;
    expect(err).toBeInstanceOf(BleSourceError);
    expect(err.code).toBe('malformed');
    const { error } = splitter.mock.results[0]!.value as ReturnType<typeof splitHciAdvReports>;
    expect(err.message).toContain(`${error!.message}; 2 of 3 reports read; event ${hex(event)}`);
    expect(source.stats).toEqual({ events: 1, reports: 2, forwarded: 2, malformed: 1 });

    // An advertising report event cut short holds no report, and is reported.
    deliver(event.subarray(0, 20));
    expect(errors).toHaveLength(2);
    expect(errors[1]!.message).toMatch(/HCI event declares \d+ parameter bytes, 17 present \(byte 2\); 0 of 3 reports read/);
  });

  it('a report with a reserved value among good ones is refused alone, naming it', async () => {
    await start();
    const reps: HciLegacyReport[] = ['c0:11:22:33:44:55', 'c0:11:22:33:44:56', 'c0:11:22:33:44:57'].map((address) => ({ pdu: 'ADV_NONCONN_IND', address, data: ODID }));
    const event = buildHciLeAdvertisingReport(reps);
    event[5 + 10 + ODID.length] = 9; // Event_Type of the second report
    deliver(event);
    expect(frames.map((f) => hex(f.data))).toEqual([reps[0]!, reps[2]!].map((r) => '00000001' + hex(buildHciLeAdvertisingReport([r]))));
    expect(errors.map((e) => e.message)).toEqual([expect.stringMatching(/advertising report from c0:11:22:33:44:56 has reserved Event_Type 9/)]);
    expect(source.stats).toEqual({ events: 1, reports: 3, forwarded: 2, malformed: 1 });
  });

  it('the Remote ID pre-filter works on the split reports: other adverts stay, a fragment chain goes on whole', async () => {
    await start();
    deliver(
      buildHciLeAdvertisingReport([
        { pdu: 'ADV_IND', address: '00:1b:dc:00:00:01', data: FLAGS },
        { pdu: 'ADV_NONCONN_IND', address: 'c0:11:22:33:44:55', data: ODID },
      ]),
    );
    expect(frames).toHaveLength(1);
    const chain = { address: 'c0:11:22:33:44:66', primaryPhy: 'coded', secondaryPhy: 'coded', sid: 5 } as const;
    const first = buildHciLeExtAdvertisingReport([{ ...chain, fragment: 'more', data: ODID.subarray(0, 12) }]);
    const last = buildHciLeExtAdvertisingReport([{ ...chain, data: ODID.subarray(12) }]);
    deliver(first);
    expect(frames).toHaveLength(1); // held until the chain ends
    deliver(last);
    expect(frames.slice(1).map((f) => hex(f.data))).toEqual([first, last].map((e) => '00000001' + hex(e)));
  });
});
