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
import { AUTH_MAX_PAGES, AUTH_TYPE } from '../messages/auth-meta.js';
import { ID_TYPE } from '../messages/basic-id-meta.js';
import { DIRECTION_FIELD, HORIZONTAL_ACCURACY, LOCATION_STATUS, LOCATION_TIMESTAMP_FIELD, SPEED_ACCURACY, SPEED_HORIZONTAL_FIELD, SPEED_VERTICAL_FIELD, VERTICAL_ACCURACY } from '../messages/location-meta.js';
import { LATITUDE_FIELD as LAT, LONGITUDE_FIELD as LON, PROTOCOL_VERSION, enumAllowed, isReservedValue as reserved } from '../messages/meta.js';
import { OPERATOR_ID_TYPE } from '../messages/operator-id-meta.js';
import { DESC_TYPE } from '../messages/self-id-meta.js';
import { CATEGORY_EU, CLASS_EU, CLASSIFICATION_TYPE, OPERATOR_LOCATION_TYPE } from '../messages/system-meta.js';
import { issueWithin, validationIssue, type ValidationDiagnosticId, type ValidationIssue } from './issue.js';

const VERSION_NAMES = PROTOCOL_VERSION.enum.names;
const LATEST_VERSION = VERSION_NAMES.length - 1;

/** Reports one issue; its id (default validation.out-of-range) gives its severity. */
type Report = (field: string, value: unknown, allowed: string, id?: ValidationDiagnosticId) => void;

export function validate(message: OdidMessage, bytes?: Uint8Array): ValidationIssue[] {
  const issues: ValidationIssue[] = [];
  if (message.type === 'messagePack') {
    message.messages.forEach((m, i) => {
      const memberBytes = bytes && bytes.length >= 3 + (i + 1) * MESSAGE_SIZE ? bytes.subarray(3 + i * MESSAGE_SIZE, 3 + (i + 1) * MESSAGE_SIZE) : undefined;
      for (const issue of validate(m, memberBytes)) issues.push(issueWithin(issue, `messages[${i}]`));
    });
    if (message.memberErrors) {
      for (const e of message.memberErrors) {
        issues.push(validationIssue('validation.undecodable-member', `messages[${e.index}]`, e.code, `a decodable message (${e.reason})`, message.protocolVersion));
      }
    }
    return issues;
  }
  const v = message.protocolVersion;
  const report: Report = (field, value, allowed, id = 'validation.out-of-range') =>
    issues.push(validationIssue(id, `${message.type}.${field}`, value, allowed, v));
  if (v > LATEST_VERSION) {
    report('protocolVersion', v, `0..${LATEST_VERSION} (${VERSION_NAMES.join(', ')}); ${v === PROTOCOL_VERSION.enum.privateFrom ? `${v} is for private use` : 'newer versions are unknown'}`, 'validation.unknown-version');
  }
  CHECKS[message.type](message as never, report, v, bytes);
  return issues;
}

const introducedIn = (minVersion: number): string => `needs protocol version ${minVersion} (${VERSION_NAMES[minVersion]}) or later`;

function reservedBits(report: Report, bytes: Uint8Array | undefined, index: number, mask: number, field: string): void {
  if (bytes && bytes.length > index && (bytes[index]! & mask) !== 0) {
    report(field, `0x${(bytes[index]! & mask).toString(16).padStart(2, '0')}`, `reserved bits 0x${mask.toString(16)} of byte ${index} set to 0`, 'validation.reserved-bits');
  }
}

function printable(report: Report, field: string, text: string): void {
  if (/[^\x20-\x7e]/.test(text)) report(field, text, 'printable ASCII text (0x20-0x7E)', 'validation.not-printable');
}

