/**
 * DRIP single-page FEC (remote-id-spec.md §6.4), for legacy transports only (never inside a message pack):
 * after the authentication data come an Additional Data Length byte, zero padding up to the next page, and
 * one parity page, the XOR of the 23-byte payloads (bytes 2..24) of every page before it — page 0's payload
 * being its last page index, length, timestamp and 17 data bytes. ADL = padding + 23, and the last page index
 * counts the padding and parity pages. One lost page is the XOR of all the others, parity page included.
 */

import { fromHex, putU32le, toHex, u32le } from '../bytes.js';
import { EncodeError } from '../errors.js';
import { AUTH_MAX_PAGES, AUTH_PAGE0_DATA, AUTH_PAGEN_DATA } from '../messages/auth-meta.js';
import { lastPageIndexFor, splitAuth } from '../messages/auth-pages.js';
import { authCapacity } from '../messages/auth.js';
import { requireInt } from '../messages/fields.js';
import { EPOCH_2019_TIMESTAMP } from '../messages/meta.js';
import { DEFAULT_PROTOCOL_VERSION, type AuthMessage } from '../messages/types.js';
import { DRIP_MAX_AUTH_LENGTH } from './limits.js';
import { AUTH_TYPE_SAM } from './sam.js';

/** Bytes of a page payload (what the parity covers): everything after the two header bytes. */
export const PAGE_PAYLOAD_SIZE = AUTH_PAGEN_DATA;
/** The smallest and largest ADL: the parity page alone, or after 22 bytes of padding. */
const ADL_MIN = AUTH_PAGEN_DATA;
const ADL_MAX = 2 * AUTH_PAGEN_DATA - 1;

export interface DripPagesOptions {
  /** Seconds since 2019-01-01T00:00:00Z, for page 0. */
  timestamp: number;
  /** Add ADL, padding and a parity page: for legacy transports (BLE 4) only. */
  fec: boolean;
  protocolVersion?: number;
}

/** Where the FEC of `length` bytes of authentication data goes: its ADL and the last page index with it. */
export function fecLayout(length: number): { adl: number; lastPageIndex: number } {
  const dataPages = lastPageIndexFor(length + 1); // the data and the ADL byte
  return { adl: authCapacity(dataPages) - (length + 1) + AUTH_PAGEN_DATA, lastPageIndex: dataPages + 1 };
}

/**
 * The Authentication pages (auth type 5) of DRIP authentication data, with FEC on request. Without FEC they
 * are splitAuth's; with it, page 0's last page index includes the padding and parity pages.
 */
export function splitDripAuth(authData: Uint8Array, opts: DripPagesOptions): AuthMessage[] {
  if (!(authData instanceof Uint8Array)) throw new EncodeError('invalid', 'drip.authData', authData, 'a Uint8Array');
  if (authData.length > DRIP_MAX_AUTH_LENGTH) throw new EncodeError('out-of-range', 'drip.authData', `${authData.length} bytes`, `at most ${DRIP_MAX_AUTH_LENGTH} bytes`);
  const protocolVersion = opts.protocolVersion ?? DEFAULT_PROTOCOL_VERSION;
  if (!opts.fec) return splitAuth({ authType: AUTH_TYPE_SAM, timestamp: opts.timestamp, data: authData, protocolVersion });
  const timestamp = requireInt('auth.timestamp', opts.timestamp, EPOCH_2019_TIMESTAMP.min, EPOCH_2019_TIMESTAMP.max);
  const length = authData.length;
  const { adl, lastPageIndex } = fecLayout(length);
  const data = new Uint8Array(authCapacity(lastPageIndex));
  data.set(authData);
  data[length] = adl;
  const pages: AuthMessage[] = [];
  for (let p = 0; p < lastPageIndex; p++) {
    const [start, end] = pageDataRange(p);
    pages.push({
      type: 'auth',
      protocolVersion,
      authType: AUTH_TYPE_SAM,
      dataPage: p,
      ...(p === 0 ? { lastPageIndex, length, timestamp } : {}),
      authData: toHex(data, start, end),
    });
  }
  const parity = fecParity(pages.map(pagePayload));
  pages.push({ type: 'auth', protocolVersion, authType: AUTH_TYPE_SAM, dataPage: lastPageIndex, authData: toHex(parity) });
  return pages;
}

/** The XOR of 23-byte page payloads. */
export function fecParity(payloads: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(PAGE_PAYLOAD_SIZE);
  for (const p of payloads) for (let i = 0; i < PAGE_PAYLOAD_SIZE; i++) out[i]! ^= p[i] ?? 0;
  return out;
}

/** A page's 23-byte payload (bytes 2..24 of its message): page 0's starts with last page index, length, timestamp. */
export function pagePayload(page: AuthMessage): Uint8Array {
  const out = new Uint8Array(PAGE_PAYLOAD_SIZE);
  const data = fromHex(page.authData);
  if (page.dataPage !== 0) {
    out.set(data.subarray(0, AUTH_PAGEN_DATA));
    return out;
  }
  out[0] = page.lastPageIndex ?? 0;
  out[1] = page.length ?? 0;
  putU32le(out, 2, page.timestamp ?? 0);
  out.set(data.subarray(0, AUTH_PAGE0_DATA), 6);
  return out;
}

