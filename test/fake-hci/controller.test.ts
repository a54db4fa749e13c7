import { createRequire } from 'node:module';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ERR, FakeHost, OP, withFakeHci, type FakeController } from './index.js';
import { repoRoot } from '../support/fixtures.js';

const le16 = (v: number): number[] => [v & 0xff, v >> 8];
const le24 = (v: number): number[] => [v & 0xff, (v >> 8) & 0xff, v >> 16];
const ADDR = [0x55, 0x44, 0x33, 0x22, 0x11, 0xc0];
const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

function bt5(opts: Parameters<FakeHost['addController']>[0] = {}): FakeController {
  return new FakeHost().addController(opts);
}
function bt42(): FakeController {
  return new FakeHost().addController({ version: '4.2' });
}

/** Valid parameters for each checked command; table rows change one field. */
const VALID = {
  advParams: (): number[] => [...le16(0x00a0), ...le16(0x00a0), 0x03, 0x01, 0x00, ...ADDR, 0x07, 0x00],
  advData: (): number[] => [3, 2, 1, 6, ...new Array<number>(28).fill(0)],
  scanParams: (): number[] => [0x00, ...le16(0x0010), ...le16(0x0010), 0x00, 0x00],
  extParams: (): number[] => [
    0x01, // handle
    ...le16(0x0000), // properties
    ...le24(0x000640), // interval min
    ...le24(0x000640), // interval max
    0x07, // channel map
    0x01, // own address type
    0x00, // peer address type
    ...new Array<number>(6).fill(0), // peer address
    0x00, // filter policy
    0x7f, // tx power: no preference
    0x03, // primary PHY coded
    0x00, // secondary max skip
    0x03, // secondary PHY coded
    0x01, // SID
    0x00, // scan request notification
  ],
  extScanParams: (): number[] => [0x00, 0x00, 0x05, 0x00, ...le16(0x0010), ...le16(0x0010), 0x00, ...le16(0x0010), ...le16(0x0010)],
};
const set = (base: number[], at: number, ...bytes: number[]): number[] => {
  const out = base.slice();
  bytes.forEach((b, i) => (out[at + i] = b));
  return out;
};

