/**
 * The broadcaster's HCI layer: command bytes checked against the layouts of Bluetooth Core v5.4 Vol 4 Part E
 * (expected bytes written out by hand, one field per line), event parsing, the transport and addresses.
 */

import { describe, expect, it } from 'vitest';
import { FakeHost } from '../../../test/fake-hci/index.js';
import {
  HciError,
  HciParameterError,
  HciTransport,
  hciCommands as cmd,
  isRandomStaticAddress,
  openHciSocket,
  parseEvent,
  randomStaticAddress,
  readLocalVersion,
  type Timers,
} from '../src/radios/hci/index.js';

const bytes = (...parts: (number | number[])[]): string => Buffer.from(parts.flat()).toString('hex');
const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');
const MESSAGE = Array.from({ length: 25 }, (_, i) => (i === 0 ? 0x12 : i));

describe('legacy advertising commands, byte for byte (§7.8.4 - §7.8.9)', () => {
  it('LE Set Random Address', () => {
    expect(hex(cmd.leSetRandomAddress('C0:11:22:33:44:55'))).toBe(
      bytes(
        0x01, // HCI command packet
        [0x05, 0x20], // opcode 0x2005 = OGF 0x08 << 10 | OCF 0x005, little-endian
        0x06, // Parameter_Total_Length
        [0x55, 0x44, 0x33, 0x22, 0x11, 0xc0], // Random_Address, least significant octet first
      ),
    );
  });

  it('LE Set Advertising Parameters: ADV_NONCONN_IND from the random address, 75..100 ms', () => {
    const p = cmd.leSetAdvertisingParameters({ intervalMin: 120, intervalMax: 160, type: cmd.ADV_TYPE.ADV_NONCONN_IND, ownAddressType: cmd.OWN_ADDRESS.RANDOM });
    expect(hex(p)).toBe(
      bytes(
        0x01,
        [0x06, 0x20], // opcode 0x2006
        0x0f, // 15 parameter octets
        [0x78, 0x00], // Advertising_Interval_Min 120 x 0.625 ms = 75 ms
        [0xa0, 0x00], // Advertising_Interval_Max 160 x 0.625 ms = 100 ms
        0x03, // Advertising_Type ADV_NONCONN_IND
        0x01, // Own_Address_Type random
        0x00, // Peer_Address_Type (unused when undirected)
        [0, 0, 0, 0, 0, 0], // Peer_Address
        0x07, // Advertising_Channel_Map: 37, 38 and 39
        0x00, // Advertising_Filter_Policy: no filter
      ),
    );
  });

  it('LE Set Advertising Data: a length octet and always 31 data octets, zero-padded', () => {
    const odid = Uint8Array.from([0x1e, 0x16, 0xfa, 0xff, 0x0d, 0x07, ...MESSAGE]);
    expect(hex(cmd.leSetAdvertisingData(odid))).toBe(
      bytes(
        0x01,
        [0x08, 0x20], // opcode 0x2008
        0x20, // 32 parameter octets
        0x1f, // Advertising_Data_Length 31
        [0x1e, 0x16, 0xfa, 0xff, 0x0d, 0x07], // AD: length 30, Service Data 16-bit UUID, FFFA, app code 0x0D, counter 7
        MESSAGE, // the 25-byte message
      ),
    );
    expect(hex(cmd.leSetAdvertisingData(Uint8Array.from([2, 1, 6])))).toBe(
      bytes(0x01, [0x08, 0x20], 0x20, 0x03, [0x02, 0x01, 0x06], new Array<number>(28).fill(0)),
    );
  });

  it('LE Set Advertising Enable, LE Set Scan Parameters/Enable', () => {
    expect(hex(cmd.leSetAdvertisingEnable(true))).toBe(bytes(0x01, [0x0a, 0x20], 0x01, 0x01 /* Advertising_Enable */));
    expect(hex(cmd.leSetAdvertisingEnable(false))).toBe(bytes(0x01, [0x0a, 0x20], 0x01, 0x00));
    expect(hex(cmd.leSetScanParameters({ type: 1, interval: 0x12, window: 0x12 }))).toBe(
      bytes(0x01, [0x0b, 0x20], 0x07, 0x01 /* active */, [0x12, 0x00] /* interval */, [0x12, 0x00] /* window */, 0x00 /* own public */, 0x00 /* filter */),
    );
    expect(hex(cmd.leSetScanEnable(true, false))).toBe(bytes(0x01, [0x0c, 0x20], 0x02, 0x01 /* enable */, 0x00 /* duplicates reported */));
  });

  it('Reset, Read Local Version Information, LE Read Local Supported Features: opcode and no parameters', () => {
    expect(hex(cmd.reset())).toBe(bytes(0x01, [0x03, 0x0c], 0x00)); // OGF 0x03, OCF 0x003
    expect(hex(cmd.readLocalVersionInformation())).toBe(bytes(0x01, [0x01, 0x10], 0x00)); // OGF 0x04, OCF 0x001
    expect(hex(cmd.readBdAddr())).toBe(bytes(0x01, [0x09, 0x10], 0x00));
    expect(hex(cmd.leReadLocalSupportedFeatures())).toBe(bytes(0x01, [0x03, 0x20], 0x00));
    expect(hex(cmd.setEventMask(0x3dbff807fffbffffn))).toBe(bytes(0x01, [0x01, 0x0c], 0x08, [0xff, 0xff, 0xfb, 0xff, 0x07, 0xf8, 0xbf, 0x3d]));
  });
});

