/** The fake's extended advertising commands (Vol 4 Part E §7.8.52 - §7.8.60). */

import type { CommandSpec, Model } from './model.js';
import { Reject, disallowed, invalid, unsupported, type Params } from './params.js';
import { ERR, LEGACY_PROPERTY_PDUS, OP, PHY_1M, PHY_2M, PHY_CODED, PROP } from './spec.js';
import type { AdvSet } from './state.js';

const MAX_HANDLE = 0xef;
const MAX_FRAGMENT = 251;
const LEGACY_MAX_DATA = 31;
const TX_POWER_NO_PREFERENCE = 0x7f;
/** The fake's radio: what it selects when asked for a power it cannot give (§7.8.53 Selected_TX_Power). */
const TX_POWER_MIN = -20;
const TX_POWER_MAX = 10;

const OPERATION = { INTERMEDIATE: 0, FIRST: 1, LAST: 2, COMPLETE: 3, UNCHANGED: 4 } as const;

function existing(m: Model, p: Params, at = 0): AdvSet {
  const handle = p.u8(at, 'Advertising_Handle', 0, MAX_HANDLE);
  const set = m.state.sets.get(handle);
  if (set === undefined) {
    throw new Reject(ERR.UNKNOWN_ADVERTISING_IDENTIFIER, `advertising set ${handle} does not exist (send LE Set Extended Advertising Parameters first)`);
  }
  return set;
}

const isLegacy = (set: AdvSet): boolean => (set.params.properties & PROP.LEGACY) !== 0;

/** §7.8.54 / §7.8.55 share the fragment rules; only what may carry data differs. */
function dataCommand(name: string, which: 'data' | 'scanResponse'): CommandSpec {
  return {
    name,
    extended: true,
    // Advertising_Handle, Operation, Fragment_Preference, Data_Length, Data (Data_Length octets).
    length: (p) => 4 + p[3]!,
    handle: (m, p) => {
      const set = existing(m, p);
      const operation = p.u8(1, 'Operation', 0, 4);
      p.u8(2, 'Fragment_Preference', 0, 1);
      const len = p.u8(3, `${which === 'data' ? 'Advertising' : 'Scan_Response'}_Data_Length`, 0, MAX_FRAGMENT);
      const fragment = p.slice(4, len);
      const props = set.params.properties;
      const scannable = (props & PROP.SCANNABLE) !== 0;
      if (isLegacy(set)) {
        if (operation !== OPERATION.COMPLETE) throw invalid(`a legacy advertising set takes only Operation 3 (complete), got ${operation}`);
        if (len > LEGACY_MAX_DATA) throw invalid(`a legacy advertising set holds at most ${LEGACY_MAX_DATA} octets, got ${len}`);
      } else if (which === 'data' && scannable && len > 0) {
        throw invalid('an extended scannable advertising set carries no advertising data');
      } else if (which === 'scanResponse' && !scannable && len > 0) {
        throw invalid('a non-scannable advertising set has no scan response');
      }
      if (set.enabled && operation !== OPERATION.COMPLETE && operation !== OPERATION.UNCHANGED) {
        throw disallowed(`Operation ${operation} while advertising set ${set.handle} is enabled (only 3 or 4 are allowed)`);
      }
      if (operation === OPERATION.UNCHANGED) {
        if (len !== 0) throw invalid('Operation 4 (unchanged data) must carry no data');
        if (which === 'scanResponse' || isLegacy(set) || set.data.length === 0) throw invalid('Operation 4 needs existing extended advertising data');
        set.did = (set.did + 1) & 0xfff;
        return;
      }
      if (len === 0 && operation !== OPERATION.COMPLETE) throw invalid(`Operation ${operation} with no data`);
      if ((operation === OPERATION.INTERMEDIATE || operation === OPERATION.LAST) && set.pending === undefined) {
        throw invalid(`Operation ${operation} without a preceding first fragment`);
      }
      const parts = operation === OPERATION.COMPLETE || operation === OPERATION.FIRST ? [fragment] : [...set.pending!, fragment];
      const total = parts.reduce((n, f) => n + f.length, 0);
      if (total > m.caps.maxAdvertisingDataLength) {
        set.pending = undefined;
        throw new Reject(ERR.MEMORY_CAPACITY_EXCEEDED, `${total} octets exceed the ${m.caps.maxAdvertisingDataLength} this controller holds per set`);
      }
      if (operation === OPERATION.FIRST || operation === OPERATION.INTERMEDIATE) {
        set.pending = parts;
        return;
      }
      const whole = new Uint8Array(total);
      let o = 0;
      for (const f of parts) {
        whole.set(f, o);
        o += f.length;
      }
      set.pending = undefined;
      set[which] = whole;
      set.did = (set.did + 1) & 0xfff;
    },
  };
}