describe('fake controller: command framing and answers', () => {
  it('answers Reset with a Command Complete carrying status 0 (Vol 4 Part E §7.7.14)', () => {
    const c = bt5();
    const rec = c.exec(OP.RESET);
    // 04 event, 0e Command Complete, 04 params: Num_HCI_Command_Packets 1, opcode 0c03 LE, status 00.
    expect(hex(rec.reply)).toBe('040e0401030c00');
    expect(c.resetCount).toBe(1);
  });

  it('returns the version and LE feature bits of a 5.4 and a 4.2 controller', () => {
    const v5 = bt5().exec(OP.READ_LOCAL_VERSION).reply;
    expect(v5[7]).toBe(0x0d); // HCI_Version 5.4
    const f5 = bt5().exec(OP.LE_READ_LOCAL_FEATURES).reply;
    // Return parameters start at byte 7; LE features octet 1 holds bits 8..15: bit 11 Coded, bit 12 extended advertising.
    expect(f5[8]! & 0x18).toBe(0x18);
    const f42 = bt42().exec(OP.LE_READ_LOCAL_FEATURES).reply;
    expect(f42[8]! & 0x18).toBe(0);
    expect(bt42().exec(OP.READ_LOCAL_VERSION).reply[7]).toBe(0x08);
  });

  it('answers Read BD_ADDR with the public address, least significant octet first', () => {
    const c = new FakeHost().addController({ address: '00:1B:DC:01:02:03' });
    expect(hex(c.exec(OP.READ_BD_ADDR).reply)).toBe('040e0a0109100003020' + '1dc1b00');
  });

  it('reports supported commands per version (octet 36 bit 2: LE Set Extended Advertising Parameters)', () => {
    const mask5 = bt5().exec(OP.READ_LOCAL_COMMANDS).reply.subarray(7);
    const mask42 = bt42().exec(OP.READ_LOCAL_COMMANDS).reply.subarray(7);
    expect(mask5).toHaveLength(64);
    expect(mask5[36]! & 0x04).toBe(0x04);
    expect(mask42[36]! & 0x04).toBe(0);
    expect(mask42[25]! & 0x20).toBe(0x20); // LE Set Advertising Parameters on both
    expect(mask5[5]! & 0x80).toBe(0x80); // Reset
  });

  it('answers an unknown opcode with Command Status 0x01 Unknown HCI Command', () => {
    const rec = bt5().exec(0xfc01); // a vendor opcode the fake does not implement
    expect(rec.status).toBe(ERR.UNKNOWN_COMMAND);
    // 04 event, 0f Command Status, 04 params: status 01, Num_HCI_Command_Packets 1, opcode fc01 LE.
    expect(hex(rec.reply)).toBe('040f04010101fc');
  });

  it.each([
    ['LE Set Advertising Set Random Address', OP.LE_SET_ADV_SET_RANDOM_ADDRESS, [1, ...ADDR]],
    ['LE Set Extended Advertising Parameters', OP.LE_SET_EXT_ADV_PARAMS, VALID.extParams()],
    ['LE Set Extended Advertising Data', OP.LE_SET_EXT_ADV_DATA, [1, 3, 0, 0]],
    ['LE Set Extended Advertising Enable', OP.LE_SET_EXT_ADV_ENABLE, [0, 0]],
    ['LE Read Maximum Advertising Data Length', OP.LE_READ_MAX_ADV_DATA_LENGTH, []],
    ['LE Read Number of Supported Advertising Sets', OP.LE_READ_NUM_ADV_SETS, []],
    ['LE Remove Advertising Set', OP.LE_REMOVE_ADV_SET, [1]],
    ['LE Clear Advertising Sets', OP.LE_CLEAR_ADV_SETS, []],
    ['LE Set Extended Scan Parameters', OP.LE_SET_EXT_SCAN_PARAMS, VALID.extScanParams()],
    ['LE Set Extended Scan Enable', OP.LE_SET_EXT_SCAN_ENABLE, [1, 0, 0, 0, 0, 0]],
    ['LE Set Default PHY', OP.LE_SET_DEFAULT_PHY, [0, 5, 5]],
  ])('a 4.2 controller answers %s with 0x01', (_name, op, params) => {
    const rec = bt42().exec(op, params);
    expect(rec.status).toBe(ERR.UNKNOWN_COMMAND);
    expect(rec.reply[1]).toBe(0x0f);
  });

  it('rejects a Parameter_Total_Length that does not match the packet, and records it', async () => {
    const host = new FakeHost();
    const ctrl = host.addController({ adapterUp: false });
    const sock = host.createSocket();
    const events: Buffer[] = [];
    sock.on('data', (d: Buffer) => events.push(d));
    sock.bindUser(0);
    sock.start();
    // LE Set Advertising Parameters declaring 15 parameter octets but carrying 14.
    sock.write(Buffer.from([0x01, 0x06, 0x20, 15, ...VALID.advParams().slice(0, 14)]));
    await Promise.resolve();
    expect(ctrl.log.at(-1)?.status).toBe(ERR.INVALID_PARAMETERS);
    expect(ctrl.violations[0]).toMatch(/Parameter_Total_Length 15 but the packet carries 14/);
    // Command Complete for 0x2006 with status 0x12.
    expect(hex(events[0]!)).toBe('040e0401062012');
  });

  it.each([
    ['Reset with a parameter', OP.RESET, [0]],
    ['LE Set Advertising Parameters with 14 octets', OP.LE_SET_ADV_PARAMS, VALID.advParams().slice(0, 14)],
    ['LE Set Advertising Data with 31 octets (it always takes 32)', OP.LE_SET_ADV_DATA, VALID.advData().slice(0, 31)],
    ['LE Set Extended Advertising Parameters with 24 octets', OP.LE_SET_EXT_ADV_PARAMS, VALID.extParams().slice(0, 24)],
    ['LE Set Extended Advertising Data whose length field says 10 but carries 9', OP.LE_SET_EXT_ADV_DATA, [1, 3, 0, 10, ...new Array<number>(9).fill(0)]],
    ['LE Set Extended Advertising Enable with Num_Sets 2 but one set', OP.LE_SET_EXT_ADV_ENABLE, [1, 2, 1, 0, 0, 0]],
    ['LE Set Extended Scan Parameters listing 1M+Coded with one PHY block', OP.LE_SET_EXT_SCAN_PARAMS, VALID.extScanParams().slice(0, 8)],
  ])('rejects %s with 0x12', (_name, op, params) => {
    const rec = bt5().exec(op, params);
    expect(rec.status).toBe(ERR.INVALID_PARAMETERS);
    expect(rec.why).toMatch(/parameter octets/);
  });
});