describe('extended advertising commands, byte for byte (§7.8.52 - §7.8.60)', () => {
  it('LE Set Extended Advertising Parameters: Long Range set (properties 0, LE Coded both, SID 1, 1 s)', () => {
    const p = cmd.leSetExtendedAdvertisingParameters({
      handle: 0,
      properties: 0,
      intervalMin: 1200,
      intervalMax: 1600,
      ownAddressType: cmd.OWN_ADDRESS.RANDOM,
      primaryPhy: cmd.PHY.LE_CODED,
      secondaryPhy: cmd.PHY.LE_CODED,
      sid: 1,
    });
    expect(hex(p)).toBe(
      bytes(
        0x01,
        [0x36, 0x20], // opcode 0x2036
        0x19, // 25 parameter octets
        0x00, // Advertising_Handle
        [0x00, 0x00], // Advertising_Event_Properties: extended, non-connectable, non-scannable
        [0xb0, 0x04, 0x00], // Primary_Advertising_Interval_Min 1200 x 0.625 ms = 750 ms (3 octets)
        [0x40, 0x06, 0x00], // Primary_Advertising_Interval_Max 1600 = 1 s
        0x07, // Primary_Advertising_Channel_Map: all three
        0x01, // Own_Address_Type random
        0x00, // Peer_Address_Type
        [0, 0, 0, 0, 0, 0], // Peer_Address
        0x00, // Advertising_Filter_Policy
        0x7f, // Advertising_TX_Power: no preference
        0x03, // Primary_Advertising_PHY LE Coded
        0x00, // Secondary_Advertising_Max_Skip
        0x03, // Secondary_Advertising_PHY LE Coded
        0x01, // Advertising_SID 1
        0x00, // Scan_Request_Notification_Enable off
      ),
    );
  });

  it('LE Set Extended Advertising Parameters: BT4 set with the legacy property (0x0010 = ADV_NONCONN_IND)', () => {
    const p = cmd.leSetExtendedAdvertisingParameters({
      handle: 1,
      properties: cmd.ADV_PROPERTY.LEGACY,
      intervalMin: 120,
      intervalMax: 160,
      ownAddressType: cmd.OWN_ADDRESS.RANDOM,
      primaryPhy: cmd.PHY.LE_1M,
      secondaryPhy: cmd.PHY.LE_1M,
      sid: 0,
      txPower: -4,
    });
    expect(hex(p)).toBe(
      bytes(
        0x01,
        [0x36, 0x20],
        0x19,
        0x01, // Advertising_Handle 1
        [0x10, 0x00], // properties: legacy PDU, non-connectable, non-scannable
        [0x78, 0x00, 0x00], // 75 ms
        [0xa0, 0x00, 0x00], // 100 ms
        0x07,
        0x01,
        0x00,
        [0, 0, 0, 0, 0, 0],
        0x00,
        0xfc, // Advertising_TX_Power -4 dBm (signed octet)
        0x01, // Primary_Advertising_PHY LE 1M (legacy PDUs)
        0x00,
        0x01, // Secondary_Advertising_PHY (ignored for legacy PDUs, must still be valid)
        0x00, // Advertising_SID
        0x00,
      ),
    );
  });

  it('LE Set Advertising Set Random Address, LE Set Extended Advertising Data, Enable, Remove, Clear', () => {
    expect(hex(cmd.leSetAdvertisingSetRandomAddress(1, 'C0:11:22:33:44:55'))).toBe(
      bytes(0x01, [0x35, 0x20], 0x07, 0x01 /* Advertising_Handle */, [0x55, 0x44, 0x33, 0x22, 0x11, 0xc0] /* Random_Address */),
    );
    const ad = Uint8Array.from([0x0b, 0x16, 0xfa, 0xff, 0x0d, 0x03, 0xf2, 0x19, 0x00, 0x00, 0x00, 0x00]);
    expect(hex(cmd.leSetExtendedAdvertisingData({ handle: 1, operation: cmd.ADV_DATA_OPERATION.COMPLETE, fragmentPreference: 1, data: ad }))).toBe(
      bytes(
        0x01,
        [0x37, 0x20], // opcode 0x2037
        4 + ad.length, // Parameter_Total_Length
        0x01, // Advertising_Handle
        0x03, // Operation: complete data
        0x01, // Fragment_Preference: do not fragment
        ad.length, // Advertising_Data_Length
        Array.from(ad), // Advertising_Data
      ),
    );
    expect(hex(cmd.leSetExtendedAdvertisingEnable(true, [{ handle: 1 }]))).toBe(
      bytes(0x01, [0x39, 0x20], 0x06, 0x01 /* Enable */, 0x01 /* Num_Sets */, 0x01 /* Advertising_Handle */, [0x00, 0x00] /* Duration: none */, 0x00 /* Max events: none */),
    );
    expect(hex(cmd.leSetExtendedAdvertisingEnable(false, []))).toBe(bytes(0x01, [0x39, 0x20], 0x02, 0x00, 0x00)); // disable all
    expect(hex(cmd.leRemoveAdvertisingSet(1))).toBe(bytes(0x01, [0x3c, 0x20], 0x01, 0x01));
    expect(hex(cmd.leClearAdvertisingSets())).toBe(bytes(0x01, [0x3d, 0x20], 0x00));
    expect(hex(cmd.leReadMaximumAdvertisingDataLength())).toBe(bytes(0x01, [0x3a, 0x20], 0x00));
    expect(hex(cmd.leReadNumberOfSupportedAdvertisingSets())).toBe(bytes(0x01, [0x3b, 0x20], 0x00));
  });

  it('LE Set Default PHY and extended scanning', () => {
    expect(hex(cmd.leSetDefaultPhy({ allPhys: 0, txPhys: 5, rxPhys: 5 }))).toBe(bytes(0x01, [0x31, 0x20], 0x03, 0x00, 0x05 /* 1M + Coded */, 0x05));
    expect(
      hex(
        cmd.leSetExtendedScanParameters({
          phys: [
            { phy: 'coded', type: 0, interval: 0x30, window: 0x30 },
            { phy: '1M', type: 0, interval: 0x10, window: 0x10 },
          ],
        }),
      ),
    ).toBe(
      bytes(
        0x01,
        [0x41, 0x20],
        0x0d, // 3 + 5 per PHY
        0x00, // Own_Address_Type
        0x00, // Scanning_Filter_Policy
        0x05, // Scanning_PHYs: LE 1M + LE Coded
        [0x00, 0x10, 0x00, 0x10, 0x00], // LE 1M: passive, interval, window
        [0x00, 0x30, 0x00, 0x30, 0x00], // LE Coded
      ),
    );
    expect(hex(cmd.leSetExtendedScanEnable({ enable: true }))).toBe(bytes(0x01, [0x42, 0x20], 0x06, 0x01, 0x00, [0x00, 0x00], [0x00, 0x00]));
  });

  it.each([
    ['interval below 0x20', () => cmd.leSetAdvertisingParameters({ intervalMin: 0x1f, intervalMax: 0xa0, type: 3, ownAddressType: 1 })],
    ['interval above 0x4000', () => cmd.leSetAdvertisingParameters({ intervalMin: 0xa0, intervalMax: 0x4001, type: 3, ownAddressType: 1 })],
    ['min above max', () => cmd.leSetAdvertisingParameters({ intervalMin: 0xa1, intervalMax: 0xa0, type: 3, ownAddressType: 1 })],
    ['advertising type 5', () => cmd.leSetAdvertisingParameters({ intervalMin: 0xa0, intervalMax: 0xa0, type: 5, ownAddressType: 1 })],
    ['channel map 0', () => cmd.leSetAdvertisingParameters({ intervalMin: 0xa0, intervalMax: 0xa0, type: 3, ownAddressType: 1, channelMap: 0 })],
    ['32 octets of legacy data', () => cmd.leSetAdvertisingData(new Uint8Array(32))],
    ['252 octets of extended data', () => cmd.leSetExtendedAdvertisingData({ handle: 0, operation: 3, data: new Uint8Array(252) })],
    ['handle 0xF0', () => cmd.leRemoveAdvertisingSet(0xf0)],
    ['SID 16', () => cmd.leSetExtendedAdvertisingParameters({ handle: 0, properties: 0, intervalMin: 0x20, intervalMax: 0x20, ownAddressType: 1, primaryPhy: 3, secondaryPhy: 3, sid: 16 })],
    ['primary PHY 2M', () => cmd.leSetExtendedAdvertisingParameters({ handle: 0, properties: 0, intervalMin: 0x20, intervalMax: 0x20, ownAddressType: 1, primaryPhy: 2, secondaryPhy: 3, sid: 1 })],
    ['TX power +21 dBm', () => cmd.leSetExtendedAdvertisingParameters({ handle: 0, properties: 0, intervalMin: 0x20, intervalMax: 0x20, ownAddressType: 1, primaryPhy: 3, secondaryPhy: 3, sid: 1, txPower: 21 })],
    ['enable with no set', () => cmd.leSetExtendedAdvertisingEnable(true, [])],
    ['a malformed address', () => cmd.leSetRandomAddress('C0:11:22:33:44')],
  ])('refuses %s with HciParameterError before sending', (_name, build) => {
    expect(build).toThrow(HciParameterError);
  });
});

