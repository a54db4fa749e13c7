/**
 * What the standard allows, per protocol version. Decoding keeps out-of-range values as they are (like
 * the reference); `validate` lists them so a receiver can flag a transmitter, and a broadcaster can check
 * itself. Pass the message's bytes too, to have reserved bits and bytes checked.
 */

import { checkSerialNumber } from './serial-number.js';
import type {
  AuthMessage,
  BasicIdMessage,
  LocationMessage,
  OdidMessage,
  OperatorIdMessage,
  SelfIdMessage,
  SingleMessage,
  SystemMessage,
} from '../messages/types.js';
import { MESSAGE_SIZE } from '../messages/types.js';

export interface ValidationIssue {
  /** Field path in the decoded form, e.g. `location.direction` or `messages[2].system.classEU`. */
  field: string;
  value: unknown;
  /** What the standard allows, in words. */
  allowed: string;
  /** 'error': a value the standard forbids; 'warning': reserved bits, non-ASCII text, private values. */
  severity: 'error' | 'warning';
  /** The protocol version the judgement was made for. */
  protocolVersion: number;
}

const VERSION_NAMES = ['F3411-19', 'F3411-20 / EN 4709-002', 'F3411-22a'];
const LATEST_VERSION = 2;

type Report = (field: string, value: unknown, allowed: string, severity?: 'error' | 'warning') => void;

export function validate(message: OdidMessage, bytes?: Uint8Array): ValidationIssue[] {
  const issues: ValidationIssue[] = [];
  if (message.type === 'messagePack') {
    message.messages.forEach((m, i) => {
      const memberBytes = bytes && bytes.length >= 3 + (i + 1) * MESSAGE_SIZE ? bytes.subarray(3 + i * MESSAGE_SIZE, 3 + (i + 1) * MESSAGE_SIZE) : undefined;
      for (const issue of validate(m, memberBytes)) issues.push({ ...issue, field: `messages[${i}].${issue.field}` });
    });
    if (message.memberErrors) {
      for (const e of message.memberErrors) {
        issues.push({ field: `messages[${e.index}]`, value: e.code, allowed: `a decodable message (${e.reason})`, severity: 'error', protocolVersion: message.protocolVersion });
      }
    }
    return issues;
  }
  const v = message.protocolVersion;
  const report: Report = (field, value, allowed, severity = 'error') =>
    issues.push({ field: `${message.type}.${field}`, value, allowed, severity, protocolVersion: v });
  if (v > LATEST_VERSION) {
    report('protocolVersion', v, `0..${LATEST_VERSION} (${VERSION_NAMES.join(', ')}); ${v === 15 ? '15 is for private use' : 'newer versions are unknown'}`, 'warning');
  }
  CHECKS[message.type](message as never, report, v, bytes);
  return issues;
}

const introducedIn = (minVersion: number): string => `needs protocol version ${minVersion} (${VERSION_NAMES[minVersion]}) or later`;

function reservedBits(report: Report, bytes: Uint8Array | undefined, index: number, mask: number, field: string): void {
  if (bytes && bytes.length > index && (bytes[index]! & mask) !== 0) {
    report(field, `0x${(bytes[index]! & mask).toString(16).padStart(2, '0')}`, `reserved bits 0x${mask.toString(16)} of byte ${index} set to 0`, 'warning');
  }
}

function printable(report: Report, field: string, text: string): void {
  if (/[^\x20-\x7e]/.test(text)) report(field, text, 'printable ASCII text (0x20-0x7E)', 'warning');
}

