/**
 * Role: what well-formed output of the codec is, checked on whatever the fuzzers get out of it: received
 * messages (every field in its range), their JSON lines (round-trip), and diagnostics (a catalogue id, with
 * the catalogue's severity and group, and words).
 */

import { TRANSPORTS, diagnosticInfo, isDiagnosticId, receivedToJson, type Diagnostic, type DiagnosticGroup, type ReceivedMessage } from '../../src/index.js';

const MAC = /^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/;
const HEX = /^(?:[0-9a-f]{2})*$/;
const TRANSPORT_SET = new Set<string>(TRANSPORTS);
export const isInt = (v: unknown, lo: number, hi: number): boolean => typeof v === 'number' && Number.isInteger(v) && v >= lo && v <= hi;
const isNum = (v: unknown): boolean => typeof v === 'number' && Number.isFinite(v);
const isLatin1 = (v: unknown, max: number): boolean => {
  if (typeof v !== 'string' || v.length > max) return false;
  for (let i = 0; i < v.length; i++) if (v.charCodeAt(i) > 0xff) return false;
  return true;
};

/** What is wrong with one message of the receive path, or undefined. */
export function checkReceived(r: ReceivedMessage, keepBadFcs: boolean): string | undefined {
  if (!TRANSPORT_SET.has(r.transport)) return `transport ${String(r.transport)}`;
  if (typeof r.mac !== 'string' || (r.mac !== '' && !MAC.test(r.mac))) return `mac ${String(r.mac)}`;
  if (r.mac === '' && !r.transport.startsWith('ble')) return 'empty mac on Wi-Fi';
  if (r.rssi !== undefined && !isInt(r.rssi, -255, 127)) return `rssi ${r.rssi}`;
  if (r.channel !== undefined && !isInt(r.channel, 0, 233)) return `channel ${r.channel}`;
  if (r.counter !== undefined && !isInt(r.counter, 0, 255)) return `counter ${r.counter}`;
  if (r.badFcs !== undefined && (r.badFcs !== true || !keepBadFcs)) return `badFcs ${String(r.badFcs)}`;
  if (r.t !== undefined || r.frame !== undefined) return 't/frame without meta';
  const m = r.message as unknown as Record<string, unknown>;
  const pv = (): boolean => isInt(m.protocolVersion, 0, 15);
  switch (r.message.type) {
    case 'basicId':
      if (!pv() || !isInt(m.idType, 0, 15) || !isInt(m.uaType, 0, 15) || !isLatin1(m.uasId, 20)) return 'basicId fields';
      if ((m.idType === 3 || m.idType === 4) !== (m.uasIdHex !== undefined)) return 'basicId uasIdHex presence';
      if (m.uasIdHex !== undefined && (typeof m.uasIdHex !== 'string' || m.uasIdHex.length !== 40 || !HEX.test(m.uasIdHex))) return 'uasIdHex';
      break;
    case 'location': {
      if (!pv() || !isInt(m.status, 0, 15) || !isInt(m.heightType, 0, 1)) return 'location enums';
      if (!isInt(m.direction, 0, 359 + 180) || !isNum(m.speedHorizontal) || (m.speedHorizontal as number) < 0 || (m.speedHorizontal as number) > 255 * 0.75 + 63.75) return 'location speed/direction';
      if (!isNum(m.speedVertical) || Math.abs(m.speedVertical as number) > 64) return 'speedVertical';
      if (!isNum(m.latitude) || !isNum(m.longitude) || Math.abs(m.latitude as number) > 215 || Math.abs(m.longitude as number) > 215) return 'lat/lon';
      for (const k of ['altitudeBaro', 'altitudeGeo', 'height']) if (!isNum(m[k]) || (m[k] as number) < -1000 || (m[k] as number) > 31767.5) return k;
      for (const k of ['horizAccuracy', 'vertAccuracy', 'baroAccuracy', 'speedAccuracy', 'tsAccuracy']) if (!isInt(m[k], 0, 15)) return k;
      if (!isNum(m.timestamp) || ((m.timestamp as number) > 6553.5 && m.timestamp !== 65535) || (m.timestamp as number) < 0) return 'location timestamp';
      if (m.speedMultiplier !== undefined && m.speedMultiplier !== 1) return 'speedMultiplier';
      break;
    }
    case 'auth': {
      if (!pv() || !isInt(m.authType, 0, 15) || !isInt(m.dataPage, 0, 15)) return 'auth enums';
      const page0 = m.dataPage === 0;
      if (typeof m.authData !== 'string' || m.authData.length !== (page0 ? 34 : 46) || !HEX.test(m.authData)) return 'authData';
      if (page0 && (!isInt(m.lastPageIndex, 0, 255) || !isInt(m.length, 0, 255) || !isInt(m.timestamp, 0, 0xffffffff))) return 'auth page 0';
      if (!page0 && (m.lastPageIndex !== undefined || m.length !== undefined || m.timestamp !== undefined)) return 'auth page n';
      break;
    }
    case 'selfId':
      if (!pv() || !isInt(m.descType, 0, 255) || !isLatin1(m.desc, 23)) return 'selfId';
      break;
    case 'system':
      if (!pv() || !isInt(m.operatorLocationType, 0, 3) || !isInt(m.classificationType, 0, 7)) return 'system enums';
      if (!isNum(m.operatorLatitude) || !isNum(m.operatorLongitude) || !isInt(m.areaCount, 0, 0xffff) || !isInt(m.areaRadius, 0, 2550)) return 'system area';
      for (const k of ['areaCeiling', 'areaFloor', 'operatorAltitudeGeo']) if (!isNum(m[k])) return k;
      if (!isInt(m.categoryEU, 0, 15) || !isInt(m.classEU, 0, 15) || !isInt(m.timestamp, 0, 0xffffffff)) return 'system class/timestamp';
      break;
    case 'operatorId':
      if (!pv() || !isInt(m.operatorIdType, 0, 255) || !isLatin1(m.operatorId, 20)) return 'operatorId';
      break;
    case 'djiFlightInfo':
    case 'djiFlightPurpose':
    case 'frenchId':
      if (!Array.isArray(m.warnings) || !(m.warnings as unknown[]).every((w) => typeof w === 'string')) return 'warnings';
      if (!plainValues(m)) return `${r.message.type}: a value that is not a finite number, string, boolean, array or object`;
      if (r.message.type === 'frenchId' && r.transport !== 'wifi-beacon') return 'frenchId transport';
      if (r.message.type !== 'frenchId' && r.transport !== 'dji-wifi') return 'dji transport';
      break;
    default:
      return `message type ${String((r.message as { type?: unknown }).type)}`;
  }
  return undefined;
}