describe('events', () => {
  it('parses Command Complete and Command Status (§7.7.14, §7.7.15)', () => {
    expect(parseEvent(Uint8Array.from([0x04, 0x0e, 0x05, 0x01, 0x36, 0x20, 0x00, 0xfc]))).toMatchObject({
      kind: 'command-complete',
      numPackets: 1,
      opcode: 0x2036,
      status: 0,
      returnParameters: Uint8Array.from([0xfc]),
    });
    expect(parseEvent(Uint8Array.from([0x04, 0x0f, 0x04, 0x01, 0x01, 0x36, 0x20]))).toEqual({ kind: 'command-status', status: 1, numPackets: 1, opcode: 0x2036 });
    expect(parseEvent(Uint8Array.from([0x04, 0x0e, 0x05, 0x01]))).toBeUndefined(); // cut short
    expect(readLocalVersion(Uint8Array.from([0x0d, 0x00, 0x01, 0x0d, 0xff, 0xff, 0x01, 0x00]))).toEqual({
      hciVersion: 0x0d,
      hciSubversion: 0x0100,
      lmpVersion: 0x0d,
      companyId: 0xffff,
      lmpSubversion: 1,
    });
  });

  it('HciError names the command, the status and what it means', () => {
    const e = new HciError('status', 0x2036, 0x12, '');
    expect(e.message).toBe(
      'LE Set Extended Advertising Parameters (0x2036) failed: status 0x12 Invalid HCI Command Parameters: a parameter is out of range or the parameter length is wrong',
    );
    expect(e).toMatchObject({ opcodeName: 'LE Set Extended Advertising Parameters (0x2036)', statusName: 'Invalid HCI Command Parameters' });
    expect(new HciError('status', 0x200a, 0x0c, '').message).toMatch(/Command Disallowed: .*legacy and extended/);
  });
});

