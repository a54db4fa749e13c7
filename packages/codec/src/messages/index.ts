export * from './types.js';
export { decodeMessage, decodeMessageExact, decodeSingleMessage, encodeMessage, encodeSingleMessage } from './codec.js';
export { authCapacity } from './auth.js';
export { LIMITS, roundHalfAway } from './fields.js';
export { splitAuth, assembleAuth, AuthAssembler, lastPageIndexFor, type AssembledAuth, type AuthAssembly, type AuthToSplit } from './auth-pages.js';
export { horizontalAccuracyEnum, verticalAccuracyEnum, speedAccuracyEnum, timestampAccuracyEnum, accuracyBound } from './accuracy.js';
// The metadata tables: one per message type, and the descriptors they share.
export {
  ALTITUDE_FIELD,
  ALTITUDE_UNKNOWN,
  EPOCH_2019_TIMESTAMP,
  LATITUDE_FIELD,
  LONGITUDE_FIELD,
  PROTOCOL_VERSION,
  enumAllowed,
  enumName,
  fieldOrder,
  isReservedValue,
  type EnumMeta,
  type FieldMeta,
  type MessageMeta,
  type SomeMessageMeta,
  type Unit,
} from './meta.js';
export { MESSAGE_META, SINGLE_MESSAGE_META, type AnyMessageMeta } from './message-meta.js';
export { BASIC_ID_META, ID_TYPE, UAS_ID_SIZE, UA_TYPE, uaTypeName } from './basic-id-meta.js';
export {
  ACCURACY_BOUNDS,
  DIRECTION_FIELD,
  HEIGHT_TYPE,
  HORIZONTAL_ACCURACY,
  LOCATION_META,
  LOCATION_STATUS,
  LOCATION_TIMESTAMP_FIELD,
  LOCATION_UNKNOWN,
  SPEED_ACCURACY,
  SPEED_HORIZONTAL_FIELD,
  SPEED_HORIZONTAL_HIGH_RESOLUTION,
  SPEED_VERTICAL_FIELD,
  TIMESTAMP_ACCURACY,
  VERTICAL_ACCURACY,
  type AccuracyKind,
} from './location-meta.js';
export { AUTH_MAX_LENGTH, AUTH_MAX_PAGES, AUTH_META, AUTH_PAGE0_DATA, AUTH_PAGEN_DATA, AUTH_TYPE } from './auth-meta.js';
export { DESC_SIZE, DESC_TYPE, SELF_ID_META } from './self-id-meta.js';
export { AREA_COUNT_FIELD, AREA_RADIUS_FIELD, CATEGORY_EU, CLASS_EU, CLASSIFICATION_TYPE, OPERATOR_LOCATION_TYPE, SYSTEM_META } from './system-meta.js';
export { OPERATOR_ID_META, OPERATOR_ID_SIZE, OPERATOR_ID_TYPE } from './operator-id-meta.js';
export { MESSAGE_PACK_META, PACK_HEADER_SIZE, PACK_MAX_MESSAGES, PACK_MAX_PER_TYPE } from './message-pack-meta.js';
