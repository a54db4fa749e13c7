/**
 * IEEE 802.11 MAC header of management frames, information-element walking and FCS handling.
 * Only what a Remote ID receiver needs (beacons, probe responses, action frames for NAN); data and
 * control frames are left to whoever wants them.
 */

import { DecodeError } from '../errors.js';
import { diagnostic, diagnosticInfo } from '../diagnostics.js';
import { formatMac, u16le } from '../bytes.js';
import { fcsMatches } from './crc32.js';
import type { FcsStatus, LinkDiagnostic, LinkResult, WifiFrame } from './types.js';

// Management MAC header (IEEE 802.11-2020 9.3.3.2).
const FC0 = 0; // protocol version bits 1..0, type bits 3..2, subtype bits 7..4
const FC1 = 1; // flags; bit 6 Protected Frame, bit 7 +HTC/Order
const ADDR1 = 4;
const ADDR2 = 10;
const ADDR3 = 16;
const SEQ_CTRL = 22;
const MGMT_HEADER_LENGTH = 24;
/** A 4-byte HT Control field follows the header when +HTC/Order is set in a management frame. */
const HT_CONTROL_LENGTH = 4;
const FCS_LENGTH = 4;

const FC1_PROTECTED = 0x40;
const FC1_ORDER = 0x80;
const TYPE_MANAGEMENT = 0;

/** Management frame subtypes (FC bits 7..4). */
export const MGMT_SUBTYPE = {
  ASSOC_REQ: 0,
  ASSOC_RESP: 1,
  REASSOC_REQ: 2,
  REASSOC_RESP: 3,
  PROBE_REQ: 4,
  PROBE_RESP: 5,
  TIMING_ADV: 6,
  BEACON: 8,
  ATIM: 9,
  DISASSOC: 10,
  AUTH: 11,
  DEAUTH: 12,
  ACTION: 13,
  ACTION_NO_ACK: 14,
} as const;

/**
 * Fixed fields before the first element, per subtype (9.3.3): beacon and probe response carry
 * timestamp(8) + interval(2) + capability(2); action frames none (the category byte starts the body).
 */
// prettier-ignore
const FIXED_LENGTH = Uint8Array.of(
  4,  // 0 association request: capability, listen interval
  6,  // 1 association response: capability, status, AID
  10, // 2 reassociation request: + current AP address
  6,  // 3 reassociation response
  0,  // 4 probe request
  12, // 5 probe response
  10, // 6 timing advertisement: timestamp, capability
  0,  // 7 reserved
  12, // 8 beacon
  0,  // 9 ATIM
  2,  // 10 disassociation: reason
  6,  // 11 authentication: algorithm, sequence, status (+ elements)
  2,  // 12 deauthentication: reason
  0,  // 13 action
  0,  // 14 action no ack
  0,  // 15 reserved
);

export interface ManagementHeader {
  subtype: number;
  /** Receiver / destination address. */
  addr1: string;
  /** Transmitter / source address: the one that identifies a Remote ID transmitter. */
  addr2: string;
  /** BSSID (beacons) or NAN cluster ID (NAN). */
  addr3: string;
  /** Sequence number (12 bits) and fragment number (4 bits) from the sequence control field. */
  seq: number;
  frag: number;
  /** +HTC/Order bit: the header is 28 bytes. */
  htc: boolean;
  /** Protected Frame bit: the body is encrypted (robust action frames) and cannot be read. */
  protected: boolean;
  /** Offset of the frame body (24, or 28 with +HTC). */
  bodyOffset: number;
  /** Fixed fields at the start of the body (12 for beacon/probe response, 0 for action frames). */
  fixedLength: number;
}

/** Parses the MAC header of a management frame (FCS already stripped). */
export function parseManagementFrame(frame: Uint8Array): ManagementHeader {
  if (frame.length < MGMT_HEADER_LENGTH) {
    throw new DecodeError('truncated', 0, `802.11 management header needs ${MGMT_HEADER_LENGTH} bytes, ${frame.length} present`, '802.11');
  }
  const fc0 = frame[FC0]!;
  const fc1 = frame[FC1]!;
  if ((fc0 & 0x03) !== 0) {
    throw new DecodeError('unsupported', FC0, `802.11 protocol version ${fc0 & 0x03}`, '802.11.fc');
  }
  const type = (fc0 >> 2) & 0x03;
  if (type !== TYPE_MANAGEMENT) {
    throw new DecodeError('unsupported', FC0, `802.11 frame type ${type} is not management`, '802.11.fc');
  }
  const subtype = fc0 >> 4;
  const htc = (fc1 & FC1_ORDER) !== 0;
  const bodyOffset = MGMT_HEADER_LENGTH + (htc ? HT_CONTROL_LENGTH : 0);
  const fixedLength = FIXED_LENGTH[subtype]!;
  if (frame.length < bodyOffset + fixedLength) {
    throw new DecodeError(
      'truncated',
      frame.length,
      `802.11 subtype ${subtype} needs ${bodyOffset + fixedLength} bytes of header and fixed fields, ${frame.length} present`,
      '802.11',
    );
  }
  const sc = u16le(frame, SEQ_CTRL);
  return {
    subtype,
    addr1: formatMac(frame, ADDR1),
    addr2: formatMac(frame, ADDR2),
    addr3: formatMac(frame, ADDR3),
    seq: sc >> 4,
    frag: sc & 0x0f,
    htc,
    protected: (fc1 & FC1_PROTECTED) !== 0,
    bodyOffset,
    fixedLength,
  };
}


