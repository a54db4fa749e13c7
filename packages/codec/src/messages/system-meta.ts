/** System's table (see meta.ts; layout: remote-id-spec.md §2.5). */

import { ALTITUDE_FIELD, EPOCH_2019_TIMESTAMP, LATITUDE_FIELD, LONGITUDE_FIELD, PROTOCOL_VERSION, type EnumMeta, type FieldMeta, type MessageMeta } from './meta.js';
import { MessageType, type SystemMessage } from './types.js';

export const OPERATOR_LOCATION_TYPE: EnumMeta = { names: ['take-off point', 'live GNSS', 'fixed location'], max: 3 };
export const CLASSIFICATION_TYPE: EnumMeta = { names: ['undeclared', 'European Union'], max: 7 };
/** Meaningful with classification type 1 (EU) only. */
export const CATEGORY_EU: EnumMeta = { names: ['undeclared', 'open', 'specific', 'certified'], max: 15 };
export const CLASS_EU: EnumMeta = { names: ['undeclared', 'C0', 'C1', 'C2', 'C3', 'C4', 'C5', 'C6'], max: 15 };

/** Aircraft in the area (group operations; 1 for a single aircraft). */
export const AREA_COUNT_FIELD = { min: 0, max: 0xffff } as const satisfies FieldMeta;
/** u8 of metres / 10, floored by the encoder. */
export const AREA_RADIUS_FIELD = { unit: 'm', resolution: 10, min: 0, max: 2550 } as const satisfies FieldMeta;

export const SYSTEM_META: MessageMeta<SystemMessage> = {
  type: 'system',
  messageType: MessageType.system,
  name: 'System',
  fields: {
    protocolVersion: PROTOCOL_VERSION,
    operatorLocationType: { enum: OPERATOR_LOCATION_TYPE },
    classificationType: { enum: CLASSIFICATION_TYPE },
    operatorLatitude: LATITUDE_FIELD,
    operatorLongitude: LONGITUDE_FIELD,
    areaCount: AREA_COUNT_FIELD,
    areaRadius: AREA_RADIUS_FIELD,
    areaCeiling: ALTITUDE_FIELD,
    areaFloor: ALTITUDE_FIELD,
    categoryEU: { enum: CATEGORY_EU },
    classEU: { enum: CLASS_EU },
    // F3411-20 and later.
    operatorAltitudeGeo: ALTITUDE_FIELD,
    // F3411-22a (0 before).
    timestamp: EPOCH_2019_TIMESTAMP,
  },
};