export type FecRecovery = { ok: true; page: AuthMessage } | { ok: false; reason: string };

/**
 * Rebuilds the one missing page of a DRIP authentication message sent with FEC, from all its other pages
 * (any order; pages after the last page index are ignored). Fails, with the reason, when not exactly one
 * page is missing, pages disagree, or the result is not a believable DRIP FEC layout: when page 0 was
 * rebuilt, its last page index must be the highest page heard (< 16) and its length at most 201; and in
 * every case the byte after the data must be an ADL that ends the data exactly at the parity page, with
 * only zero padding between. Add the returned page to the assembler like a received one.
 */
export function recoverDripPage(pages: readonly AuthMessage[]): FecRecovery {
  try {
    return recover(pages);
  } catch (e) {
    // Hand-made pages with bad hex: the only thing that can throw here.
    return { ok: false, reason: e instanceof Error ? e.message : String(e) };
  }
}

function recover(pages: readonly AuthMessage[]): FecRecovery {
  const byIndex = new Map<number, AuthMessage>();
  for (const p of pages) {
    if (p.authType !== AUTH_TYPE_SAM) return { ok: false, reason: `page ${p.dataPage} has auth type ${p.authType}, not ${AUTH_TYPE_SAM}` };
    const seen = byIndex.get(p.dataPage);
    if (seen && (seen.authData !== p.authData || seen.lastPageIndex !== p.lastPageIndex || seen.length !== p.length || seen.timestamp !== p.timestamp)) {
      return { ok: false, reason: `two different pages ${p.dataPage}` };
    }
    byIndex.set(p.dataPage, p);
  }
  if (byIndex.size === 0) return { ok: false, reason: 'no pages' };
  const page0 = byIndex.get(0);
  // Without page 0 the parity page, being the last, must be the highest page heard.
  const lastPageIndex = page0?.lastPageIndex ?? Math.max(...byIndex.keys());
  if (lastPageIndex >= AUTH_MAX_PAGES) return { ok: false, reason: `last page index ${lastPageIndex} is not below ${AUTH_MAX_PAGES}` };
  const missing: number[] = [];
  for (let p = 0; p <= lastPageIndex; p++) if (!byIndex.has(p)) missing.push(p);
  if (missing.length !== 1) return { ok: false, reason: missing.length === 0 ? 'no page is missing' : `${missing.length} pages are missing (${missing.join(', ')}); single-page FEC rebuilds one` };
  const lost = missing[0]!;
  const present: AuthMessage[] = [];
  for (let p = 0; p <= lastPageIndex; p++) if (p !== lost) present.push(byIndex.get(p)!);
  const payload = fecParity(present.map(pagePayload));
  const template = present[0]!;
  const rebuilt: AuthMessage =
    lost === 0
      ? {
          type: 'auth',
          protocolVersion: template.protocolVersion,
          authType: AUTH_TYPE_SAM,
          dataPage: 0,
          lastPageIndex: payload[0]!,
          length: payload[1]!,
          timestamp: u32le(payload, 2),
          authData: toHex(payload, 6, PAGE_PAYLOAD_SIZE),
        }
      : { type: 'auth', protocolVersion: template.protocolVersion, authType: AUTH_TYPE_SAM, dataPage: lost, authData: toHex(payload) };
  const head = lost === 0 ? rebuilt : page0!;
  if (head.lastPageIndex !== lastPageIndex) return { ok: false, reason: `the rebuilt page 0 says last page index ${head.lastPageIndex}, but page ${lastPageIndex} was heard last` };
  const problem = layoutProblem([...present, rebuilt], head.length ?? 0, lastPageIndex);
  return problem ? { ok: false, reason: problem } : { ok: true, page: rebuilt };
}

/** Why pages 0..lastPageIndex are not `length` bytes of DRIP data followed by a well-formed FEC tail, if they are not. */
function layoutProblem(pages: readonly AuthMessage[], length: number, lastPageIndex: number): string | undefined {
  if (length > DRIP_MAX_AUTH_LENGTH) return `length ${length} is more than the ${DRIP_MAX_AUTH_LENGTH} DRIP allows`;
  const data = new Uint8Array(authCapacity(lastPageIndex));
  for (const p of pages) {
    if (p.dataPage > lastPageIndex) continue;
    const [start, end] = pageDataRange(p.dataPage);
    data.set(fromHex(p.authData).subarray(0, end - start), start);
  }
  const adl = data[length]!;
  if (adl < ADL_MIN || adl > ADL_MAX) return `the byte after the ${length} data bytes is ${adl}, not an ADL of ${ADL_MIN}..${ADL_MAX}`;
  if (length + 1 + adl !== data.length) return `ADL ${adl} after ${length} data bytes does not end at the parity page (last page index ${lastPageIndex})`;
  const parityStart = data.length - AUTH_PAGEN_DATA;
  for (let i = length + 1; i < parityStart; i++) if (data[i] !== 0) return `non-zero padding at data byte ${i}`;
  return undefined;
}

/** The range of the reassembled data a page carries. */
function pageDataRange(page: number): [number, number] {
  return page === 0 ? [0, AUTH_PAGE0_DATA] : [AUTH_PAGE0_DATA + (page - 1) * AUTH_PAGEN_DATA, AUTH_PAGE0_DATA + page * AUTH_PAGEN_DATA];
}
