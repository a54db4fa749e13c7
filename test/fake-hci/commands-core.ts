/**
 * The fake's controller, informational and LE basics/scanning commands (Vol 4 Part E §7.3, §7.4, §7.8).
 * Return parameter layouts follow each section's table.
 */

import type { CommandSpec, Model } from './model.js';
import { disallowed, invalid, unsupported, type Params } from './params.js';
import {
  HCI_VERSION,
  LE_FEATURE,
  OP,
  PHY_1M,
  PHY_CODED,
} from './spec.js';
import type { ScanPhy } from './state.js';

const u16 = (v: number): number[] => [v & 0xff, (v >> 8) & 0xff];
const u64 = (v: bigint): number[] => Array.from({ length: 8 }, (_, i) => Number((v >> BigInt(8 * i)) & 0xffn));

/** LE Supported Features as an 8-octet little-endian mask (Vol 6 Part B §4.6). */
export function leFeatures(m: Model): Uint8Array {
  let bits = (1n << BigInt(LE_FEATURE.ENCRYPTION)) | (1n << BigInt(LE_FEATURE.DATA_PACKET_LENGTH_EXTENSION));
  if (m.caps.version !== '4.2') bits |= 1n << BigInt(LE_FEATURE.LE_2M_PHY);
  if (m.caps.codedPhy) bits |= 1n << BigInt(LE_FEATURE.LE_CODED_PHY);
  if (m.caps.extendedAdvertising) bits |= 1n << BigInt(LE_FEATURE.EXTENDED_ADVERTISING);
  return Uint8Array.from(u64(bits));
}

function scanPhyParams(p: Params, at: number, phy: number, label: string): ScanPhy {
  const type = p.u8(at, `${label} LE_Scan_Type`, 0, 1);
  const interval = p.u16(at + 1, `${label} LE_Scan_Interval`, 0x0004, 0xffff);
  const window = p.u16(at + 3, `${label} LE_Scan_Window`, 0x0004, 0xffff);
  if (window > interval) throw invalid(`${label} LE_Scan_Window 0x${window.toString(16)} > LE_Scan_Interval 0x${interval.toString(16)}`);
  return { phy, type, interval, window };
}