function plainValues(v: unknown): boolean {
  if (typeof v === 'number') return Number.isFinite(v);
  if (typeof v === 'string' || typeof v === 'boolean') return true;
  if (Array.isArray(v)) return v.every(plainValues);
  if (v !== null && typeof v === 'object') return Object.values(v).every(plainValues);
  return false;
}

/** JSON.parse(line) must give back the message: serialisable, nothing lost, nothing invented. */
export function checkJsonLine(r: ReceivedMessage): string | undefined {
  const line = receivedToJson(r);
  let back: unknown;
  try {
    back = JSON.parse(line);
  } catch (e) {
    return `receivedToJson is not JSON: ${String(e)}: ${line}`;
  }
  return deepEqual(back, r) ? undefined : `JSON line does not round-trip: ${line}`;
}

function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  const ka = Object.keys(a).filter((k) => (a as Record<string, unknown>)[k] !== undefined);
  const kb = Object.keys(b).filter((k) => (b as Record<string, unknown>)[k] !== undefined);
  if (ka.length !== kb.length) return false;
  for (const k of ka) if (!deepEqual((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k])) return false;
  return true;
}

/** What is wrong with a diagnostic, or undefined; `group` when only that group may raise it, `layer` when it must name a link layer. */
export function checkDiagnostic(d: Diagnostic, where: { group?: DiagnosticGroup; layer?: boolean } = {}): string | undefined {
  if (typeof d !== 'object' || d === null) return `diagnostic ${safeString(d)}`;
  if (typeof d.id !== 'string' || !isDiagnosticId(d.id)) return `diagnostic id ${safeString(d.id)}`;
  const info = diagnosticInfo(d.id);
  if (d.severity !== info.severity || d.group !== info.group) return `${d.id}: severity ${d.severity} / group ${d.group}, the catalogue says ${info.severity} / ${info.group}`;
  if (where.group !== undefined && d.group !== where.group) return `${d.id}: a ${d.group} diagnostic where only ${where.group} ones belong`;
  if (where.layer && info.layer === undefined) return `${d.id}: a link diagnostic without a layer`;
  if (typeof d.detail !== 'string' || d.detail.length === 0) return `${d.id}: detail ${safeString(d.detail)}`;
  if (d.offset !== undefined && !isInt(d.offset, 0, Number.MAX_SAFE_INTEGER)) return `${d.id}: offset ${d.offset}`;
  if (d.path !== undefined && typeof d.path !== 'string') return `${d.id}: path ${safeString(d.path)}`;
  return undefined;
}

const safeString = (v: unknown): string => {
  try {
    return JSON.stringify(v) ?? String(v);
  } catch {
    return String(v);
  }
};
