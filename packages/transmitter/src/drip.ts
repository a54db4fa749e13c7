/**
 * DRIP authentication a transmitter sends (RFC 9575, remote-id-spec.md §4.2, §6): its Broadcast Endorsement
 * (DRIP Link, HDA→UA) as it was issued, and Wrappers and Manifests it signs as it goes, with VNB from its
 * clock. The keys stay with the caller: a `DripSigner` brings the UA's signature and the suite-5 hash
 * (@odid/trust makes one from key files with node:crypto), so this package stays free of Node-only code.
 *
 * In turn, per transport: Link, Wrapper, Manifest, Wrapper, Manifest. §4.2 asks for the Link at least every
 * minute and a Wrapper or Manifest at least every 5 s; §4.1 for an authentication at least every 3 s. The
 * scheduler sends one structure per rotation on BLE 4 (at most 2.4 s apart) and one auth pack a second on the
 * packed transports, so a Wrapper or Manifest follows at most two turns after the last (≤ 4.8 s) and the
 * Link comes every fifth turn (≤ 12 s): often enough for a receiver that has just started listening.
 */

import {
  MESSAGE_SIZE,
  MessageType,
  WRAPPABLE_TYPES,
  WRAPPER_MAX_MESSAGES,
  detToText,
  dripTime,
  encodeDripAuth,
  fecLayout,
  linkHashInput,
  manifestHashInput,
  signDrip,
  toHex,
  type DripKind,
  type DripLink,
  type DripManifest,
  type DripWrapper,
} from '@odid/codec';
import { IdentityError, type Identity } from './identity.js';

/** What signing needs, from the caller: the keys never enter this package. */
export interface DripSigner {
  /** The UA's DET (16 bytes): announced in a Basic ID of ID type 4, session type 1, and in every signature. */
  readonly uaDet: Uint8Array;
  /** Its Broadcast Endorsement (HDA→UA): sent as the DRIP Link, as issued. */
  readonly endorsement: DripLink;
  /** The UA key's Ed25519 signature (64 bytes) over `message`. */
  sign(message: Uint8Array): Uint8Array;
  /** The DET's hash (suite 5: cSHAKE128, 64 bits, S = "Remote ID Auth Hash") of a message, pack or endorsement. */
  hash(data: Uint8Array): Uint8Array;
}

export interface DripOptions {
  /** VNA − VNB of each Wrapper and Manifest, seconds (default 300: "a few minutes", §6.3). */
  validityS?: number;
  /** The first Manifest's "previous" hash: 8 random bytes by default (§6.3: a nonce). */
  nonce?: () => Uint8Array;
}

/** The structures in turn; the Link first, so a receiver that starts with the drone learns the key at once. */
export const DRIP_TURNS: readonly Exclude<DripKind, 'frame'>[] = ['link', 'wrapper', 'manifest', 'wrapper', 'manifest'];
/** Message hashes a legacy Manifest lists: with FEC it still fits 10 pages (§6.3 recommends ≤ 10). */
export const LEGACY_MANIFEST_HASHES = 10;
/**
 * Pack hashes a Manifest in a pack lists: five (the last 2.5 s at 2 Hz), 7 pages, leaving room for the DET's
 * Basic ID and Location: the more it lists, the less a receiver's short dropout leaves it matching nothing.
 */
export const PACK_MANIFEST_HASHES = 5;
/**
 * The most pages one structure takes on BLE 4 with FEC: a Link (137 bytes), a Wrapper of four messages (189)
 * or a Manifest of LEGACY_MANIFEST_HASHES hashes (113 + 8 each); the scheduler sizes its rotation for it.
 */
export const LEGACY_DRIP_MAX_PAGES = 1 + Math.max(...[137, 89 + 25 * WRAPPER_MAX_MESSAGES, 113 + 8 * LEGACY_MANIFEST_HASHES].map((n) => fecLayout(n).lastPageIndex));
const DEFAULT_VALIDITY_S = 300;
/** Seconds since 2019 of a VNB, at most: VNA (VNB + validity) must fit in 32 bits. */
const VNB_MAX = 0xffffffff;

/** The DET a Basic ID of ID type 4 announces with session type 1 (bytes 3..18), if it is one. */
export function announcedDet(basicId: Uint8Array): Uint8Array | undefined {
  const type = basicId[0]! >> 4;
  if (basicId.length !== MESSAGE_SIZE || type !== MessageType.basicId || basicId[1]! >> 4 !== 4 || basicId[2] !== 0x01) return undefined;
  return basicId.subarray(3, 19);
}

/**
 * The messages a Wrapper signs, from those just sent in the clear (25 bytes each): Basic IDs first, then
 * Location, System, Operator ID, Self-ID — as many as fit (four) — in message-type order. Location and System
 * carry their time, so a receiver compares them with the clear ones of the same time.
 */
export function wrapperMessages(clear: readonly Uint8Array[]): Uint8Array[] {
  const priority = [MessageType.basicId, MessageType.location, MessageType.system, MessageType.operatorId, MessageType.selfId];
  const picked: Uint8Array[] = [];
  for (const type of priority) {
    for (const m of clear) {
      if (picked.length < WRAPPER_MAX_MESSAGES && m.length === MESSAGE_SIZE && m[0]! >> 4 === type && WRAPPABLE_TYPES.includes(type)) picked.push(m);
    }
  }
  return picked.sort((a, b) => (a[0]! >> 4) - (b[0]! >> 4));
}

