/**
 * `pnpm demo` (until the broadcaster and receiver exist): a built-in drone's message set is encoded to
 * the bytes a transmitter sends and decoded back, showing what a receiver reads, field by field.
 */

import { decodeMessage, encodeMessage, toHex, validate, type SingleMessageInput } from '../index.js';

const DEMO_DRONE: SingleMessageInput[] = [
  { type: 'basicId', idType: 1, uaType: 2, uasId: '1581F5FHB229F00202DR' },
  {
    type: 'location', status: 2, direction: 87.4, speedHorizontal: 12.3, speedVertical: 1.5, latitude: 52.5200066,
    longitude: 13.404954, altitudeBaro: 145, altitudeGeo: 180.5, heightType: 0, height: 120, horizAccuracy: 10,
    vertAccuracy: 4, baroAccuracy: 4, speedAccuracy: 3, tsAccuracy: 2, timestamp: 1234.5,
  },
  { type: 'selfId', descType: 0, desc: 'Bridge inspection' },
  {
    type: 'system', operatorLocationType: 1, classificationType: 1, operatorLatitude: 52.5196, operatorLongitude: 13.4032,
    areaCount: 1, areaRadius: 0, areaCeiling: -1000, areaFloor: -1000, categoryEU: 1, classEU: 2, operatorAltitudeGeo: 35,
    timestamp: 218_000_000,
  },
  { type: 'operatorId', operatorIdType: 0, operatorId: 'FIN87astrdge12k8' },
];

const pack = encodeMessage({ type: 'messagePack', messages: DEMO_DRONE });
console.log('A drone broadcasts this message pack (Wi-Fi beacon / BLE 5 payload):');
console.log(toHex(pack));
console.log('\nA receiver decodes it to:');
const decoded = decodeMessage(pack);
if (decoded.type === 'messagePack') for (const m of decoded.messages) console.log(JSON.stringify(m));
const issues = validate(decoded, pack);
console.log(`\nvalidate(): ${issues.length ? issues.map((i) => `${i.field}: ${i.allowed}`).join('; ') : 'no issues'}`);
