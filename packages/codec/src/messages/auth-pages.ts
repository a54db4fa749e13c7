/**
 * Authentication signatures of up to 255 bytes travel as pages of 17 (page 0) and 23 bytes. `splitAuth`
 * makes the pages a transmitter sends; `AuthAssembler` puts received pages back together in any arrival
 * order and says which pages are still missing.
 */

import { fromHex, toHex } from '../bytes.js';
import { EncodeError } from '../errors.js';
import { AUTH_MAX_LENGTH, AUTH_PAGE0_DATA, AUTH_PAGEN_DATA, AUTH_TYPE } from './auth-meta.js';
import { authCapacity } from './auth.js';
import { requireInt } from './fields.js';
import { EPOCH_2019_TIMESTAMP } from './meta.js';
import type { AuthMessage } from './types.js';
import { DEFAULT_PROTOCOL_VERSION } from './types.js';

export interface AssembledAuth {
  type: 'authAssembled';
  authType: number;
  length: number;
  /** Seconds since 2019-01-01T00:00:00Z. */
  timestamp: number;
  /** Exactly `length` bytes, lowercase hex. */
  authData: string;
}

export interface AuthToSplit {
  authType: number;
  /** Seconds since 2019-01-01T00:00:00Z. */
  timestamp: number;
  /** The signature (authentication data), at most 255 bytes. */
  data: Uint8Array;
  protocolVersion?: number;
}

/** Fewest pages that hold `length` bytes, as a last page index. */
export const lastPageIndexFor = (length: number): number => (length <= AUTH_PAGE0_DATA ? 0 : Math.ceil((length - AUTH_PAGE0_DATA) / AUTH_PAGEN_DATA));

export function splitAuth(a: AuthToSplit): AuthMessage[] {
  const authType = requireInt('auth.authType', a.authType, 0, AUTH_TYPE.max);
  const timestamp = requireInt('auth.timestamp', a.timestamp, EPOCH_2019_TIMESTAMP.min, EPOCH_2019_TIMESTAMP.max);
  if (!(a.data instanceof Uint8Array)) throw new EncodeError('invalid', 'auth.data', a.data, 'a Uint8Array');
  if (a.data.length > AUTH_MAX_LENGTH) throw new EncodeError('out-of-range', 'auth.data', a.data.length, `at most ${AUTH_MAX_LENGTH} bytes`);
  const protocolVersion = a.protocolVersion ?? DEFAULT_PROTOCOL_VERSION;
  const lastPageIndex = lastPageIndexFor(a.data.length);
  const padded = new Uint8Array(authCapacity(lastPageIndex));
  padded.set(a.data);
  const pages: AuthMessage[] = [
    { type: 'auth', protocolVersion, authType, dataPage: 0, lastPageIndex, length: a.data.length, timestamp, authData: toHex(padded, 0, AUTH_PAGE0_DATA) },
  ];
  for (let p = 1; p <= lastPageIndex; p++) {
    const start = AUTH_PAGE0_DATA + (p - 1) * AUTH_PAGEN_DATA;
    pages.push({ type: 'auth', protocolVersion, authType, dataPage: p, authData: toHex(padded, start, start + AUTH_PAGEN_DATA) });
  }
  return pages;
}

export type AuthAssembly =
  | { complete: true; auth: AssembledAuth }
  | { complete: false; missing: number[]; /** Set when pages contradict each other. */ conflict?: string };

/**
 * Collects the pages of one authentication message. A page with a different auth type than the ones
 * already held starts a new signature (the transmitter moved on); the caller keys assemblers by sender.
 */
export class AuthAssembler {
  private pages = new Map<number, Uint8Array>();
  private authType: number | undefined;
  private page0: AuthMessage | undefined;

  add(page: AuthMessage): AuthAssembly {
    if (this.authType !== undefined && page.authType !== this.authType) this.reset();
    this.authType = page.authType;
    const data = fromHex(page.authData);
    const previous = this.pages.get(page.dataPage);
    if (previous && toHex(previous) !== page.authData) {
      // A changed page means a new signature has begun; keep the newest page only.
      this.reset();
      this.authType = page.authType;
    }
    this.pages.set(page.dataPage, data);
    if (page.dataPage === 0) this.page0 = page;
    return this.result();
  }

  result(): AuthAssembly {
    const p0 = this.page0;
    if (!p0 || p0.lastPageIndex === undefined || p0.length === undefined || p0.timestamp === undefined) {
      // Without page 0 the page count is unknown: report the gaps up to the highest page seen.
      const highest = Math.max(0, ...this.pages.keys());
      return { complete: false, missing: range(0, highest).filter((p) => !this.pages.has(p)) };
    }
    const missing = range(0, p0.lastPageIndex).filter((p) => !this.pages.has(p));
    if (missing.length) return { complete: false, missing };
    const all = new Uint8Array(authCapacity(p0.lastPageIndex));
    for (let p = 0; p <= p0.lastPageIndex; p++) {
      all.set(this.pages.get(p)!.subarray(0, p === 0 ? AUTH_PAGE0_DATA : AUTH_PAGEN_DATA), p === 0 ? 0 : AUTH_PAGE0_DATA + (p - 1) * AUTH_PAGEN_DATA);
    }
    return {
      complete: true,
      auth: { type: 'authAssembled', authType: p0.authType, length: p0.length, timestamp: p0.timestamp, authData: toHex(all, 0, p0.length) },
    };
  }

  private reset(): void {
    this.pages.clear();
    this.page0 = undefined;
  }
}

/** Assembles a set of pages received in any order; pages beyond the last page index are ignored. */
export function assembleAuth(pages: readonly AuthMessage[]): AuthAssembly {
  const types = new Set(pages.map((p) => p.authType));
  if (types.size > 1) return { complete: false, missing: [], conflict: `pages carry different auth types (${[...types].join(', ')})` };
  const a = new AuthAssembler();
  let last: AuthAssembly = { complete: false, missing: [0] };
  for (const p of pages) last = a.add(p);
  return last;
}

const range = (from: number, to: number): number[] => Array.from({ length: to - from + 1 }, (_, i) => from + i);
