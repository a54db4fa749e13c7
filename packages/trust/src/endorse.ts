/**
 * Broadcast Endorsements (the DRIP Link's contents): a parent — Apex, RAA or HDA — signs a child's DET and HI
 * for a validity window, making the chain Apex→RAA→HDA→UA. An endorsement file holds the Link's bytes (what
 * the UA broadcasts) beside the same facts in words; loading checks that the two agree.
 */

import {
  DecodeError,
  decodeDripAuth,
  detToText,
  dripTimeText,
  encodeDripAuth,
  fromHex,
  signDrip,
  toHex,
  verifyDripSignature,
  type DripLink,
} from '@odid/codec';
import { nodeEd25519 } from './ed25519.js';
import { TrustError } from './errors.js';
import { readTrustFile } from './files.js';
import { detMatchesHostIdentity } from './hashes.js';
import { parseJsonObject, type DripIdentity, type DripKeyPair } from './keys.js';
import { windowProblem } from './validity.js';

/** The `format` of an endorsement file. */
export const ENDORSEMENT_FORMAT = 'odid-drip-endorsement';
export const ENDORSEMENT_FILE_MAX_BYTES = 64 * 1024;

/** The parent endorses the child from `vnb` to `vna` (seconds since 2019): the signed DRIP Link. */
export function createEndorsement(parent: DripKeyPair, child: DripIdentity, validity: { vnb: number; vna: number }): DripLink {
  if (!detMatchesHostIdentity(child.det, child.hi)) throw new TrustError('bad-file', detToText(child.det), 'the child DET is not the hash of its HI: refusing to endorse it');
  if (validity.vna < validity.vnb) throw new TrustError('bad-file', 'validity', `ends (${dripTimeText(validity.vna)}) before it starts (${dripTimeText(validity.vnb)})`);
  return signDrip<DripLink>(
    { type: 'link', vnb: validity.vnb, vna: validity.vna, childDet: child.det, childHi: child.hi, parentDet: parent.identity.det },
    (message) => nodeEd25519.sign!(parent.privateKey, message),
  );
}

export type EndorsementCheck = { ok: true } | { ok: false; problem: 'signature' | 'child-det' | 'not-yet-valid' | 'expired' | 'inverted'; reason: string };

/** Whether `parentHi` signed the endorsement, its child DET is its child HI's, and `nowMs` is in its window. */
export function verifyEndorsement(link: DripLink, parentHi: Uint8Array, opts: { nowMs: number; clockSkewS: number }): EndorsementCheck {
  if (!detMatchesHostIdentity(link.childDet, link.childHi)) return { ok: false, problem: 'child-det', reason: `child DET ${detToText(link.childDet)} is not the hash of the child HI it carries` };
  if (!verifyDripSignature(link, parentHi, nodeEd25519)) return { ok: false, problem: 'signature', reason: `the signature does not verify with the key of parent DET ${detToText(link.parentDet)}` };
  const w = windowProblem(link.vnb, link.vna, opts.nowMs, opts.clockSkewS);
  return w ? { ok: false, ...w } : { ok: true };
}

/** The endorsement file's text: the Link's bytes and, for people, what they say. */
export function endorsementToJson(link: DripLink): string {
  const json = {
    format: ENDORSEMENT_FORMAT,
    version: 1,
    parent: detToText(link.parentDet),
    child: detToText(link.childDet),
    childHi: toHex(link.childHi),
    validNotBefore: dripTimeText(link.vnb),
    validNotAfter: dripTimeText(link.vna),
    link: toHex(encodeDripAuth(link)),
  };
  return `${JSON.stringify(json, null, 2)}\n`;
}

const EXPECTED_ENDORSEMENT = 'an endorsement file written by rid-keys endorse ({"format":"odid-drip-endorsement", "link": hex, ...})';

/** An endorsement from its file's text; `source` names it in errors. The words must agree with the Link's bytes. */
export function parseEndorsement(text: string, source: string): DripLink {
  const bad = (why: string): TrustError => new TrustError('bad-file', source, why, `expected ${EXPECTED_ENDORSEMENT}`);
  const o = parseJsonObject(text, source, EXPECTED_ENDORSEMENT);
  if (o.format !== ENDORSEMENT_FORMAT) throw bad(`"format" is ${JSON.stringify(o.format)}, not "${ENDORSEMENT_FORMAT}"`);
  if (o.version !== 1) throw bad(`"version" ${JSON.stringify(o.version)} is not 1`);
  if (typeof o.link !== 'string' || !/^([0-9a-fA-F]{2}){1,201}$/.test(o.link)) throw bad('"link" is not the hex of a DRIP Link');
  let link;
  try {
    link = decodeDripAuth(fromHex(o.link));
  } catch (e) {
    throw bad(`"link" does not decode: ${e instanceof DecodeError ? e.message : String(e)}`);
  }
  if (link.type !== 'link') throw bad(`"link" holds a DRIP ${link.type}, not a Link`);
  if (!detMatchesHostIdentity(link.childDet, link.childHi)) throw bad(`the child DET ${detToText(link.childDet)} is not the hash of the child HI`);
  const words: Record<string, string> = {
    parent: detToText(link.parentDet),
    child: detToText(link.childDet),
    childHi: toHex(link.childHi),
    validNotBefore: dripTimeText(link.vnb),
    validNotAfter: dripTimeText(link.vna),
  };
  for (const [k, v] of Object.entries(words)) {
    if (o[k] !== undefined && String(o[k]).toLowerCase() !== v.toLowerCase()) throw bad(`"${k}" says ${JSON.stringify(String(o[k]).slice(0, 60))} but the Link's bytes say ${v}`);
  }
  return link;
}

export function readEndorsement(file: string): DripLink {
  return parseEndorsement(readTrustFile(file, ENDORSEMENT_FILE_MAX_BYTES, EXPECTED_ENDORSEMENT), file);
}
