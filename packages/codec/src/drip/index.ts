/**
 * IETF DRIP (RFC 9374 DETs, RFC 9575 authentication) over broadcast Remote ID: DETs and their text form,
 * the Link, Wrapper, Manifest and Frame structures of auth type 5, and single-page FEC. Signatures and hashes
 * are the caller's (an `Ed25519` passed in; cSHAKE128 in @odid/trust): the codec says which bytes are signed
 * and which are hashed, and has no runtime dependency.
 */

export {
  DET_AUTHORITY_MAX,
  DET_PREFIX,
  DET_SIZE,
  ED25519_HI_SIZE,
  HHIT_SUITE_ED25519,
  ORCHID_HASH_SIZE,
  detFields,
  detFromFields,
  detFromText,
  detHead,
  detToText,
  type DetFields,
} from './det.js';
export { DRIP_HASH_SIZE, manifestHashInput, pagedMessageBytes } from './hash.js';
export {
  DRIP_MAX_AUTH_LENGTH,
  EVIDENCE_MAX,
  FRAME_DATA_MAX,
  LINK_SIGNED_SIZE,
  LINK_SIZE,
  MANIFEST_MAX_MESSAGE_HASHES,
  SIGNATURE_SIZE,
  UA_SIGNED_OVERHEAD,
  WRAPPABLE_TYPES,
  WRAPPER_MAX_MESSAGES,
} from './limits.js';
export { DRIP_EPOCH_MS, DRIP_TIME_MAX, dripTime, dripTimeText, dripTimeToMs } from './time.js';
export {
  SAM_TYPE,
  type DripAuth,
  type DripFrame,
  type DripKind,
  type DripLink,
  type DripManifest,
  type DripWrapper,
  type Ed25519,
  type UaSigned,
  type Unsigned,
  type UnsignedDripAuth,
} from './types.js';
export { AUTH_TYPE_SAM, decodeDripAssembled, decodeDripAuth, dripKindOf, dripSignedBytes, encodeDripAuth, signDrip, verifyDripSignature } from './sam.js';
export { linkHashInput } from './link.js';
export { extendedWrapperMessages, withPackEvidence } from './wrapper.js';
export { FecAuthAssembler, type FecAuthAssembly } from './assemble.js';
export { fecLayout, fecParity, pagePayload, recoverDripPage, splitDripAuth, PAGE_PAYLOAD_SIZE, type DripPagesOptions, type FecRecovery } from './fec.js';
