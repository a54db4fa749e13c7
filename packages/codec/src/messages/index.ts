export * from './types.js';
export { decodeMessage, decodeMessageExact, decodeSingleMessage, encodeMessage, encodeSingleMessage } from './codec.js';
export { AUTH_MAX_LENGTH, AUTH_MAX_PAGES, AUTH_PAGE0_DATA, AUTH_PAGEN_DATA, authCapacity } from './auth.js';
export { PACK_MAX_MESSAGES } from './message-pack.js';
export { LIMITS, roundHalfAway } from './fields.js';
export { splitAuth, assembleAuth, AuthAssembler, lastPageIndexFor, type AssembledAuth, type AuthAssembly, type AuthToSplit } from './auth-pages.js';
export { horizontalAccuracyEnum, verticalAccuracyEnum, speedAccuracyEnum, timestampAccuracyEnum } from './accuracy.js';