const CHECKS: { [K in SingleMessage['type']]: (m: Extract<SingleMessage, { type: K }>, r: Report, v: number, b?: Uint8Array) => void } = {
  basicId(m: BasicIdMessage, r, v, b) {
    if (m.idType > 4) r('idType', m.idType, '0..4 (5..15 are reserved)');
    if (m.idType === 4 && v < 1) r('idType', m.idType, `specific session ID ${introducedIn(1)}`);
    if (m.idType === 1) {
      for (const problem of checkSerialNumber(m.uasId).problems) r('uasId', m.uasId, `an ANSI/CTA-2063-A serial number: ${problem}`);
    }
    if (m.idType === 1 || m.idType === 2) printable(r, 'uasId', m.uasId);
    if (b) for (let i = 22; i < MESSAGE_SIZE; i++) reservedBits(r, b, i, 0xff, 'reserved');
  },

  location(m: LocationMessage, r, v, b) {
    if (m.status > 4) r('status', m.status, '0..4 (5..15 are reserved)');
    if (m.status === 4 && v < 2) r('status', m.status, `remote ID system failure ${introducedIn(2)}`);
    if (m.direction > 359 && m.direction !== 361) r('direction', m.direction, '0..359 degrees or 361 (unknown)');
    else if (b && b[2]! > 179 && !(b[2] === 181 && (b[1]! & 2) !== 0)) r('direction', m.direction, 'a direction byte of 0..179 (the E/W bit adds 180)', 'warning');
    if (m.speedHorizontal > 254.25 && m.speedHorizontal !== 255) r('speedHorizontal', m.speedHorizontal, '0..254.25 m/s or 255 (unknown)');
    if (m.speedVertical < -62 || (m.speedVertical > 62 && m.speedVertical !== 63)) r('speedVertical', m.speedVertical, '-62..62 m/s or 63 (unknown)');
    if (m.latitude < -90 || m.latitude > 90) r('latitude', m.latitude, '-90..90 degrees');
    if (m.longitude < -180 || m.longitude > 180) r('longitude', m.longitude, '-180..180 degrees');
    if (m.timestamp === 65535 && v < 1) r('timestamp', m.timestamp, `0..3600 s (0xFFFF as "unknown" ${introducedIn(1)})`);
    else if (m.timestamp > 3600 && m.timestamp !== 65535) r('timestamp', m.timestamp, '0..3600 s after the hour or 65535 (unknown)');
    if (m.horizAccuracy > 12) r('horizAccuracy', m.horizAccuracy, '0..12 (13..15 are reserved)');
    if (m.vertAccuracy > 6) r('vertAccuracy', m.vertAccuracy, '0..6 (7..15 are reserved)');
    if (m.baroAccuracy > 6) r('baroAccuracy', m.baroAccuracy, '0..6 (7..15 are reserved)');
    if (m.speedAccuracy > 4) r('speedAccuracy', m.speedAccuracy, '0..4 (5..15 are reserved)');
    reservedBits(r, b, 1, 0x08, 'reserved');
    reservedBits(r, b, 23, 0xf0, 'reserved');
    reservedBits(r, b, 24, 0xff, 'reserved');
  },

  auth(m: AuthMessage, r, v) {
    if (m.authType >= 6 && m.authType <= 9) r('authType', m.authType, '0..5 or 10..15 (6..9 are reserved)');
    if (m.authType === 5 && v < 1) r('authType', m.authType, `specific authentication method ${introducedIn(1)}`);
    const maxPage = v < 1 ? 4 : 15;
    if (m.dataPage > maxPage) r('dataPage', m.dataPage, `0..${maxPage} for this protocol version`);
    if (m.lastPageIndex !== undefined && v < 1 && m.lastPageIndex > 5) r('lastPageIndex', m.lastPageIndex, 'a page count of at most 5 (F3411-19)');
  },

  selfId(m: SelfIdMessage, r, v) {
    if (m.descType >= 3 && m.descType <= 200) r('descType', m.descType, '0..2 or 201..255 (3..200 are reserved)');
    if ((m.descType === 1 || m.descType === 2) && v < 2) r('descType', m.descType, `emergency and extended status ${introducedIn(2)}`);
    printable(r, 'desc', m.desc);
  },

  system(m: SystemMessage, r, v, b) {
    if (m.operatorLocationType > 2) r('operatorLocationType', m.operatorLocationType, '0..2 (3 is reserved)');
    if (m.classificationType > 1) r('classificationType', m.classificationType, '0..1 (2..7 are reserved)');
    if (m.categoryEU > 3) r('categoryEU', m.categoryEU, '0..3 (4..15 are reserved)');
    if (m.classEU > 7) r('classEU', m.classEU, '0..7 (8..15 are reserved)');
    if (m.classificationType !== 1 && (m.categoryEU !== 0 || m.classEU !== 0)) {
      r('categoryEU', m.categoryEU, 'EU category and class only with classification type 1 (EU)', 'warning');
    }
    if (m.operatorLatitude < -90 || m.operatorLatitude > 90) r('operatorLatitude', m.operatorLatitude, '-90..90 degrees');
    if (m.operatorLongitude < -180 || m.operatorLongitude > 180) r('operatorLongitude', m.operatorLongitude, '-180..180 degrees');
    // Fields older versions reserve: they must then be zero.
    if (v < 1 && b && (b[18] !== 0 || b[19] !== 0)) r('operatorAltitudeGeo', m.operatorAltitudeGeo, `reserved (0): operator altitude ${introducedIn(1)}`, 'warning');
    if (v < 2 && m.timestamp !== 0) r('timestamp', m.timestamp, `reserved (0): system timestamp ${introducedIn(2)}`, 'warning');
    reservedBits(r, b, 1, 0xe0, 'reserved');
    reservedBits(r, b, 24, 0xff, 'reserved');
  },

  operatorId(m: OperatorIdMessage, r, _v, b) {
    if (m.operatorIdType >= 1 && m.operatorIdType <= 200) r('operatorIdType', m.operatorIdType, '0 or 201..255 (1..200 are reserved)');
    printable(r, 'operatorId', m.operatorId);
    if (b) for (let i = 22; i < MESSAGE_SIZE; i++) reservedBits(r, b, i, 0xff, 'reserved');
  },
};