export const CORE_COMMANDS: ReadonlyMap<number, CommandSpec> = new Map<number, CommandSpec>([
  [
    OP.SET_EVENT_MASK, // §7.3.1: Event_Mask (8)
    { name: 'Set Event Mask', length: 8, handle: (m, p) => void (m.state.eventMask = p.u64(0)) },
  ],
  [OP.RESET, { name: 'Reset', length: 0, handle: (m) => m.reset() }], // §7.3.2
  [
    OP.READ_LE_HOST_SUPPORT, // Status, LE_Supported_Host (1), Unused (1)
    { name: 'Read LE Host Support', length: 0, handle: (m) => [m.state.leHostSupported, 0] },
  ],
  [
    OP.WRITE_LE_HOST_SUPPORT, // LE_Supported_Host (1), Unused (1; was Simultaneous_LE_Host)
    {
      name: 'Write LE Host Support',
      length: 2,
      handle: (m, p) => {
        m.state.leHostSupported = p.u8(0, 'LE_Supported_Host', 0, 1);
        p.u8(1, 'Unused', 0, 1);
      },
    },
  ],
  [
    OP.READ_LOCAL_VERSION, // §7.4.1: HCI_Version, HCI_Subversion (2), LMP_Version, Company_Identifier (2), LMP_Subversion (2)
    {
      name: 'Read Local Version Information',
      length: 0,
      handle: (m) => {
        const v = HCI_VERSION[m.caps.version];
        return [v, ...u16(0x0100), v, ...u16(m.caps.manufacturer), ...u16(0x0001)];
      },
    },
  ],
  [
    OP.READ_LOCAL_FEATURES, // §7.4.3: LMP_Features (8); bit 38 "LE Supported (Controller)", bit 37 "BR/EDR Not Supported"
    { name: 'Read Local Supported Features', length: 0, handle: () => [0, 0, 0, 0, 0x60, 0, 0, 0] },
  ],
  [
    OP.READ_BUFFER_SIZE, // §7.4.5: ACL_Data_Packet_Length (2), Synchronous_Data_Packet_Length (1), Total_Num_ACL (2), Total_Num_Synchronous (2)
    { name: 'Read Buffer Size', length: 0, handle: () => [...u16(251), 0, ...u16(8), ...u16(0)] },
  ],
  [OP.READ_BD_ADDR, { name: 'Read BD_ADDR', length: 0, handle: (m) => m.caps.publicAddress }], // §7.4.6
  [
    OP.LE_SET_EVENT_MASK, // §7.8.1: LE_Event_Mask (8)
    { name: 'LE Set Event Mask', length: 8, handle: (m, p) => void (m.state.leEventMask = p.u64(0)) },
  ],
  [
    OP.LE_READ_BUFFER_SIZE, // §7.8.2 [v1]: LE_ACL_Data_Packet_Length (2), Total_Num_LE_ACL_Data_Packets (1)
    { name: 'LE Read Buffer Size', length: 0, handle: () => [...u16(251), 8] },
  ],
  [
    OP.LE_READ_LOCAL_FEATURES, // §7.8.3: LE_Features (8)
    { name: 'LE Read Local Supported Features', length: 0, handle: (m) => leFeatures(m) },
  ],
  [
    OP.LE_SET_RANDOM_ADDRESS, // §7.8.4: Random_Address (6)
    {
      name: 'LE Set Random Address',
      length: 6,
      handle: (m, p) => {
        // Refused while legacy advertising or scanning runs on the old address.
        if (m.state.legacyAdv.enabled || m.state.scan.enabled) throw disallowed('LE Set Random Address while advertising or scanning is enabled');
        m.state.randomAddress = p.address(0);
      },
    },
  ],
  [
    OP.LE_SET_SCAN_PARAMS, // §7.8.10: LE_Scan_Type, LE_Scan_Interval (2), LE_Scan_Window (2), Own_Address_Type, Scanning_Filter_Policy
    {
      name: 'LE Set Scan Parameters',
      length: 7,
      handle: (m, p) => {
        if (m.state.scan.enabled) throw disallowed('LE Set Scan Parameters while scanning is enabled');
        const phy = scanPhyParams(p, 0, PHY_1M, 'LE 1M');
        const ownAddressType = p.u8(5, 'Own_Address_Type', 0, 3);
        const filterPolicy = p.u8(6, 'Scanning_Filter_Policy', 0, 3);
        m.state.scan = { ...m.state.scan, style: 'legacy', phys: [phy], ownAddressType, filterPolicy };
      },
    },
  ],
  [
    OP.LE_SET_SCAN_ENABLE, // §7.8.11: LE_Scan_Enable, Filter_Duplicates
    {
      name: 'LE Set Scan Enable',
      length: 2,
      handle: (m, p) => {
        const enable = p.u8(0, 'LE_Scan_Enable', 0, 1);
        const filterDuplicates = p.u8(1, 'Filter_Duplicates', 0, 1);
        m.state.scan = { ...m.state.scan, style: 'legacy', enabled: enable === 1, filterDuplicates };
      },
    },
  ],
  [
    OP.LE_READ_MAX_DATA_LENGTH, // §7.8.46: Supported_Max_TX_Octets, _TX_Time, _RX_Octets, _RX_Time (2 each)
    {
      name: 'LE Read Maximum Data Length',
      length: 0,
      handle: (m) => {
        const time = m.caps.codedPhy ? 0x4290 : 0x0848;
        return [...u16(251), ...u16(time), ...u16(251), ...u16(time)];
      },
    },
  ],
  [
    OP.LE_SET_DEFAULT_PHY, // §7.8.48: All_PHYs, TX_PHYs, RX_PHYs
    {
      name: 'LE Set Default PHY',
      length: 3,
      bt5: true,
      handle: (m, p) => {
        const allPhys = p.u8(0, 'All_PHYs', 0, 0x03);
        const txPhys = p.u8(1, 'TX_PHYs', 0, 0x07);
        const rxPhys = p.u8(2, 'RX_PHYs', 0, 0x07);
        // A PHY mask may only be empty when the matching "no preference" bit says to ignore it.
        if (!(allPhys & 1) && txPhys === 0) throw invalid('TX_PHYs 0 while All_PHYs bit 0 asks for a TX preference');
        if (!(allPhys & 2) && rxPhys === 0) throw invalid('RX_PHYs 0 while All_PHYs bit 1 asks for an RX preference');
        if (!m.caps.codedPhy && ((txPhys | rxPhys) & 0x04)) throw unsupported('LE Coded PHY requested but not supported');
        m.state.defaultPhy = { allPhys, txPhys, rxPhys };
      },
    },
  ],
  [
    // §7.8.64: Own_Address_Type, Scanning_Filter_Policy, Scanning_PHYs, then per PHY bit (1M, Coded):
    // Scan_Type, Scan_Interval (2), Scan_Window (2), one PHY after the other (as Linux and Zephyr send it).
    OP.LE_SET_EXT_SCAN_PARAMS,
    {
      name: 'LE Set Extended Scan Parameters',
      extended: true,
      length: (p) => 3 + 5 * ((p[2]! & 1) + ((p[2]! >> 2) & 1)),
      handle: (m, p) => {
        if (m.state.scan.enabled) throw disallowed('LE Set Extended Scan Parameters while scanning is enabled');
        const ownAddressType = p.u8(0, 'Own_Address_Type', 0, 3);
        const filterPolicy = p.u8(1, 'Scanning_Filter_Policy', 0, 3);
        const mask = p.u8(2, 'Scanning_PHYs', 0x01, 0x05);
        if (mask & 0x02) throw invalid('Scanning_PHYs bit 1 is reserved (LE 2M is never a primary PHY)');
        if ((mask & 0x04) && !m.caps.codedPhy) throw unsupported('Scanning_PHYs asks for LE Coded, which this controller lacks');
        const phys: ScanPhy[] = [];
        let at = 3;
        if (mask & 0x01) {
          phys.push(scanPhyParams(p, at, PHY_1M, 'LE 1M'));
          at += 5;
        }
        if (mask & 0x04) phys.push(scanPhyParams(p, at, PHY_CODED, 'LE Coded'));
        m.state.scan = { ...m.state.scan, style: 'extended', phys, ownAddressType, filterPolicy };
      },
    },
  ],
  [
    OP.LE_SET_EXT_SCAN_ENABLE, // §7.8.65: Enable, Filter_Duplicates (0..2), Duration (2), Period (2)
    {
      name: 'LE Set Extended Scan Enable',
      extended: true,
      length: 6,
      handle: (m, p) => {
        const enable = p.u8(0, 'Enable', 0, 1);
        const filterDuplicates = p.u8(1, 'Filter_Duplicates', 0, 2);
        const duration = p.u16(2, 'Duration');
        const period = p.u16(4, 'Period');
        if (enable && filterDuplicates === 2 && (duration === 0 || period === 0)) {
          throw invalid('Filter_Duplicates 2 (reset each period) needs a non-zero Duration and Period');
        }
        if (enable && period !== 0 && duration * 10 >= period * 1280) throw invalid('Duration must be shorter than Period');
        m.state.scan = { ...m.state.scan, style: 'extended', enabled: enable === 1, filterDuplicates };
      },
    },
  ],
]);
