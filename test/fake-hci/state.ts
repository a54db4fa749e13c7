/**
 * What a fake controller remembers between commands: exactly the state the Core spec says HCI_Reset returns
 * to its defaults, and what tests read back (advertising parameters, data per set, enabled, scanning).
 */

import { DEFAULT_EVENT_MASK, DEFAULT_LE_EVENT_MASK, PHY_1M } from './spec.js';

/** LE Set Advertising Parameters (Vol 4 Part E §7.8.5), as the controller holds them. */
export interface LegacyAdvParams {
  intervalMin: number;
  intervalMax: number;
  type: number;
  ownAddressType: number;
  peerAddressType: number;
  peerAddress: Uint8Array;
  channelMap: number;
  filterPolicy: number;
}

export interface LegacyAdvState {
  params: LegacyAdvParams;
  data: Uint8Array;
  scanResponse: Uint8Array;
  enabled: boolean;
}

/** LE Set Extended Advertising Parameters [v1] (§7.8.53). */
export interface ExtAdvParams {
  properties: number;
  intervalMin: number;
  intervalMax: number;
  channelMap: number;
  ownAddressType: number;
  peerAddressType: number;
  peerAddress: Uint8Array;
  filterPolicy: number;
  /** Requested, dBm; 127 = no preference. */
  txPower: number;
  /** What the controller chose and returned. */
  selectedTxPower: number;
  primaryPhy: number;
  secondaryMaxSkip: number;
  secondaryPhy: number;
  sid: number;
  scanRequestNotification: number;
}

export interface AdvSet {
  handle: number;
  params: ExtAdvParams;
  randomAddress?: Uint8Array;
  /** The complete advertising data the set sends. */
  data: Uint8Array;
  /** Fragments received with operation "first"/"intermediate", waiting for "last". */
  pending?: Uint8Array[];
  scanResponse: Uint8Array;
  enabled: boolean;
  /** Advertising DID; operation 4 ("unchanged data") only bumps it. */
  did: number;
}

export interface ScanPhy {
  /** 1 = LE 1M, 3 = LE Coded. */
  phy: number;
  /** 0 passive, 1 active. */
  type: number;
  interval: number;
  window: number;
}

export interface ScanState {
  /** Which command family configured it. */
  style: 'legacy' | 'extended';
  phys: ScanPhy[];
  ownAddressType: number;
  filterPolicy: number;
  enabled: boolean;
  filterDuplicates: number;
}

export interface ControllerState {
  /** The advertising/scanning command family latched since the last reset (§3.1.1). */
  style: 'legacy' | 'extended' | undefined;
  eventMask: bigint;
  leEventMask: bigint;
  /** LE Set Random Address (§7.8.4): the address legacy advertising and scanning use with own type 1. */
  randomAddress: Uint8Array | undefined;
  legacyAdv: LegacyAdvState;
  sets: Map<number, AdvSet>;
  scan: ScanState;
  defaultPhy: { allPhys: number; txPhys: number; rxPhys: number };
  leHostSupported: number;
}

/** The state right after power-on or HCI_Reset, with the defaults the spec gives. */
export function initialState(): ControllerState {
  return {
    style: undefined,
    eventMask: DEFAULT_EVENT_MASK,
    leEventMask: DEFAULT_LE_EVENT_MASK,
    randomAddress: undefined,
    legacyAdv: {
      // §7.8.5 defaults: 1.28 s, ADV_IND, public, all three channels, no filter.
      params: {
        intervalMin: 0x0800,
        intervalMax: 0x0800,
        type: 0,
        ownAddressType: 0,
        peerAddressType: 0,
        peerAddress: new Uint8Array(6),
        channelMap: 0x07,
        filterPolicy: 0,
      },
      data: new Uint8Array(0),
      scanResponse: new Uint8Array(0),
      enabled: false,
    },
    sets: new Map(),
    // §7.8.10 defaults: passive, 10 ms interval and window, on LE 1M.
    scan: {
      style: 'legacy',
      phys: [{ phy: PHY_1M, type: 0, interval: 0x0010, window: 0x0010 }],
      ownAddressType: 0,
      filterPolicy: 0,
      enabled: false,
      filterDuplicates: 0,
    },
    defaultPhy: { allPhys: 0, txPhys: 0, rxPhys: 0 },
    leHostSupported: 0,
  };
}
