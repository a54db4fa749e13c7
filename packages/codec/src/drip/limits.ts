/** The sizes and limits of the DRIP structures (remote-id-spec.md §6.2–6.3), in one table. */

/** Authentication data of a DRIP message, SAM type byte included: it must fit pages 0..8 (17 + 8 × 23). */
export const DRIP_MAX_AUTH_LENGTH = 201;
/** Ed25519 signatures. */
export const SIGNATURE_SIZE = 64;
/** Bytes after the SAM type byte of a DRIP Link. */
export const LINK_SIZE = 136;
/** The Link bytes its parent signs: VNB, VNA, child DET, child HI, parent DET. */
export const LINK_SIGNED_SIZE = 72;
/** VNB, VNA, UA DET and signature around the evidence of every UA-signed structure. */
export const UA_SIGNED_OVERHEAD = 4 + 4 + 16 + SIGNATURE_SIZE;
/** The evidence that fits beside them within DRIP_MAX_AUTH_LENGTH. */
export const EVIDENCE_MAX = DRIP_MAX_AUTH_LENGTH - 1 - UA_SIGNED_OVERHEAD;
/** Wrapper: whole 25-byte messages, at most four, of these types. */
export const WRAPPER_MAX_MESSAGES = 4;
export const WRAPPABLE_TYPES: readonly number[] = [0x0, 0x1, 0x3, 0x4, 0x5];
/** Manifest: previous, current and link hash, then at most 11 message hashes. */
export const MANIFEST_FIXED_HASHES = 3;
export const MANIFEST_MAX_MESSAGE_HASHES = EVIDENCE_MAX / 8 - MANIFEST_FIXED_HASHES;
/** Frame: one frame-type byte, then its data. */
export const FRAME_DATA_MAX = EVIDENCE_MAX - 1;
