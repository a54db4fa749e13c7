/**
 * The DRIP structures carried in Authentication messages of auth type 5 (Specific Authentication Method),
 * as typed values (remote-id-spec.md §6.2–6.3; RFC 9575). Binary fields are byte arrays (copies, never views
 * into the received bytes); timestamps are seconds since 2019-01-01T00:00:00Z.
 */

/** The SAM type byte that starts the authentication data of auth type 5: the DRIP values. */
export const SAM_TYPE = { link: 0x01, wrapper: 0x02, manifest: 0x03, frame: 0x04 } as const;
export type DripKind = keyof typeof SAM_TYPE;

/** A Broadcast Endorsement (DRIP Link): a parent (Apex, RAA or HDA) vouches for a child's DET and HI. */
export interface DripLink {
  type: 'link';
  /** Valid not before / not after, set by the parent. */
  vnb: number;
  vna: number;
  childDet: Uint8Array;
  /** The child's Host Identity: its raw 32-byte Ed25519 public key. */
  childHi: Uint8Array;
  parentDet: Uint8Array;
  /** The parent's Ed25519 signature over VNB ‖ VNA ‖ child DET ‖ child HI ‖ parent DET. */
  signature: Uint8Array;
}

/** What every UA-signed structure (Wrapper, Manifest, Frame) carries around its evidence. */
export interface UaSigned {
  vnb: number;
  vna: number;
  /** The DET of the UA that signed. */
  uaDet: Uint8Array;
  /** The UA's Ed25519 signature over VNB ‖ VNA ‖ evidence ‖ UA DET. */
  signature: Uint8Array;
}

/** DRIP Wrapper: 1..4 complete 25-byte messages (types 0, 1, 3, 4, 5, in type order, no counter), signed. */
export interface DripWrapper extends UaSigned {
  type: 'wrapper';
  /**
   * The wrapped messages. Empty when decoded from an extended wrapper, whose evidence travels implicitly as
   * the other members of its message pack: `withPackEvidence` puts them back before verification.
   */
  messages: Uint8Array[];
  /** Evidence length 0 on the wire: the wrapped messages are the pack's other members. */
  extended: boolean;
}

/** DRIP Manifest: 8-byte hashes of messages sent before, chained to the previous Manifest, signed. */
export interface DripManifest extends UaSigned {
  type: 'manifest';
  previousHash: Uint8Array;
  /** The hash of this Manifest's hashes with this slot zeroed (of manifestHashInput). */
  currentHash: Uint8Array;
  /** The hash of the UA's Broadcast Endorsement (BE: HDA→UA), of linkHashInput. */
  linkHash: Uint8Array;
  /** 0..11 hashes of messages (or packs) sent before. */
  messageHashes: Uint8Array[];
}

/** DRIP Frame: a frame type and up to 111 bytes defined elsewhere (0xC0..0xFF experimental), signed. */
export interface DripFrame extends UaSigned {
  type: 'frame';
  frameType: number;
  frameData: Uint8Array;
}

export type DripAuth = DripLink | DripWrapper | DripManifest | DripFrame;
/** A structure before its signature exists: what a signer fills in. */
export type Unsigned<T extends DripAuth> = Omit<T, 'signature'>;
export type UnsignedDripAuth = Unsigned<DripLink> | Unsigned<DripWrapper> | Unsigned<DripManifest> | Unsigned<DripFrame>;

/**
 * Ed25519 as the callers provide it: the codec computes no signature (node:crypto on a server, a browser
 * library on a page). `verify` must return false, not throw, for a key or signature it cannot use.
 */
export interface Ed25519<PrivateKey = unknown> {
  sign?(privateKey: PrivateKey, message: Uint8Array): Uint8Array;
  verify(publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array): boolean;
}