describe('fake controller: parameter ranges (Vol 4 Part E §7.8)', () => {
  interface Row {
    case: string;
    op: number;
    params: number[];
    version?: '4.2';
    status?: number;
    /** Commands to run first (each must succeed). */
    before?: [number, number[]][];
  }
  const ext = VALID.extParams();
  const rows: Row[] = [
    // §7.8.5 LE Set Advertising Parameters
    { case: 'adv interval min 0x001F', op: OP.LE_SET_ADV_PARAMS, params: set(VALID.advParams(), 0, 0x1f, 0x00) },
    { case: 'adv interval max 0x4001', op: OP.LE_SET_ADV_PARAMS, params: set(VALID.advParams(), 2, 0x01, 0x40) },
    { case: 'adv interval min > max', op: OP.LE_SET_ADV_PARAMS, params: set(VALID.advParams(), 0, 0xa1, 0x00) },
    { case: 'adv type 5', op: OP.LE_SET_ADV_PARAMS, params: set(VALID.advParams(), 4, 5) },
    { case: 'own address type 4', op: OP.LE_SET_ADV_PARAMS, params: set(VALID.advParams(), 5, 4) },
    { case: 'peer address type 2', op: OP.LE_SET_ADV_PARAMS, params: set(VALID.advParams(), 6, 2) },
    { case: 'channel map 0', op: OP.LE_SET_ADV_PARAMS, params: set(VALID.advParams(), 13, 0) },
    { case: 'channel map 8 (reserved bit)', op: OP.LE_SET_ADV_PARAMS, params: set(VALID.advParams(), 13, 8) },
    { case: 'filter policy 4', op: OP.LE_SET_ADV_PARAMS, params: set(VALID.advParams(), 14, 4) },
    { case: 'ADV_NONCONN_IND below 100 ms on 4.2', op: OP.LE_SET_ADV_PARAMS, params: set(VALID.advParams(), 0, 0x9f, 0x00), version: '4.2' },
    // §7.8.7 LE Set Advertising Data, §7.8.9 enable
    { case: 'adv data length 32', op: OP.LE_SET_ADV_DATA, params: set(VALID.advData(), 0, 32) },
    { case: 'scan response length 32', op: OP.LE_SET_SCAN_RSP_DATA, params: set(VALID.advData(), 0, 32) },
    { case: 'advertising enable 2', op: OP.LE_SET_ADV_ENABLE, params: [2] },
    { case: 'enable a random-address advert before LE Set Random Address', op: OP.LE_SET_ADV_ENABLE, params: [1], before: [[OP.LE_SET_ADV_PARAMS, VALID.advParams()]] },
    // §7.8.10 / §7.8.11 scanning
    { case: 'scan type 2', op: OP.LE_SET_SCAN_PARAMS, params: set(VALID.scanParams(), 0, 2) },
    { case: 'scan interval 0x0003', op: OP.LE_SET_SCAN_PARAMS, params: set(VALID.scanParams(), 1, 3, 0) },
    { case: 'scan window > interval', op: OP.LE_SET_SCAN_PARAMS, params: set(VALID.scanParams(), 3, 0x11, 0) },
    { case: 'scan own address type 4', op: OP.LE_SET_SCAN_PARAMS, params: set(VALID.scanParams(), 5, 4) },
    { case: 'scan filter policy 4', op: OP.LE_SET_SCAN_PARAMS, params: set(VALID.scanParams(), 6, 4) },
    { case: 'scan enable 2', op: OP.LE_SET_SCAN_ENABLE, params: [2, 0] },
    { case: 'filter duplicates 2 (legacy)', op: OP.LE_SET_SCAN_ENABLE, params: [1, 2] },
    // §7.8.53 LE Set Extended Advertising Parameters
    { case: 'ext handle 0xF0', op: OP.LE_SET_EXT_ADV_PARAMS, params: set(ext, 0, 0xf0) },
    { case: 'ext properties with reserved bit 7', op: OP.LE_SET_EXT_ADV_PARAMS, params: set(ext, 1, 0x80, 0) },
    { case: 'ext legacy properties 0x11 (legacy connectable non-scannable)', op: OP.LE_SET_EXT_ADV_PARAMS, params: set(ext, 1, 0x11, 0, ...le24(0xa0), ...le24(0xa0), 7, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0x7f, 1) },
    { case: 'ext connectable and scannable', op: OP.LE_SET_EXT_ADV_PARAMS, params: set(ext, 1, 0x03, 0) },
    { case: 'ext interval min 0x00001F', op: OP.LE_SET_EXT_ADV_PARAMS, params: set(ext, 3, 0x1f, 0, 0) },
    { case: 'ext interval min > max', op: OP.LE_SET_EXT_ADV_PARAMS, params: set(ext, 3, 0x41, 0x06, 0) },
    { case: 'ext channel map 0', op: OP.LE_SET_EXT_ADV_PARAMS, params: set(ext, 9, 0) },
    { case: 'ext own address type 4', op: OP.LE_SET_EXT_ADV_PARAMS, params: set(ext, 10, 4) },
    { case: 'ext peer address type 2', op: OP.LE_SET_EXT_ADV_PARAMS, params: set(ext, 11, 2) },
    { case: 'ext filter policy 4', op: OP.LE_SET_EXT_ADV_PARAMS, params: set(ext, 18, 4) },
    { case: 'ext TX power +21 dBm', op: OP.LE_SET_EXT_ADV_PARAMS, params: set(ext, 19, 21) },
    { case: 'ext primary PHY 0', op: OP.LE_SET_EXT_ADV_PARAMS, params: set(ext, 20, 0) },
    { case: 'ext primary PHY 2 (LE 2M)', op: OP.LE_SET_EXT_ADV_PARAMS, params: set(ext, 20, 2) },
    { case: 'ext primary PHY 4', op: OP.LE_SET_EXT_ADV_PARAMS, params: set(ext, 20, 4) },
    { case: 'ext secondary PHY 0', op: OP.LE_SET_EXT_ADV_PARAMS, params: set(ext, 22, 0) },
    { case: 'ext secondary PHY 4', op: OP.LE_SET_EXT_ADV_PARAMS, params: set(ext, 22, 4) },
    { case: 'ext SID 16', op: OP.LE_SET_EXT_ADV_PARAMS, params: set(ext, 23, 16) },
    { case: 'ext scan request notification 2', op: OP.LE_SET_EXT_ADV_PARAMS, params: set(ext, 24, 2) },
    { case: 'ext legacy PDU on LE Coded', op: OP.LE_SET_EXT_ADV_PARAMS, params: set(ext, 1, 0x10, 0) },
    // §7.8.54 LE Set Extended Advertising Data
    { case: 'ext data handle 0xF0', op: OP.LE_SET_EXT_ADV_DATA, params: [0xf0, 3, 0, 0] },
    { case: 'ext data unknown handle', op: OP.LE_SET_EXT_ADV_DATA, params: [5, 3, 0, 0], status: ERR.UNKNOWN_ADVERTISING_IDENTIFIER },
    { case: 'ext data operation 5', op: OP.LE_SET_EXT_ADV_DATA, params: [1, 5, 0, 0], before: [[OP.LE_SET_EXT_ADV_PARAMS, ext]] },
    { case: 'ext data fragment preference 2', op: OP.LE_SET_EXT_ADV_DATA, params: [1, 3, 2, 0], before: [[OP.LE_SET_EXT_ADV_PARAMS, ext]] },
    { case: 'ext data "last" without "first"', op: OP.LE_SET_EXT_ADV_DATA, params: [1, 2, 0, 1, 0], before: [[OP.LE_SET_EXT_ADV_PARAMS, ext]] },
    { case: 'ext data "unchanged" carrying data', op: OP.LE_SET_EXT_ADV_DATA, params: [1, 4, 0, 1, 0], before: [[OP.LE_SET_EXT_ADV_PARAMS, ext]] },
    { case: 'legacy set given 32 octets', op: OP.LE_SET_EXT_ADV_DATA, params: [0, 3, 0, 32, ...new Array<number>(32).fill(0)], before: [[OP.LE_SET_EXT_ADV_PARAMS, set(ext, 0, 0, 0x10, 0, ...le24(0xa0), ...le24(0xa0), 7, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0x7f, 1, 0, 1)]] },
    { case: 'legacy set given a fragment', op: OP.LE_SET_EXT_ADV_DATA, params: [0, 1, 0, 1, 0], before: [[OP.LE_SET_EXT_ADV_PARAMS, set(ext, 0, 0, 0x10, 0, ...le24(0xa0), ...le24(0xa0), 7, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0x7f, 1, 0, 1)]] },
    { case: 'ext data beyond the controller capacity', op: OP.LE_SET_EXT_ADV_DATA, params: [1, 2, 0, 200, ...new Array<number>(200).fill(0)], status: ERR.MEMORY_CAPACITY_EXCEEDED, before: [[OP.LE_SET_EXT_ADV_PARAMS, ext], [OP.LE_SET_EXT_ADV_DATA, [1, 1, 0, 100, ...new Array<number>(100).fill(0)]]] },
    // §7.8.52 / §7.8.56 / §7.8.59
    { case: 'random address for an unknown set', op: OP.LE_SET_ADV_SET_RANDOM_ADDRESS, params: [3, ...ADDR], status: ERR.UNKNOWN_ADVERTISING_IDENTIFIER },
    { case: 'ext enable 2', op: OP.LE_SET_EXT_ADV_ENABLE, params: [2, 0] },
    { case: 'ext enable with Num_Sets 0', op: OP.LE_SET_EXT_ADV_ENABLE, params: [1, 0] },
    { case: 'ext enable an unknown set', op: OP.LE_SET_EXT_ADV_ENABLE, params: [1, 1, 7, 0, 0, 0], status: ERR.UNKNOWN_ADVERTISING_IDENTIFIER },
    { case: 'ext enable a random-address set with no address', op: OP.LE_SET_EXT_ADV_ENABLE, params: [1, 1, 1, 0, 0, 0], before: [[OP.LE_SET_EXT_ADV_PARAMS, ext]] },
    { case: 'ext enable listing a set twice', op: OP.LE_SET_EXT_ADV_ENABLE, params: [0, 2, 1, 0, 0, 0, 1, 0, 0, 0], before: [[OP.LE_SET_EXT_ADV_PARAMS, ext]] },
    { case: 'remove an unknown set', op: OP.LE_REMOVE_ADV_SET, params: [9], status: ERR.UNKNOWN_ADVERTISING_IDENTIFIER },
    // §7.8.48 LE Set Default PHY
    { case: 'All_PHYs 4', op: OP.LE_SET_DEFAULT_PHY, params: [4, 1, 1] },
    { case: 'TX_PHYs 8', op: OP.LE_SET_DEFAULT_PHY, params: [0, 8, 1] },
    { case: 'TX_PHYs 0 with a TX preference', op: OP.LE_SET_DEFAULT_PHY, params: [0, 0, 1] },
    // §7.8.64 / §7.8.65 extended scanning
    { case: 'Scanning_PHYs 0', op: OP.LE_SET_EXT_SCAN_PARAMS, params: [0, 0, 0] },
    { case: 'Scanning_PHYs bit 1 (2M)', op: OP.LE_SET_EXT_SCAN_PARAMS, params: [0, 0, 0x03, 0, 0x10, 0, 0x10, 0] },
    { case: 'ext scan type 2', op: OP.LE_SET_EXT_SCAN_PARAMS, params: set(VALID.extScanParams(), 3, 2) },
    { case: 'ext scan window > interval', op: OP.LE_SET_EXT_SCAN_PARAMS, params: set(VALID.extScanParams(), 6, 0x11, 0) },
    { case: 'ext scan own address type 4', op: OP.LE_SET_EXT_SCAN_PARAMS, params: set(VALID.extScanParams(), 0, 4) },
    { case: 'ext scan enable 2', op: OP.LE_SET_EXT_SCAN_ENABLE, params: [2, 0, 0, 0, 0, 0] },
    { case: 'ext scan filter duplicates 3', op: OP.LE_SET_EXT_SCAN_ENABLE, params: [1, 3, 0, 0, 0, 0] },
    { case: 'ext scan filter duplicates 2 without a period', op: OP.LE_SET_EXT_SCAN_ENABLE, params: [1, 2, 0, 0, 0, 0] },
    // Set Event Mask etc. take exact lengths; Write LE Host Support ranges
    { case: 'LE_Supported_Host 2', op: OP.WRITE_LE_HOST_SUPPORT, params: [2, 0] },
  ];

  it.each(rows)('$case -> rejected', (row) => {
    const c = row.version === '4.2' ? bt42() : bt5();
    for (const [op, p] of row.before ?? []) expect(c.exec(op, p).status, `setup ${op.toString(16)}: ${c.log.at(-1)?.why}`).toBe(0);
    const rec = c.exec(row.op, row.params);
    expect(rec.status, rec.why).toBe(row.status ?? ERR.INVALID_PARAMETERS);
    expect(rec.why).not.toBe('');
    // A refused command changes nothing and answers with the status alone.
    expect(rec.reply).toHaveLength(7);
  });

  it('accepts the valid baselines the table mutates', () => {
    const c = bt5();
    for (const [op, p] of [
      [OP.LE_SET_EXT_ADV_PARAMS, VALID.extParams()],
      [OP.LE_SET_EXT_SCAN_PARAMS, VALID.extScanParams()],
      [OP.LE_SET_DEFAULT_PHY, [0, 5, 5]],
    ] as [number, number[]][]) {
      expect(c.exec(op, p).status, c.log.at(-1)?.why).toBe(0);
    }
    const legacy = bt42();
    for (const [op, p] of [
      [OP.LE_SET_ADV_PARAMS, VALID.advParams()],
      [OP.LE_SET_ADV_DATA, VALID.advData()],
      [OP.LE_SET_SCAN_PARAMS, VALID.scanParams()],
    ] as [number, number[]][]) {
      expect(legacy.exec(op, p).status, legacy.log.at(-1)?.why).toBe(0);
    }
    // Faster than 100 ms is fine for a non-connectable advert on Bluetooth 5.
    expect(bt5().exec(OP.LE_SET_ADV_PARAMS, set(VALID.advParams(), 0, 0x20, 0)).status).toBe(0);
  });

  it('refuses to change parameters of an enabled advert with 0x0C', () => {
    const c = bt5();
    c.exec(OP.LE_SET_EXT_ADV_PARAMS, VALID.extParams());
    c.exec(OP.LE_SET_ADV_SET_RANDOM_ADDRESS, [1, ...ADDR]);
    expect(c.exec(OP.LE_SET_EXT_ADV_ENABLE, [1, 1, 1, 0, 0, 0]).status).toBe(0);
    expect(c.exec(OP.LE_SET_EXT_ADV_PARAMS, VALID.extParams()).status).toBe(ERR.COMMAND_DISALLOWED);
    expect(c.exec(OP.LE_SET_EXT_ADV_DATA, [1, 1, 0, 1, 0]).status).toBe(ERR.COMMAND_DISALLOWED); // fragments while enabled
    expect(c.exec(OP.LE_SET_EXT_ADV_DATA, [1, 3, 0, 1, 0]).status).toBe(0); // complete data is fine
    expect(c.exec(OP.LE_REMOVE_ADV_SET, [1]).status).toBe(ERR.COMMAND_DISALLOWED);

    const l = bt42();
    l.exec(OP.LE_SET_RANDOM_ADDRESS, ADDR);
    l.exec(OP.LE_SET_ADV_PARAMS, VALID.advParams());
    expect(l.exec(OP.LE_SET_ADV_ENABLE, [1]).status).toBe(0);
    expect(l.exec(OP.LE_SET_ADV_PARAMS, VALID.advParams()).status).toBe(ERR.COMMAND_DISALLOWED);
    expect(l.exec(OP.LE_SET_RANDOM_ADDRESS, ADDR).status).toBe(ERR.COMMAND_DISALLOWED);
  });
});