/** Timers the test fires by hand. */
function manualTimers(): Timers & { fire(): void; pending: number } {
  const callbacks = new Map<number, () => void>();
  let id = 0;
  return {
    setTimeout: (fn) => (callbacks.set(++id, fn), id),
    clearTimeout: (h) => void callbacks.delete(h as number),
    fire: () => {
      for (const [k, fn] of [...callbacks]) {
        callbacks.delete(k);
        fn();
      }
    },
    get pending() {
      return callbacks.size;
    },
  };
}

describe('HciTransport against the fake controller', () => {
  function open(opts: Parameters<FakeHost['addController']>[0] = {}) {
    const host = new FakeHost();
    const ctrl = host.addController({ adapterUp: false, ...opts });
    const socket = openHciSocket(() => host.createSocket(), 0, 'user');
    return { host, ctrl, socket };
  }

  it('sends queued commands one at a time, in order, and returns their parameters', async () => {
    const { ctrl, socket } = open();
    const t = new HciTransport(socket);
    const [a, b, c] = await Promise.all([t.send(cmd.reset()), t.send(cmd.readBdAddr()), t.send(cmd.leReadNumberOfSupportedAdvertisingSets())]);
    expect(ctrl.log.map((r) => r.opcode)).toEqual([0x0c03, 0x1009, 0x203b]);
    expect(a.returnParameters).toHaveLength(0);
    expect(hex(b.returnParameters)).toBe('0000f0dc1b00'); // BD_ADDR 00:1B:DC:F0:00:00, least significant octet first
    expect(Array.from(c.returnParameters)).toEqual([4]);
    t.close();
  });

  it('turns a non-zero status into an HciError with the opcode name and status', async () => {
    const { socket } = open({ version: '4.2' });
    const t = new HciTransport(socket);
    const err = await t.send(cmd.leReadNumberOfSupportedAdvertisingSets()).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(HciError);
    expect(err).toMatchObject({ kind: 'status', opcode: 0x203b, status: 0x01, statusName: 'Unknown HCI Command' });
    // The next command still goes through.
    await expect(t.send(cmd.reset())).resolves.toMatchObject({ opcode: 0x0c03 });
  });

  it('times out a command the controller never answers, then carries on', async () => {
    const { socket } = open({ silentOpcodes: [0x1001] });
    const timers = manualTimers();
    const t = new HciTransport(socket, { timeoutMs: 50, timers });
    const lost = t.send(cmd.readLocalVersionInformation());
    const next = t.send(cmd.reset());
    await Promise.resolve();
    expect(timers.pending).toBe(1);
    timers.fire();
    await expect(lost).rejects.toMatchObject({ kind: 'timeout', opcode: 0x1001, message: expect.stringMatching(/Read Local Version Information \(0x1001\): no answer from the controller within 50 ms/) });
    await expect(next).resolves.toMatchObject({ opcode: 0x0c03 });
  });

  it('fails pending commands on close', async () => {
    const { socket } = open({ silentOpcodes: [0x0c03] });
    const t = new HciTransport(socket, { timers: manualTimers() });
    const p = t.send(cmd.reset());
    t.close();
    await expect(p).rejects.toMatchObject({ kind: 'closed' });
    await expect(t.send(cmd.reset())).rejects.toMatchObject({ kind: 'closed' });
  });
});

describe('random static address (Vol 6 Part B §1.3.2.1)', () => {
  it('sets the two top bits and keeps the rest from the injected randomness', () => {
    expect(randomStaticAddress(() => Uint8Array.from([0x12, 0x34, 0x56, 0x78, 0x9a, 0xbc]))).toBe('D2:34:56:78:9A:BC');
    for (let i = 0; i < 50; i++) expect(isRandomStaticAddress(randomStaticAddress())).toBe(true);
  });

  it('draws again when the random part is all ones or all zeros', () => {
    const draws = [Uint8Array.from([0xff, 0xff, 0xff, 0xff, 0xff, 0xff]), Uint8Array.from([0xc0, 0, 0, 0, 0, 0]), Uint8Array.from([1, 2, 3, 4, 5, 6])];
    expect(randomStaticAddress(() => draws.shift()!)).toBe('C1:02:03:04:05:06');
    expect(() => randomStaticAddress(() => new Uint8Array(6))).toThrow(/not random/);
    expect(isRandomStaticAddress('40:11:22:33:44:55')).toBe(false); // resolvable private, not static
  });
});
