/**
 * Role: the framing parsers (BLE service data, Wi-Fi elements, beacon and NAN Remote ID, DJI DroneID, French
 * ID) as record targets under the parser contract, each with the inputs it is seeded with. A parser that
 * reports where its payload sits must hand back the input's own bytes at that offset.
 */

import { readFileSync } from 'node:fs';
import { corpusAvailable, corpusPath } from '../../../../test/support/fixtures.js';
import {
  buildBeaconFrame,
  buildExtendedAdvData,
  buildLegacyAdvData,
  buildNanActionFrameBody,
  concatBytes,
  findOdidBeaconPayload,
  findOdidServiceData,
  findVendorElements,
  fromHex,
  parseDjiDroneId,
  parseDjiFlightInfoRecord,
  parseDjiFlightPurposeRecord,
  parseFrenchId,
  parseNanActionFrameBody,
  parseOdidBeaconElement,
  walkElements,
} from '../../src/index.js';
import type { Target } from './driver.js';
import { parserTarget, type ParserSpec, type ReturnedView } from './parser-target.js';

const PACK = fromHex('f2190152004742522d4f502d31323341424344000000000000000000');
const MESSAGE = PACK.subarray(3);

/**
 * Element bodies of real records, read from the external corpus (never copied: several captures carry GPL or
 * no licence). Without the corpus, none: the targets seeded only with them are left out.
 */
function referencePayload(file: string, index: number): Uint8Array[] {
  if (!corpusAvailable) return [];
  const frames = (JSON.parse(readFileSync(corpusPath('reference', file), 'utf8')) as { frames: Array<{ payload_hex: string }> }).frames;
  return [fromHex(frames[index]!.payload_hex)];
}

/** A payload with the offset the parser reports for it, when there is one. */
const payloadView = (r: { payload: Uint8Array; offset: number } | undefined): ReturnedView[] => (r ? [{ what: 'payload', view: r.payload, offset: r.offset }] : []);

export interface FramingTarget extends Target {
  /** Seeded only from the external corpus: without it, no seeds (and nothing to run). */
  needsCorpus: boolean;
}

const target = <V>(spec: ParserSpec<V>, needsCorpus = false): FramingTarget => ({ ...parserTarget(spec), needsCorpus });

/** Every framing parser, with its seeds. */
export function framingTargets(): FramingTarget[] {
  const mavic = referencePayload('llorencroma+DJIDroneIDspoofer__extracted__replay_mavic.hex.json', 0);
  const french = referencePayload('aeburriel+scapy-uas-remoteid__extracted__test_wifi_sgdsn.hex.json', 0);
  // A synthetic 0x11 record: serial, id length 4 "ABCD", purpose length 3 "abc".
  const purpose = fromHex('334b31434736473341483856324d0000' + '04' + '41424344000000000000' + '03' + '616263');
  const beaconIes = buildBeaconFrame({ mac: '02:11:22:33:44:55', ssid: 'RID', counter: 1, pack: PACK, timestampUs: 0, beaconIntervalTU: 100, channel: 6 }).subarray(36);
  const odidElement = beaconIes.subarray(beaconIes.length - PACK.length - 7);
  return [
    target({ name: 'findOdidServiceData', seeds: [concatBytes([fromHex('020106'), buildExtendedAdvData(3, PACK)])], parse: findOdidServiceData, views: payloadView }),
    target({ name: 'findOdidServiceData (legacy)', seeds: [buildLegacyAdvData(1, MESSAGE)], parse: findOdidServiceData, views: payloadView }),
    target({ name: 'walkElements', seeds: [beaconIes], parse: walkElements }),
    target({ name: 'findVendorElements', seeds: [beaconIes], parse: findVendorElements }),
    target({ name: 'findOdidBeaconPayload', seeds: [beaconIes], parse: findOdidBeaconPayload, views: payloadView }),
    target({ name: 'parseOdidBeaconElement', seeds: [odidElement], parse: (b) => parseOdidBeaconElement(b), views: payloadView }),
    target({ name: 'parseNanActionFrameBody', seeds: [buildNanActionFrameBody(5, PACK)], parse: parseNanActionFrameBody, views: payloadView }),
    target({ name: 'parseDjiDroneId', seeds: mavic, parse: (b) => parseDjiDroneId(b) }, true),
    target({ name: 'parseDjiFlightInfoRecord', seeds: mavic.map((m) => m.subarray(4)), parse: (b) => parseDjiFlightInfoRecord(b) }, true),
    target({ name: 'parseDjiFlightPurposeRecord', seeds: [purpose], parse: (b) => parseDjiFlightPurposeRecord(b) }),
    target({ name: 'parseFrenchId', seeds: french, parse: (b) => parseFrenchId(b) }, true),
  ];
}