describe('fake controller: legacy and extended commands do not mix (Vol 4 Part E §3.1.1)', () => {
  it('latches the first style used until Reset, in both directions', () => {
    const c = bt5();
    expect(c.exec(OP.LE_SET_ADV_PARAMS, VALID.advParams()).status).toBe(0);
    const mixed = c.exec(OP.LE_SET_EXT_ADV_PARAMS, VALID.extParams());
    expect(mixed.status).toBe(ERR.COMMAND_DISALLOWED);
    expect(mixed.why).toMatch(/extended advertising command after legacy/);
    expect(c.exec(OP.LE_SET_EXT_SCAN_ENABLE, [0, 0, 0, 0, 0, 0]).status).toBe(ERR.COMMAND_DISALLOWED);
    c.exec(OP.RESET);
    expect(c.exec(OP.LE_SET_EXT_ADV_PARAMS, VALID.extParams()).status).toBe(0);
    expect(c.exec(OP.LE_SET_ADV_DATA, VALID.advData()).status).toBe(ERR.COMMAND_DISALLOWED);
    expect(c.exec(OP.LE_SET_SCAN_ENABLE, [0, 0]).status).toBe(ERR.COMMAND_DISALLOWED);
  });

  it('a 4.2 controller has only one style, so nothing latches', () => {
    const c = bt42();
    expect(c.exec(OP.LE_SET_ADV_PARAMS, VALID.advParams()).status).toBe(0);
    expect(c.exec(OP.LE_SET_SCAN_PARAMS, VALID.scanParams()).status).toBe(0);
    expect(c.state.style).toBeUndefined();
  });
});