/**
 * One transport's DRIP authentication: whose turn it is, and each structure's authentication data (SAM type
 * first, ready for splitDripAuth). Manifests chain per transport, so a receiver of one transport sees an
 * unbroken chain.
 */
export class DripAuthor {
  private turn = 0;
  private previousManifest: Uint8Array;
  private readonly linkData: Uint8Array;
  private readonly linkHash: Uint8Array;
  private readonly validityS: number;
  private lastVnb = 0;

  constructor(
    private readonly signer: DripSigner,
    opts: DripOptions = {},
  ) {
    this.validityS = opts.validityS ?? DEFAULT_VALIDITY_S;
    if (!(Number.isInteger(this.validityS) && this.validityS >= 1 && this.validityS <= 86_400)) throw new RangeError(`DRIP validity must be 1..86400 whole seconds, got ${opts.validityS}`);
    if (!(signer.uaDet instanceof Uint8Array) || signer.uaDet.length !== 16) throw new RangeError('the DRIP signer needs the 16-byte DET of the UA');
    if (!sameBytes(signer.endorsement.childDet, signer.uaDet)) {
      throw new RangeError(`the endorsement is of DET ${detToText(signer.endorsement.childDet)}, not of the UA's DET ${detToText(signer.uaDet)}`);
    }
    this.linkData = encodeDripAuth(signer.endorsement);
    this.linkHash = signer.hash(linkHashInput(signer.endorsement));
    this.previousManifest = (opts.nonce ?? randomNonce)();
  }

  /** The structure whose turn it is now; each call moves to the next. */
  nextTurn(): (typeof DRIP_TURNS)[number] {
    const kind = DRIP_TURNS[this.turn % DRIP_TURNS.length]!;
    this.turn++;
    return kind;
  }

  /** The Link: the endorsement as issued (its VNB/VNA are the HDA's). */
  link(): Uint8Array {
    return this.linkData;
  }

  /**
   * A Wrapper of `messages` (those sent in the clear, 25 bytes each, in type order), valid from now; extended:
   * inside the pack whose other members are `messages`, sent without evidence.
   */
  wrapper(timeMs: number, messages: readonly Uint8Array[], extended: boolean): Uint8Array {
    const { vnb, vna } = this.window(timeMs);
    const w = signDrip<DripWrapper>({ type: 'wrapper', vnb, vna, messages: [...messages], extended, uaDet: this.signer.uaDet }, (m) => this.signer.sign(m));
    return encodeDripAuth(w);
  }

  /** A Manifest of the hashes of `sent` (messages on BLE 4, whole packs without counter elsewhere), chained to the one before. */
  manifest(timeMs: number, sent: readonly Uint8Array[]): Uint8Array {
    const { vnb, vna } = this.window(timeMs);
    const messageHashes = sent.map((b) => this.signer.hash(b));
    const currentHash = this.signer.hash(manifestHashInput(this.previousManifest, this.linkHash, messageHashes));
    const m = signDrip<DripManifest>(
      { type: 'manifest', vnb, vna, uaDet: this.signer.uaDet, previousHash: this.previousManifest, currentHash, linkHash: this.linkHash, messageHashes },
      (b) => this.signer.sign(b),
    );
    this.previousManifest = currentHash;
    return encodeDripAuth(m);
  }

  /** VNB from the clock (never before the last one: a receiver takes an older VNB for a replay), VNA after it. */
  private window(timeMs: number): { vnb: number; vna: number } {
    const vnb = Math.min(Math.max(dripTime(timeMs), this.lastVnb), VNB_MAX - this.validityS);
    this.lastVnb = vnb;
    return { vnb, vna: vnb + this.validityS };
  }
}

/**
 * The identity with the UA's DET announced as its session ID (Basic ID of ID type 4, session type 1), beside
 * the serial: as it is when it already announces it; refused when it announces another session ID or has no
 * room (two Basic IDs at most).
 */
export function withDripDet(identity: Identity, uaDet: Uint8Array): Identity {
  const hex = toHex(uaDet);
  const sessions = identity.basicIds.filter((b) => b.idType === 4);
  if (sessions.some((b) => b.uasIdHex?.toLowerCase().startsWith(`01${hex}`))) return identity;
  if (sessions.length) throw new IdentityError('ids', `announces another session ID than the DRIP key's DET ${detToText(uaDet)}: remove it, or give the key of that DET`);
  if (identity.basicIds.length >= 2) throw new IdentityError('ids', `has two UAS IDs already: DRIP announces its DET ${detToText(uaDet)} as a session ID beside the serial, leave room for it`);
  const uaType = identity.basicIds[0]?.uaType ?? 0;
  return { ...identity, basicIds: [...identity.basicIds, { type: 'basicId', idType: 4, uaType, uasIdHex: `01${hex}000000` }] };
}

/** Whether the identity announces this DET (withDripDet adds it). */
export function announcesDet(identity: Identity, uaDet: Uint8Array): boolean {
  const hex = toHex(uaDet);
  return identity.basicIds.some((b) => b.idType === 4 && b.uasIdHex?.toLowerCase().startsWith(`01${hex}`) === true);
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((v, i) => v === b[i]);
}

function randomNonce(): Uint8Array {
  return globalThis.crypto.getRandomValues(new Uint8Array(8));
}