export const EXT_ADV_COMMANDS: ReadonlyMap<number, CommandSpec> = new Map<number, CommandSpec>([
  [
    OP.LE_SET_ADV_SET_RANDOM_ADDRESS, // §7.8.52: Advertising_Handle, Random_Address (6)
    {
      name: 'LE Set Advertising Set Random Address',
      extended: true,
      length: 7,
      handle: (m, p) => {
        const set = existing(m, p);
        if (set.enabled && set.params.properties & PROP.CONNECTABLE) {
          throw disallowed('changing the address of an enabled connectable advertising set');
        }
        set.randomAddress = p.address(1);
      },
    },
  ],
  [
    // §7.8.53 [v1]: Advertising_Handle, Advertising_Event_Properties (2), Primary_Advertising_Interval_Min (3),
    // _Max (3), Primary_Advertising_Channel_Map, Own_Address_Type, Peer_Address_Type, Peer_Address (6),
    // Advertising_Filter_Policy, Advertising_TX_Power, Primary_Advertising_PHY, Secondary_Advertising_Max_Skip,
    // Secondary_Advertising_PHY, Advertising_SID, Scan_Request_Notification_Enable. Returns Selected_TX_Power.
    OP.LE_SET_EXT_ADV_PARAMS,
    {
      name: 'LE Set Extended Advertising Parameters',
      extended: true,
      length: 25,
      handle: (m, p) => {
        const handle = p.u8(0, 'Advertising_Handle', 0, MAX_HANDLE);
        const old = m.state.sets.get(handle);
        if (old?.enabled) throw disallowed(`LE Set Extended Advertising Parameters while set ${handle} is enabled`);
        if (old === undefined && m.state.sets.size >= m.caps.advertisingSets) {
          throw new Reject(ERR.MEMORY_CAPACITY_EXCEEDED, `no room for advertising set ${handle}: the controller supports ${m.caps.advertisingSets}`);
        }
        const properties = p.u16(1, 'Advertising_Event_Properties', 0, 0x7f);
        const legacy = (properties & PROP.LEGACY) !== 0;
        if (legacy && !LEGACY_PROPERTY_PDUS.has(properties)) {
          throw invalid(`Advertising_Event_Properties 0x${properties.toString(16)} is not one of the legacy PDU combinations 0x10/0x12/0x13/0x15/0x1d`);
        }
        if (!legacy && properties & PROP.CONNECTABLE && properties & PROP.SCANNABLE) {
          throw invalid('an extended advertising set cannot be both connectable and scannable');
        }
        if (!legacy && properties & PROP.ANONYMOUS && properties & PROP.CONNECTABLE) throw invalid('anonymous advertising cannot be connectable');
        const highDuty = (properties & PROP.HIGH_DUTY) !== 0 && (properties & PROP.DIRECTED) !== 0;
        let intervalMin = 0;
        let intervalMax = 0;
        if (!highDuty) {
          intervalMin = p.u24(3, 'Primary_Advertising_Interval_Min', 0x000020);
          intervalMax = p.u24(6, 'Primary_Advertising_Interval_Max', 0x000020);
          if (intervalMin > intervalMax) throw invalid(`Primary_Advertising_Interval_Min 0x${intervalMin.toString(16)} > _Max 0x${intervalMax.toString(16)}`);
        }
        const channelMap = p.u8(9, 'Primary_Advertising_Channel_Map', 0x01, 0x07);
        const ownAddressType = p.u8(10, 'Own_Address_Type', 0, 3);
        const peerAddressType = p.u8(11, 'Peer_Address_Type', 0, 1);
        const peerAddress = p.address(12);
        const filterPolicy = p.u8(18, 'Advertising_Filter_Policy', 0, 3);
        const txPower = p.i8(19);
        if (txPower !== TX_POWER_NO_PREFERENCE && (txPower < -127 || txPower > 20)) {
          throw invalid(`Advertising_TX_Power ${txPower} dBm outside -127..+20 (or 0x7f, no preference)`);
        }
        const primaryPhy = p.u8(20, 'Primary_Advertising_PHY', PHY_1M, PHY_CODED);
        if (primaryPhy === PHY_2M) throw invalid('Primary_Advertising_PHY 2 (LE 2M) is not allowed on the primary channels');
        if (legacy && primaryPhy !== PHY_1M) throw invalid('legacy advertising PDUs are sent on LE 1M only');
        if (primaryPhy === PHY_CODED && !m.caps.codedPhy) throw unsupported('Primary_Advertising_PHY LE Coded is not supported by this controller');
        const secondaryMaxSkip = p.u8(21, 'Secondary_Advertising_Max_Skip');
        // Legacy PDUs have no secondary channel: the field is ignored for them.
        const secondaryPhy = legacy ? p.u8(22, 'Secondary_Advertising_PHY') : p.u8(22, 'Secondary_Advertising_PHY', PHY_1M, PHY_CODED);
        if (!legacy && secondaryPhy === PHY_CODED && !m.caps.codedPhy) throw unsupported('Secondary_Advertising_PHY LE Coded is not supported by this controller');
        const sid = p.u8(23, 'Advertising_SID', 0, 0x0f);
        const scanRequestNotification = p.u8(24, 'Scan_Request_Notification_Enable', 0, 1);
        if (legacy && old !== undefined && old.data.length > LEGACY_MAX_DATA) {
          throw invalid(`set ${handle} already holds ${old.data.length} octets, more than a legacy PDU carries`);
        }
        const selectedTxPower = txPower === TX_POWER_NO_PREFERENCE ? 0 : Math.min(TX_POWER_MAX, Math.max(TX_POWER_MIN, txPower));
        const params = {
          properties,
          intervalMin,
          intervalMax,
          channelMap,
          ownAddressType,
          peerAddressType,
          peerAddress,
          filterPolicy,
          txPower,
          selectedTxPower,
          primaryPhy,
          secondaryMaxSkip,
          secondaryPhy,
          sid,
          scanRequestNotification,
        };
        if (old === undefined) {
          m.state.sets.set(handle, { handle, params, data: new Uint8Array(0), scanResponse: new Uint8Array(0), enabled: false, did: 0 });
        } else {
          old.params = params;
        }
        return [selectedTxPower & 0xff];
      },
    },
  ],
  [OP.LE_SET_EXT_ADV_DATA, dataCommand('LE Set Extended Advertising Data', 'data')],
  [OP.LE_SET_EXT_SCAN_RSP_DATA, dataCommand('LE Set Extended Scan Response Data', 'scanResponse')],
  [
    // §7.8.56: Enable, Num_Sets, then per set Advertising_Handle, Duration (2), Max_Extended_Advertising_Events,
    // one set after the other (as Linux's struct hci_cp_ext_adv_set and Zephyr send it).
    OP.LE_SET_EXT_ADV_ENABLE,
    {
      name: 'LE Set Extended Advertising Enable',
      extended: true,
      length: (p) => 2 + 4 * p[1]!,
      handle: (m, p) => {
        const enable = p.u8(0, 'Enable', 0, 1) === 1;
        const count = p.u8(1, 'Num_Sets', 0, 0x3f);
        if (count === 0) {
          if (enable) throw invalid('Enable 1 with Num_Sets 0');
          for (const set of m.state.sets.values()) set.enabled = false;
          return;
        }
        const chosen: AdvSet[] = [];
        for (let i = 0; i < count; i++) {
          const set = existing(m, p, 2 + 4 * i);
          if (chosen.includes(set)) throw invalid(`advertising set ${set.handle} listed twice`);
          chosen.push(set);
        }
        if (enable) {
          for (const set of chosen) {
            if (set.params.ownAddressType === 1 && set.randomAddress === undefined) {
              throw invalid(`set ${set.handle} uses a random address but LE Set Advertising Set Random Address was never sent for it`);
            }
            if (set.pending !== undefined) throw disallowed(`set ${set.handle} still waits for the last data fragment`);
          }
        }
        for (const set of chosen) set.enabled = enable;
      },
    },
  ],
  [
    OP.LE_READ_MAX_ADV_DATA_LENGTH, // §7.8.57: Max_Advertising_Data_Length (2)
    {
      name: 'LE Read Maximum Advertising Data Length',
      extended: true,
      length: 0,
      handle: (m) => [m.caps.maxAdvertisingDataLength & 0xff, m.caps.maxAdvertisingDataLength >> 8],
    },
  ],
  [
    OP.LE_READ_NUM_ADV_SETS, // §7.8.58: Num_Supported_Advertising_Sets (1)
    { name: 'LE Read Number of Supported Advertising Sets', extended: true, length: 0, handle: (m) => [m.caps.advertisingSets] },
  ],
  [
    OP.LE_REMOVE_ADV_SET, // §7.8.59: Advertising_Handle
    {
      name: 'LE Remove Advertising Set',
      extended: true,
      length: 1,
      handle: (m, p) => {
        const set = existing(m, p);
        if (set.enabled) throw disallowed(`advertising set ${set.handle} is enabled`);
        m.state.sets.delete(set.handle);
      },
    },
  ],
  [
    OP.LE_CLEAR_ADV_SETS, // §7.8.60: no parameters
    {
      name: 'LE Clear Advertising Sets',
      extended: true,
      length: 0,
      handle: (m) => {
        for (const set of m.state.sets.values()) if (set.enabled) throw disallowed(`advertising set ${set.handle} is enabled`);
        m.state.sets.clear();
      },
    },
  ],
]);
