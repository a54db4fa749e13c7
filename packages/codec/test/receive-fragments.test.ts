/** HCI extended-report fragments: reassembled, and the memory they hold is bounded. */
import { describe, expect, it } from 'vitest';
import { LINKTYPE, RemoteIdExtractor, buildExtendedAdvData, buildHciLeExtAdvertisingReport, encodeMessage } from '../src/index.js';

const mac = (i: number) => `c0:00:00:00:${((i >> 8) & 0xff).toString(16).padStart(2, '0')}:${(i & 0xff).toString(16).padStart(2, '0')}`;
const report = (address: string, fragment: 'more' | 'complete' | 'truncated', data: Uint8Array) =>
  buildHciLeExtAdvertisingReport([{ address, fragment, data, sid: 1, primaryPhy: 'coded', secondaryPhy: 'coded', rssi: -70 }], { phdr: true });

describe('extended advert fragments', () => {
  it('puts a split pack back together', () => {
    const pack = encodeMessage({ type: 'messagePack', messages: [{ type: 'selfId', descType: 0, desc: 'split' }, { type: 'operatorId', operatorIdType: 0, operatorId: 'OP-1' }] });
    const ad = buildExtendedAdvData(5, pack);
    const ex = new RemoteIdExtractor();
    expect(ex.fromRecord(LINKTYPE.BLUETOOTH_HCI_H4_WITH_PHDR, report(mac(1), 'more', ad.subarray(0, 30)))).toEqual([]);
    const out = ex.fromRecord(LINKTYPE.BLUETOOTH_HCI_H4_WITH_PHDR, report(mac(1), 'complete', ad.subarray(30)));
    expect(out.map((m) => m.message.type)).toEqual(['selfId', 'operatorId']);
    expect(out[0]).toMatchObject({ transport: 'ble-extended', counter: 5, mac: mac(1) });
  });

  it('holds at most 256 unfinished adverts, dropping (and counting) the oldest', () => {
    const ex = new RemoteIdExtractor();
    for (let i = 0; i < 300; i++) ex.fromRecord(LINKTYPE.BLUETOOTH_HCI_H4_WITH_PHDR, report(mac(i), 'more', new Uint8Array(200)));
    expect(ex.stats.dropped['fragment-lost']).toBe(44);
  });

  it('drops an advert whose fragments exceed the 1650 bytes extended advertising allows', () => {
    const ex = new RemoteIdExtractor();
    for (let i = 0; i < 9; i++) ex.fromRecord(LINKTYPE.BLUETOOTH_HCI_H4_WITH_PHDR, report(mac(7), 'more', new Uint8Array(200)));
    expect(ex.stats.dropped['fragment-lost']).toBe(1);
  });
});
