/**
 * DRIP Frame (SAM type 0x04): a frame type byte and up to 111 bytes whose meaning other specifications
 * register (0xC0..0xFF are for experiments), signed by the UA like the other evidence.
 */

import { DecodeError, EncodeError } from '../errors.js';
import { requireInt } from '../messages/fields.js';
import { EVIDENCE_OFFSET, decodeUaSigned, encodeUaSigned, uaSignedBytes } from './evidence.js';
import { FRAME_DATA_MAX } from './limits.js';
import { SAM_TYPE, type DripFrame, type Unsigned } from './types.js';

export function decodeFrame(data: Uint8Array): DripFrame {
  const s = decodeUaSigned(data, 'frame');
  if (s.evidence.length < 1) throw new DecodeError('malformed', EVIDENCE_OFFSET, 'no frame type: the evidence is empty', 'drip.frame.frameType');
  return { type: 'frame', vnb: s.vnb, vna: s.vna, frameType: s.evidence[0]!, frameData: s.evidence.slice(1), uaDet: s.uaDet, signature: s.signature };
}

/** Frame type ‖ frame data, as signed and sent. */
export function frameEvidence(f: Pick<DripFrame, 'frameType' | 'frameData'>): Uint8Array {
  const frameType = requireInt('drip.frame.frameType', f.frameType, 0, 0xff);
  if (!(f.frameData instanceof Uint8Array) || f.frameData.length > FRAME_DATA_MAX) {
    throw new EncodeError('invalid', 'drip.frame.frameData', f.frameData instanceof Uint8Array ? `${f.frameData.length} bytes` : f.frameData, `at most ${FRAME_DATA_MAX} bytes`);
  }
  const out = new Uint8Array(1 + f.frameData.length);
  out[0] = frameType;
  out.set(f.frameData, 1);
  return out;
}

export function frameSignedBytes(f: Unsigned<DripFrame>): Uint8Array {
  return uaSignedBytes(f, frameEvidence(f), 'frame');
}

export function encodeFrame(f: DripFrame): Uint8Array {
  return encodeUaSigned(SAM_TYPE.frame, f, frameEvidence(f), 'frame');
}