/** What the capture says about a trailing FCS: DLT 105 cannot say, radiotap's Flags field can. */
export type FcsKnowledge = 'present' | 'absent' | 'unknown';

/**
 * Removes the FCS. 'present': checked and stripped (bad or not). 'unknown': stripped only if the last 4
 * bytes are a matching CRC-32; a frame that happens to end in its own CRC is vanishingly rare.
 * `missing`: bytes of the record the capture did not keep (original length - captured length). A frame cut
 * short has no checkable FCS: 'present' becomes 'not-captured' (the FCS bytes that were kept are stripped),
 * 'unknown' stays unknown (a cut frame cannot end in its own CRC).
 */
export function stripFcs(frame: Uint8Array, known: FcsKnowledge, missing = 0): { frame: Uint8Array; fcs: FcsStatus } {
  if (known === 'absent') return { frame, fcs: 'absent' };
  const n = frame.length;
  if (missing > 0) {
    if (known === 'unknown') return { frame, fcs: 'unknown' };
    const keptFcsBytes = Math.max(0, FCS_LENGTH - missing);
    return { frame: frame.subarray(0, Math.max(0, n - keptFcsBytes)), fcs: 'not-captured' };
  }
  if (known === 'present') {
    if (n < FCS_LENGTH) {
      throw new DecodeError('truncated', 0, `frame of ${n} bytes cannot hold its 4-byte FCS`, '802.11.fcs');
    }
    return { frame: frame.subarray(0, n - FCS_LENGTH), fcs: fcsMatches(frame, 0, n) ? 'ok' : 'bad' };
  }
  if (n > FCS_LENGTH && fcsMatches(frame, 0, n)) return { frame: frame.subarray(0, n - FCS_LENGTH), fcs: 'ok' };
  return { frame, fcs: 'unknown' };
}

/** What a radio header (radiotap, PPI, Prism, AVS) and the capture say about the FCS of the frame after it. */
export interface FcsEvidence {
  known: FcsKnowledge;
  /**
   * Set when the header flags the FCS as bad (the driver checked it): the diagnostic to raise should the FCS
   * match all the same. An FCS flagged bad that could not be checked here counts as bad.
   */
  badFlag?: 'link.radiotap-bad-fcs-flag' | 'link.ppi-bad-fcs-flag';
  /** Bytes of the record the capture did not keep: original length - captured length (0 or undefined: none). */
  missing?: number;
}

/**
 * The 802.11 frame at data[start..] behind a radio header, its FCS handled as the evidence says; the FCS
 * findings (bad, not captured, a flag that disagrees) are pushed onto `diagnostics`.
 */
export function wifiFrameAfterHeader(data: Uint8Array, start: number, evidence: FcsEvidence, diagnostics: LinkDiagnostic[]): WifiFrame {
  const missing = evidence.missing ?? 0;
  const s = stripFcs(data.subarray(start), evidence.known, missing);
  let fcs = s.fcs;
  if (evidence.badFlag !== undefined) {
    if (fcs === 'ok') diagnostics.push(diagnostic(evidence.badFlag, diagnosticInfo(evidence.badFlag).summary, { offset: start }));
    else fcs = 'bad'; // the driver checked an FCS that is not here (or cut off) and found it bad
  }
  if (fcs === 'not-captured') {
    diagnostics.push(diagnostic('link.fcs-not-captured', `802.11: the record was cut ${missing} bytes short, its FCS cannot be checked`, { offset: data.length }));
  }
  if (fcs === 'bad') diagnostics.push(diagnostic('link.bad-fcs', '802.11: bad FCS', { offset: start }));
  return { kind: 'wifi', frame: s.frame, fcs };
}

/** Bytes of a record the capture did not keep, from the record's original length (undefined: all kept). */
export const missingBytes = (data: Uint8Array, originalLength: number | undefined): number =>
  originalLength !== undefined && originalLength > data.length ? originalLength - data.length : 0;

/** DLT 105 record (raw 802.11, FCS presence unknowable) -> one WifiFrame. */
export function decodeIeee80211Record(data: Uint8Array, originalLength?: number): LinkResult {
  const s = stripFcs(data, 'unknown', missingBytes(data, originalLength));
  const frame: WifiFrame = { kind: 'wifi', frame: s.frame, fcs: s.fcs };
  return { frames: [frame], diagnostics: [] };
}
