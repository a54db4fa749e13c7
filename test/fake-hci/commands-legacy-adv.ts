/** The fake's legacy advertising commands (Vol 4 Part E §7.8.5 - §7.8.9). */

import type { CommandSpec } from './model.js';
import { disallowed, invalid } from './params.js';
import { OP } from './spec.js';

const ADV_DIRECT_IND_HIGH_DUTY = 0x01;
const ADV_SCAN_IND = 0x02;
const ADV_NONCONN_IND = 0x03;
/** Core v4.2 Vol 2 Part E §7.8.5: non-connectable and scannable undirected adverts not faster than 100 ms. */
const V4_MIN_NONCONN_INTERVAL = 0x00a0;
const LEGACY_MAX_DATA = 31;

function dataCommand(name: string, which: 'data' | 'scanResponse'): CommandSpec {
  // §7.8.7 / §7.8.8: Data_Length (1) then always 31 data octets; only the first Data_Length count.
  return {
    name,
    length: 1 + LEGACY_MAX_DATA,
    handle: (m, p) => {
      const len = p.u8(0, `${which === 'data' ? 'Advertising' : 'Scan_Response'}_Data_Length`, 0, LEGACY_MAX_DATA);
      m.state.legacyAdv[which] = p.slice(1, len);
    },
  };
}

export const LEGACY_ADV_COMMANDS: ReadonlyMap<number, CommandSpec> = new Map<number, CommandSpec>([
  [
    // §7.8.5: Advertising_Interval_Min (2), _Max (2), Advertising_Type, Own_Address_Type, Peer_Address_Type,
    // Peer_Address (6), Advertising_Channel_Map, Advertising_Filter_Policy.
    OP.LE_SET_ADV_PARAMS,
    {
      name: 'LE Set Advertising Parameters',
      length: 15,
      handle: (m, p) => {
        if (m.state.legacyAdv.enabled) throw disallowed('LE Set Advertising Parameters while advertising is enabled');
        const type = p.u8(4, 'Advertising_Type', 0, 4);
        let intervalMin = 0;
        let intervalMax = 0;
        // High duty cycle directed advertising ignores the intervals.
        if (type !== ADV_DIRECT_IND_HIGH_DUTY) {
          intervalMin = p.u16(0, 'Advertising_Interval_Min', 0x0020, 0x4000);
          intervalMax = p.u16(2, 'Advertising_Interval_Max', 0x0020, 0x4000);
          if (intervalMin > intervalMax) throw invalid(`Advertising_Interval_Min 0x${intervalMin.toString(16)} > Advertising_Interval_Max 0x${intervalMax.toString(16)}`);
          if (m.caps.version === '4.2' && (type === ADV_SCAN_IND || type === ADV_NONCONN_IND) && intervalMin < V4_MIN_NONCONN_INTERVAL) {
            throw invalid(`a 4.2 controller needs Advertising_Interval_Min >= 0xa0 (100 ms) for Advertising_Type ${type}`);
          }
        }
        m.state.legacyAdv.params = {
          intervalMin,
          intervalMax,
          type,
          ownAddressType: p.u8(5, 'Own_Address_Type', 0, 3),
          peerAddressType: p.u8(6, 'Peer_Address_Type', 0, 1),
          peerAddress: p.address(7),
          channelMap: p.u8(13, 'Advertising_Channel_Map', 0x01, 0x07),
          filterPolicy: p.u8(14, 'Advertising_Filter_Policy', 0, 3),
        };
      },
    },
  ],
  // §7.8.6: Transmit_Power_Level (1, signed dBm).
  [OP.LE_READ_ADV_TX_POWER, { name: 'LE Read Advertising Physical Channel Tx Power', length: 0, handle: () => [0] }],
  [OP.LE_SET_ADV_DATA, dataCommand('LE Set Advertising Data', 'data')],
  [OP.LE_SET_SCAN_RSP_DATA, dataCommand('LE Set Scan Response Data', 'scanResponse')],
  [
    OP.LE_SET_ADV_ENABLE, // §7.8.9: Advertising_Enable
    {
      name: 'LE Set Advertising Enable',
      length: 1,
      handle: (m, p) => {
        const enable = p.u8(0, 'Advertising_Enable', 0, 1) === 1;
        const adv = m.state.legacyAdv;
        // A random own address that was never set cannot be advertised.
        if (enable && adv.params.ownAddressType === 1 && m.state.randomAddress === undefined) {
          throw invalid('Own_Address_Type is random but LE Set Random Address was never sent');
        }
        adv.enabled = enable;
      },
    },
  ],
]);