describe('fake controller: state that tests read', () => {
  it('keeps parameters, data per set and enabled, and assembles fragmented data', () => {
    const c = bt5();
    c.exec(OP.LE_SET_EXT_ADV_PARAMS, VALID.extParams());
    c.exec(OP.LE_SET_ADV_SET_RANDOM_ADDRESS, [1, ...ADDR]);
    c.exec(OP.LE_SET_EXT_ADV_DATA, [1, 1, 0, 3, 1, 2, 3]);
    c.exec(OP.LE_SET_EXT_ADV_DATA, [1, 0, 0, 2, 4, 5]);
    expect(c.state.sets.get(1)?.data).toHaveLength(0); // not complete yet
    expect(c.exec(OP.LE_SET_EXT_ADV_ENABLE, [1, 1, 1, 0, 0, 0]).status).toBe(ERR.COMMAND_DISALLOWED);
    c.exec(OP.LE_SET_EXT_ADV_DATA, [1, 2, 0, 1, 6]);
    expect(Array.from(c.state.sets.get(1)!.data)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(c.exec(OP.LE_SET_EXT_ADV_ENABLE, [1, 1, 1, 0, 0, 0]).status).toBe(0);
    const s = c.state.sets.get(1)!;
    expect(s.enabled).toBe(true);
    expect(s.params).toMatchObject({ properties: 0, primaryPhy: 3, secondaryPhy: 3, sid: 1, intervalMax: 0x640 });
    expect(c.advertisements()[0]).toMatchObject({ key: 'hci0/set1', intervalMs: 1000, sid: 1, addressType: 1 });
    // Selected_TX_Power comes back in the Command Complete of the parameters.
    expect(c.commands(OP.LE_SET_EXT_ADV_PARAMS)[0]!.reply.subarray(7)).toEqual(Uint8Array.from([0]));
    c.exec(OP.RESET);
    expect(c.state.sets.size).toBe(0);
  });

  it('refuses a set beyond the number it supports with 0x07', () => {
    const c = bt5({ advertisingSets: 1 });
    expect(c.exec(OP.LE_SET_EXT_ADV_PARAMS, set(VALID.extParams(), 0, 0)).status).toBe(0);
    expect(c.exec(OP.LE_SET_EXT_ADV_PARAMS, set(VALID.extParams(), 0, 1)).status).toBe(ERR.MEMORY_CAPACITY_EXCEEDED);
  });

  it('refuses LE Coded on a 5.x controller without it with 0x11', () => {
    const c = bt5({ codedPhy: false });
    expect(c.exec(OP.LE_SET_EXT_ADV_PARAMS, VALID.extParams()).status).toBe(ERR.UNSUPPORTED_FEATURE_OR_PARAMETER);
    expect(c.exec(OP.LE_SET_EXT_SCAN_PARAMS, VALID.extScanParams()).status).toBe(ERR.UNSUPPORTED_FEATURE_OR_PARAMETER);
  });
});

describe('fake socket: the native module behaviour', () => {
  it('emits EAFNOSUPPORT from socket() on a kernel without Bluetooth, and bind returns undefined', () => {
    const host = new FakeHost({ kernel: 'no-bluetooth' });
    host.addController();
    const s = host.createSocket();
    const errors: (Error & { errno?: number; syscall?: string })[] = [];
    s.on('error', (e: Error) => errors.push(e));
    expect(s.bindUser(0)).toBeUndefined();
    expect(errors[0]).toMatchObject({ message: 'Address family not supported by protocol', errno: 97, syscall: 'socket creation failed' });
    expect(s.isDevUp()).toBe(false);
  });

  it('throws strerror() from bind: no such device, busy adapter on the user channel', () => {
    const host = new FakeHost();
    host.addController({ adapterUp: true });
    expect(() => host.createSocket().bindUser(4)).toThrow(/^No such device$/);
    expect(() => host.createSocket().bindUser(0)).toThrow(/^Device or resource busy$/);
    host.controller(0)!.adapterUp = false;
    const owner = host.createSocket();
    expect(owner.bindUser(0)).toBe(0);
    expect(() => host.createSocket().bindUser(0)).toThrow(/busy/);
    owner.stop();
    expect(host.createSocket().bindUser(0)).toBe(0);
  });

  it('answers asynchronously, buffers until start(), and filters the raw channel like Linux', async () => {
    const host = new FakeHost();
    host.addController({ adapterUp: true });
    const raw = host.createSocket();
    const got: string[] = [];
    raw.on('data', (d: Buffer) => got.push(d.toString('hex')));
    expect(raw.bindRaw(0)).toBe(0);
    raw.start();
    raw.write(Buffer.from([1, 3, 0x0c, 0]));
    expect(got).toEqual([]); // not synchronous
    await Promise.resolve();
    expect(got).toEqual([]); // a raw socket without a filter receives nothing
    const filter = Buffer.alloc(14);
    filter.writeUInt32LE(1 << 4, 0);
    filter.writeUInt32LE((1 << 0x0e) | (1 << 0x0f), 4);
    raw.setFilter(filter);
    raw.write(Buffer.from([1, 3, 0x0c, 0]));
    await Promise.resolve();
    expect(got).toEqual(['040e0401030c00']);
    raw.stop();
    const errors: Error[] = [];
    raw.on('error', (e: Error) => errors.push(e));
    raw.write(Buffer.from([1, 3, 0x0c, 0]));
    expect(errors[0]?.message).toBe('Bad file descriptor');
  });
});

describe('withFakeHci: the fake in place of @stoprocent/bluetooth-hci-socket', () => {
  it('serves require() of the package from the broadcaster (as noble requires it) until restore()', () => {
    const requireFromBroadcaster = createRequire(path.join(repoRoot, 'packages/broadcaster/package.json'));
    const install = withFakeHci();
    try {
      const mod = requireFromBroadcaster('@stoprocent/bluetooth-hci-socket') as typeof install.module;
      expect(mod).toBe(install.module);
      // noble: const { loadDriver } = require(...); new (loadDriver('default'))()
      const Socket = mod.loadDriver('default');
      const s = new Socket();
      expect(install.host.sockets).toContain(s);
      s.bindRaw(0);
      expect(s.controller).toBe(install.host.controller(0));
    } finally {
      install.restore();
    }
    const real = requireFromBroadcaster('@stoprocent/bluetooth-hci-socket') as unknown;
    expect(real).not.toBe(install.module);
    expect(typeof (real as { loadDriver?: unknown }).loadDriver).toBe('function');
  });
});
