/**
 * A btmon capture (`btmon -w file`: btsnoop, datalink 2001 "Linux monitor") as the Linux tool writes it: index
 * and system notes, the commands that start a scan, then the controller's advertising-report events. The
 * same records arrive as LINKTYPE 254 from Wireshark's bluetooth-monitor interface.
 */
import { describe, expect, it } from 'vitest';
import { odid } from '../../../test/support/run-cli.js';
import { buildExtendedAdvData, buildLegacyAdvData } from '@odid/codec';
import { buildHciLeAdvertisingReport, buildHciLeExtAdvertisingReport } from '@odid/codec';
import { encodeMessage, encodeSingleMessage } from '@odid/codec';

const SERIAL = '1581F5FJD228400X0S2K';
/** Linux include/net/bluetooth/hci_mon.h opcodes. */
const MON = { NEW_INDEX: 0, COMMAND_PKT: 2, EVENT_PKT: 3, SYSTEM_NOTE: 12 };
/** btsnoop time: µs since 0000-01-01; this offset takes Unix µs there. */
const BTSNOOP_EPOCH_OFFSET_US = 0x00dcddb30f2f8000n;

/** A btsnoop file, datalink 2001: each record's flags hold adapter index << 16 | opcode. */
function btmonFile(records: { opcode: number; data: Uint8Array; unixUs: number }[]): Uint8Array {
  const size = 16 + records.reduce((n, r) => n + 24 + r.data.length, 0);
  const out = new Uint8Array(size);
  const v = new DataView(out.buffer);
  out.set(new TextEncoder().encode('btsnoop\0'), 0);
  v.setUint32(8, 1);
  v.setUint32(12, 2001);
  let o = 16;
  for (const r of records) {
    v.setUint32(o, r.data.length);
    v.setUint32(o + 4, r.data.length);
    v.setUint32(o + 8, (0 << 16) | r.opcode);
    v.setUint32(o + 12, 0);
    v.setBigInt64(o + 16, BigInt(r.unixUs) + BTSNOOP_EPOCH_OFFSET_US);
    out.set(r.data, o + 24);
    o += 24 + r.data.length;
  }
  return out;
}

describe('odid decode: btmon captures (btsnoop 2001 / LINKTYPE 254)', () => {
  it('finds the Remote ID messages in the advertising-report events and skips everything else', () => {
    const basicId = encodeSingleMessage({ type: 'basicId', protocolVersion: 2, idType: 1, uaType: 2, uasId: SERIAL });
    const selfId = encodeSingleMessage({ type: 'selfId', protocolVersion: 2, descType: 0, desc: 'Bridge inspection' });
    const pack = encodeMessage({
      type: 'messagePack',
      protocolVersion: 2,
      messages: [
        { type: 'basicId', protocolVersion: 2, idType: 1, uaType: 2, uasId: SERIAL },
        { type: 'selfId', protocolVersion: 2, descType: 0, desc: 'Bridge inspection' },
      ],
    });
    // Events without the H4 type byte, as the monitor channel carries them.
    const legacy = buildHciLeAdvertisingReport([{ pdu: 'ADV_NONCONN_IND', address: 'c3:4a:10:00:00:01', data: buildLegacyAdvData(7, basicId), rssi: -61 }]).subarray(1);
    const legacy2 = buildHciLeAdvertisingReport([{ pdu: 'ADV_NONCONN_IND', address: 'c3:4a:10:00:00:01', data: buildLegacyAdvData(8, selfId), rssi: -62 }]).subarray(1);
    const extended = buildHciLeExtAdvertisingReport([
      { address: 'c3:4a:10:00:00:01', primaryPhy: 'coded', secondaryPhy: 'coded', sid: 1, rssi: -80, fragment: 'complete', data: buildExtendedAdvData(3, pack) },
    ]).subarray(1);
    const t0 = 1_748_772_000_000_000;
    const file = btmonFile([
      { opcode: MON.NEW_INDEX, data: new Uint8Array(16), unixUs: t0 },
      { opcode: MON.SYSTEM_NOTE, data: new TextEncoder().encode('Bluetooth subsystem version 2.22\0'), unixUs: t0 },
      { opcode: MON.COMMAND_PKT, data: Uint8Array.from([0x0c, 0x20, 0x02, 0x01, 0x00]), unixUs: t0 + 10 }, // LE Set Scan Enable
      { opcode: MON.EVENT_PKT, data: Uint8Array.from([0x0e, 0x04, 0x01, 0x0c, 0x20, 0x00]), unixUs: t0 + 20 }, // Command Complete
      { opcode: MON.EVENT_PKT, data: legacy, unixUs: t0 + 100_000 },
      { opcode: MON.EVENT_PKT, data: legacy2, unixUs: t0 + 200_000 },
      { opcode: MON.EVENT_PKT, data: extended, unixUs: t0 + 300_000 },
    ]);

    const r = odid(['decode', '-'], file);
    expect(r.status, r.stderr).toBe(0);
    const out = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as { t: number; frame: number; transport: string; mac: string; rssi: number; counter: number; message: { type: string; uasId?: string; desc?: string } });
    expect(out.map((m) => [m.frame, m.transport, m.counter, m.message.type])).toEqual([
      [5, 'ble-legacy', 7, 'basicId'],
      [6, 'ble-legacy', 8, 'selfId'],
      [7, 'ble-extended', 3, 'basicId'],
      [7, 'ble-extended', 3, 'selfId'],
    ]);
    expect(out[0]).toMatchObject({ t: 1_748_772_000.1, mac: 'c3:4a:10:00:00:01', rssi: -61, message: { uasId: SERIAL } });
    expect(out[3]!.message.desc).toBe('Bridge inspection');
    expect(r.stderr).toMatch(/btsnoop: 7 frames, 3 with Remote ID, 4 messages/);
  });
});