const CHECKS: { [K in SingleMessage['type']]: (m: Extract<SingleMessage, { type: K }>, r: Report, v: number, b?: Uint8Array) => void } = {
  basicId(m: BasicIdMessage, r, v, b) {
    if (reserved(ID_TYPE, m.idType)) r('idType', m.idType, enumAllowed(ID_TYPE));
    if (m.idType === 4 && v < 1) r('idType', m.idType, `specific session ID ${introducedIn(1)}`, 'validation.needs-newer-version');
    if (m.idType === 1) {
      for (const problem of checkSerialNumber(m.uasId).problems) r('uasId', m.uasId, `an ANSI/CTA-2063-A serial number: ${problem}`, 'validation.bad-serial');
    }
    if (m.idType === 1 || m.idType === 2) printable(r, 'uasId', m.uasId);
    if (b) for (let i = 22; i < MESSAGE_SIZE; i++) reservedBits(r, b, i, 0xff, 'reserved');
  },

  location(m: LocationMessage, r, v, b) {
    if (reserved(LOCATION_STATUS, m.status)) r('status', m.status, enumAllowed(LOCATION_STATUS));
    if (m.status === 4 && v < 2) r('status', m.status, `remote ID system failure ${introducedIn(2)}`, 'validation.needs-newer-version');
    const D = DIRECTION_FIELD;
    if (m.direction > D.max && m.direction !== D.unknown) r('direction', m.direction, `${D.min}..${D.max} degrees or ${D.unknown} (unknown)`);
    else if (b && b[2]! > 179 && !(b[2] === 181 && (b[1]! & 2) !== 0)) r('direction', m.direction, 'a direction byte of 0..179 (the E/W bit adds 180)', 'validation.direction-byte');
    const [SH, SV, TS] = [SPEED_HORIZONTAL_FIELD, SPEED_VERTICAL_FIELD, LOCATION_TIMESTAMP_FIELD];
    if (m.speedHorizontal > SH.max && m.speedHorizontal !== SH.unknown) r('speedHorizontal', m.speedHorizontal, `${SH.min}..${SH.max} m/s or ${SH.unknown} (unknown)`);
    if (m.speedVertical < SV.min || (m.speedVertical > SV.max && m.speedVertical !== SV.unknown)) r('speedVertical', m.speedVertical, `${SV.min}..${SV.max} m/s or ${SV.unknown} (unknown)`);
    if (m.latitude < LAT.min || m.latitude > LAT.max) r('latitude', m.latitude, `${LAT.min}..${LAT.max} degrees`);
    if (m.longitude < LON.min || m.longitude > LON.max) r('longitude', m.longitude, `${LON.min}..${LON.max} degrees`);
    if (m.timestamp === TS.unknown && v < 1) r('timestamp', m.timestamp, `${TS.min}..${TS.max} s (0xFFFF as "unknown" ${introducedIn(1)})`, 'validation.needs-newer-version');
    else if (m.timestamp > TS.max && m.timestamp !== TS.unknown) r('timestamp', m.timestamp, `${TS.min}..${TS.max} s after the hour or ${TS.unknown} (unknown)`);
    if (reserved(HORIZONTAL_ACCURACY, m.horizAccuracy)) r('horizAccuracy', m.horizAccuracy, enumAllowed(HORIZONTAL_ACCURACY));
    if (reserved(VERTICAL_ACCURACY, m.vertAccuracy)) r('vertAccuracy', m.vertAccuracy, enumAllowed(VERTICAL_ACCURACY));
    if (reserved(VERTICAL_ACCURACY, m.baroAccuracy)) r('baroAccuracy', m.baroAccuracy, enumAllowed(VERTICAL_ACCURACY));
    if (reserved(SPEED_ACCURACY, m.speedAccuracy)) r('speedAccuracy', m.speedAccuracy, enumAllowed(SPEED_ACCURACY));
    reservedBits(r, b, 1, 0x08, 'reserved');
    reservedBits(r, b, 23, 0xf0, 'reserved');
    reservedBits(r, b, 24, 0xff, 'reserved');
  },

  auth(m: AuthMessage, r, v) {
    if (reserved(AUTH_TYPE, m.authType)) r('authType', m.authType, enumAllowed(AUTH_TYPE));
    if (m.authType === 5 && v < 1) r('authType', m.authType, `specific authentication method ${introducedIn(1)}`, 'validation.needs-newer-version');
    const maxPage = v < 1 ? 4 : AUTH_MAX_PAGES - 1;
    if (m.dataPage > maxPage) r('dataPage', m.dataPage, `0..${maxPage} for this protocol version`);
    if (m.lastPageIndex !== undefined && v < 1 && m.lastPageIndex > 5) r('lastPageIndex', m.lastPageIndex, 'a page count of at most 5 (F3411-19)');
  },

  selfId(m: SelfIdMessage, r, v) {
    if (reserved(DESC_TYPE, m.descType)) r('descType', m.descType, enumAllowed(DESC_TYPE));
    if ((m.descType === 1 || m.descType === 2) && v < 2) r('descType', m.descType, `emergency and extended status ${introducedIn(2)}`, 'validation.needs-newer-version');
    printable(r, 'desc', m.desc);
  },

  system(m: SystemMessage, r, v, b) {
    if (reserved(OPERATOR_LOCATION_TYPE, m.operatorLocationType)) r('operatorLocationType', m.operatorLocationType, enumAllowed(OPERATOR_LOCATION_TYPE));
    if (reserved(CLASSIFICATION_TYPE, m.classificationType)) r('classificationType', m.classificationType, enumAllowed(CLASSIFICATION_TYPE));
    if (reserved(CATEGORY_EU, m.categoryEU)) r('categoryEU', m.categoryEU, enumAllowed(CATEGORY_EU));
    if (reserved(CLASS_EU, m.classEU)) r('classEU', m.classEU, enumAllowed(CLASS_EU));
    if (m.classificationType !== 1 && (m.categoryEU !== 0 || m.classEU !== 0)) {
      r('categoryEU', m.categoryEU, 'EU category and class only with classification type 1 (EU)', 'validation.eu-without-eu-classification');
    }
    if (m.operatorLatitude < LAT.min || m.operatorLatitude > LAT.max) r('operatorLatitude', m.operatorLatitude, `${LAT.min}..${LAT.max} degrees`);
    if (m.operatorLongitude < LON.min || m.operatorLongitude > LON.max) r('operatorLongitude', m.operatorLongitude, `${LON.min}..${LON.max} degrees`);
    // Fields older versions reserve: they must then be zero.
    if (v < 1 && b && (b[18] !== 0 || b[19] !== 0)) r('operatorAltitudeGeo', m.operatorAltitudeGeo, `reserved (0): operator altitude ${introducedIn(1)}`, 'validation.reserved-in-version');
    if (v < 2 && m.timestamp !== 0) r('timestamp', m.timestamp, `reserved (0): system timestamp ${introducedIn(2)}`, 'validation.reserved-in-version');
    reservedBits(r, b, 1, 0xe0, 'reserved');
    reservedBits(r, b, 24, 0xff, 'reserved');
  },

  operatorId(m: OperatorIdMessage, r, _v, b) {
    if (reserved(OPERATOR_ID_TYPE, m.operatorIdType)) r('operatorIdType', m.operatorIdType, enumAllowed(OPERATOR_ID_TYPE));
    printable(r, 'operatorId', m.operatorId);
    if (b) for (let i = 22; i < MESSAGE_SIZE; i++) reservedBits(r, b, i, 0xff, 'reserved');
  },
};
