/**
 * Who may use the map. Bound to loopback, the machine's own users only; bound to any other address, a
 * random token that the terminal prints (and shows as a QR code) must come with every request: in the
 * URL once (`?token=…`), then in a cookie the server sets, which the page's WebSocket sends too.
 */

import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { isIP } from 'node:net';

export const TOKEN_COOKIE = 'odid_token';

/** 192 random bits, URL-safe. */
export const newToken = (): string => randomBytes(24).toString('base64url');

/** Constant-time comparison: both sides hashed first, so neither the length nor a prefix leaks through timing. */
export function tokenMatches(given: string | undefined, expected: string): boolean {
  if (given === undefined) return false;
  const a = createHash('sha256').update(given).digest();
  const b = createHash('sha256').update(expected).digest();
  return timingSafeEqual(a, b);
}

/** 127.0.0.0/8, ::1 and localhost: only this machine can connect. */
export function isLoopbackHost(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '').toLowerCase();
  if (h === 'localhost' || h === '::1') return true;
  if (isIP(h) === 4) return h.startsWith('127.');
  return h.startsWith('::ffff:127.');
}

/** The token a request carries: `?token=` in its URL, else the cookie. */
export function requestToken(url: URL, cookieHeader: string | undefined): string | undefined {
  const q = url.searchParams.get('token');
  if (q !== null) return q;
  for (const part of (cookieHeader ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === TOKEN_COOKIE) return decodeURIComponent(part.slice(eq + 1).trim());
  }
  return undefined;
}
