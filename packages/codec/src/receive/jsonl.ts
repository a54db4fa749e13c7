/**
 * The JSONL line of one received message, keys in the order decoded-json.md shows them (the message tables').
 *
 * `JsonlWriter` writes lines straight into UTF-8 bytes: no intermediate strings, which a capture decoder
 * printing hundreds of MB would otherwise build, flatten and encode again. The message part is exactly what
 * JSON.stringify gives for it (key order, number formatting, string escapes, skipped undefined values), for
 * any message: the decoded shapes are plain objects of numbers, strings, booleans, arrays and plain objects,
 * which are written here; anything else (toJSON, bigint, very deep nesting) is handed to JSON.stringify.
 */

import { SINGLE_MESSAGE_META } from '../messages/message-meta.js';
import { fieldOrder } from '../messages/meta.js';
import type { ReceivedMessage } from './types.js';

const INITIAL_CAPACITY = 1 << 16;
/** lineString() gives back a buffer that one huge line grew beyond this. */
const SHRINK_ABOVE = 1 << 20;
/** Enough for any envelope and any short value: longer strings ask for room themselves. */
const SLACK = 512;
/** Nesting beyond this (never in decoded forms) goes to JSON.stringify, which also reports cycles. */
const MAX_DEPTH = 32;
/** Cache of `"key":` bytes for at most this many distinct keys (decoded forms use ~150). */
const MAX_CACHED_KEYS = 1024;
const TWO_POW_51 = 2 ** 51;
const POW10 = Array.from({ length: 17 }, (_, i) => 10 ** i);

const ascii = (s: string): Uint8Array => Uint8Array.from(s, (c) => c.charCodeAt(0));
const HEX_DIGITS = ascii('0123456789abcdef');
const T_ = ascii('{"t":');
const FRAME = ascii('"frame":');
const TRANSPORT = ascii('"transport":"');
const MAC = ascii('","mac":"');
const RSSI = ascii(',"rssi":');
const CHANNEL = ascii(',"channel":');
const COUNTER = ascii(',"counter":');
const BAD_FCS = ascii(',"badFcs":true');
const MESSAGE = ascii(',"message":');
const NULL = ascii('null');
const TRUE = ascii('true');
const FALSE = ascii('false');

/** Escape of each ASCII byte in a JSON string: 0 = as is, else the character after the backslash ('u' = \u00XX). */
const ESCAPE = new Uint8Array(128);
for (let c = 0; c < 0x20; c++) ESCAPE[c] = 0x75; // u
ESCAPE[0x08] = 0x62; // \b
ESCAPE[0x09] = 0x74; // \t
ESCAPE[0x0a] = 0x6e; // \n
ESCAPE[0x0c] = 0x66; // \f
ESCAPE[0x0d] = 0x72; // \r
ESCAPE[0x22] = 0x22; // \"
ESCAPE[0x5c] = 0x5c; // \\

const keyCache = new Map<string, Uint8Array>();
const encoder = new TextEncoder();
const decoder = new TextDecoder();
/** Thrown inside the walk when a value needs JSON.stringify itself; caught in line(). Not an Error: no stack. */
const UNUSUAL = { unusual: true };

/** Appends JSONL lines (UTF-8) to a growing byte buffer. */
export class JsonlWriter {
  private buf: Uint8Array;
  private pos = 0;
  /**
   * The last envelope written, kept in the buffer at [envAt, envAt + envLen) with the values it was written
   * from: the messages of one pack share theirs, and copying it is cheaper than writing it again.
   */
  private envAt = -1;
  private envLen = 0;
  private envT: unknown;
  private envFrame: unknown;
  private envTransport: unknown;
  private envMac: unknown;
  private envRssi: unknown;
  private envChannel: unknown;
  private envCounter: unknown;
  private envBad: unknown;

  constructor(capacity = INITIAL_CAPACITY) {
    this.buf = new Uint8Array(Math.max(capacity, 2 * SLACK));
  }

  /** Bytes written and not yet taken. */
  get length(): number {
    return this.pos;
  }

  /**
   * The bytes written so far (a view of the start of the writer's buffer, now the caller's). The writer
   * continues in `next` when given (a buffer an earlier take() returned, once its bytes are written out:
   * the view's .buffer), else in a new buffer of the same size.
   */
  take(next?: Uint8Array): Uint8Array {
    const out = this.buf.subarray(0, this.pos);
    this.buf = next !== undefined && next !== this.buf && next.length >= 2 * SLACK ? next : new Uint8Array(this.buf.length);
    this.pos = 0;
    this.envAt = -1;
    return out;
  }

  /** Appends receivedToJson(r) and a newline. */
  write(r: ReceivedMessage): void {
    this.line(r);
    this.room(1);
    this.buf[this.pos++] = 0x0a;
  }

  /** The line without its newline. Throws where JSON.stringify would, having written nothing. */
  line(r: ReceivedMessage): void {
    const start = this.pos;
    try {
      if (this.sameEnvelope(r)) {
        this.room(this.envLen + SLACK);
        this.buf.copyWithin(this.pos, this.envAt, this.envAt + this.envLen);
        this.pos += this.envLen;
      } else {
        this.envAt = -1;
        this.envelope(r);
        this.keepEnvelope(r, start);
      }
      const at = this.pos;
      try {
        if (!this.value(r.message, 0)) this.raw('undefined'); // as `${JSON.stringify(undefined)}` did
      } catch (e) {
        if (e !== UNUSUAL) throw e;
        // Something only JSON.stringify knows how to write: let it write the whole message.
        this.pos = at;
        this.raw(String(JSON.stringify(r.message)));
      }
      this.room(1);
      this.buf[this.pos++] = 0x7d; // }
    } catch (e) {
      this.pos = start;
      if (this.envAt >= start) this.envAt = -1;
      throw e;
    }
  }

  private sameEnvelope(r: ReceivedMessage): boolean {
    return (
      this.envAt >= 0 &&
      r.t === this.envT &&
      r.frame === this.envFrame &&
      r.mac === this.envMac &&
      r.transport === this.envTransport &&
      r.rssi === this.envRssi &&
      r.channel === this.envChannel &&
      r.counter === this.envCounter &&
      r.badFcs === this.envBad
    );
  }

  private keepEnvelope(r: ReceivedMessage, at: number): void {
    this.envAt = at;
    this.envLen = this.pos - at;
    this.envT = r.t;
    this.envFrame = r.frame;
    this.envTransport = r.transport;
    this.envMac = r.mac;
    this.envRssi = r.rssi;
    this.envChannel = r.channel;
    this.envCounter = r.counter;
    this.envBad = r.badFcs;
  }

  /** receivedToJson: the line as a string, through this writer's buffer (left empty). */
  lineString(r: ReceivedMessage): string {
    this.pos = 0;
    this.envAt = -1;
    this.line(r);
    const s = decoder.decode(this.buf.subarray(0, this.pos));
    this.pos = 0;
    if (this.buf.length > SHRINK_ABOVE) this.buf = new Uint8Array(INITIAL_CAPACITY); // after a huge line
    return s;
  }

  /** Everything before the message, as the template of the original receivedToJson wrote it. */
  private envelope(r: ReceivedMessage): void {
    this.room(SLACK);
    if (r.t !== undefined) {
      this.bytes(T_);
      this.templated(r.t);
      this.buf[this.pos++] = 0x2c; // ,
    } else {
      this.buf[this.pos++] = 0x7b; // {
    }
    if (r.frame !== undefined) {
      this.bytes(FRAME);
      this.templated(r.frame);
      this.buf[this.pos++] = 0x2c;
    }
    this.bytes(TRANSPORT);
    this.raw(String(r.transport));
    this.room(SLACK);
    this.bytes(MAC);
    this.raw(String(r.mac));
    this.room(SLACK);
    this.buf[this.pos++] = 0x22; // "
    if (r.rssi !== undefined) {
      this.bytes(RSSI);
      this.templated(r.rssi);
    }
    if (r.channel !== undefined) {
      this.bytes(CHANNEL);
      this.templated(r.channel);
    }
    if (r.counter !== undefined) {
      this.bytes(COUNTER);
      this.templated(r.counter);
    }
    if (r.badFcs) this.bytes(BAD_FCS);
    this.bytes(MESSAGE);
  }

  /** An envelope value as a template literal writes it (String(v)). */
  private templated(v: unknown): void {
    if (typeof v === 'number') this.plainNumber(v);
    else {
      this.raw(String(v));
      this.room(SLACK);
    }
  }

  /** A JSON value as JSON.stringify writes it. Returns false for values JSON.stringify leaves out. */
  private value(v: unknown, depth: number): boolean {
    switch (typeof v) {
      case 'number':
        this.room(SLACK);
        if (Number.isFinite(v)) this.plainNumber(v);
        else this.bytes(NULL);
        return true;
      case 'string':
        this.string(v);
        return true;
      case 'boolean':
        this.room(SLACK);
        this.bytes(v ? TRUE : FALSE);
        return true;
      case 'object':
        if (v === null) {
          this.room(SLACK);
          this.bytes(NULL);
          return true;
        }
        if (depth >= MAX_DEPTH || typeof (v as { toJSON?: unknown }).toJSON === 'function') throw UNUSUAL;
        if (Array.isArray(v)) {
          this.array(v, depth + 1);
          return true;
        }
        // Plain objects only: boxed primitives, class instances, Maps... are JSON.stringify's business.
        if (Object.getPrototypeOf(v) !== Object.prototype && Object.getPrototypeOf(v) !== null) throw UNUSUAL;
        this.object(v as Record<string, unknown>, depth + 1);
        return true;
      case 'undefined':
      case 'function':
      case 'symbol':
        return false; // left out of objects, null in arrays
      default:
        throw UNUSUAL; // bigint: JSON.stringify throws for it, and so will we
    }
  }

  private object(o: Record<string, unknown>, depth: number): void {
    this.room(SLACK);
    this.buf[this.pos++] = 0x7b; // {
    const keys = Object.keys(o);
    // A decoded form's `"key":` bytes are ready-made; other keys come from the key cache.
    const known = knownShape(o.type, keys)?.bytes;
    let first = true;
    for (let i = 0; i < keys.length; i++) first = this.field(first, known?.[i], keys[i]!, o[keys[i]!], depth);
    this.room(1);
    this.buf[this.pos++] = 0x7d; // }
  }

  /** One `"key":value` of an object (with the comma before it unless first); returns the new `first`. */
  private field(first: boolean, key: Uint8Array | undefined, name: string, v: unknown, depth: number): boolean {
    if (v === undefined || typeof v === 'function' || typeof v === 'symbol') return first;
    this.room(SLACK);
    if (!first) this.buf[this.pos++] = 0x2c;
    if (key !== undefined) this.bytes(key);
    else this.key(name);
    this.value(v, depth);
    return false;
  }

  private array(a: readonly unknown[], depth: number): void {
    this.room(SLACK);
    this.buf[this.pos++] = 0x5b; // [
    for (let i = 0; i < a.length; i++) {
      this.room(SLACK);
      if (i) this.buf[this.pos++] = 0x2c;
      if (!this.value(a[i], depth)) this.bytes(NULL);
    }
    this.room(1);
    this.buf[this.pos++] = 0x5d; // ]
  }

  /** `"key":`, from the cache when the key has been seen. */
  private key(k: string): void {
    let b = keyCache.get(k);
    if (b === undefined) {
      const quoted = keyBytes(k);
      if (keyCache.size >= MAX_CACHED_KEYS) {
        this.room(quoted.length);
        this.bytes(quoted);
        return;
      }
      keyCache.set(k, (b = quoted));
    }
    this.room(b.length);
    this.bytes(b);
  }

  /**
   * A number exactly as String() (and JSON.stringify, for finite ones) writes it: integers digit by digit;
   * fractions with few digits (the decoded forms' lat/lon, 0.5 m, 0.25 m/s, 0.1 s and µs timestamps) by the
   * shortest-decimal rule; anything else through String(). Needs 25 bytes of room.
   */
  private plainNumber(v: number): void {
    if ((v | 0) === v) {
      // int32 (and -0, which String() also writes as 0)
      if (v < 0) {
        this.buf[this.pos++] = 0x2d;
        this.digits(-v);
      } else {
        this.digits(v | 0);
      }
      return;
    }
    if (Number.isSafeInteger(v)) {
      if (v < 0) {
        this.buf[this.pos++] = 0x2d; // -
        this.digits(-v);
      } else {
        this.digits(v);
      }
      return;
    }
    if (!this.shortDecimal(v)) {
      const s = String(v);
      const buf = this.buf;
      for (let i = 0; i < s.length; i++) buf[this.pos++] = s.charCodeAt(i);
    }
  }

  /** A non-negative safe integer's digits. */
  private digits(n: number): void {
    const buf = this.buf;
    if (n < 10) {
      buf[this.pos++] = 0x30 + n;
      return;
    }
    let count = 2;
    while (count < 16 && n >= POW10[count]!) count++;
    if (count === 16) for (let m = Math.floor(n / 1e15); m >= 10; m = Math.floor(m / 10)) count++;
    let p = this.pos + count;
    this.pos = p;
    do {
      const q = Math.floor(n / 10);
      buf[--p] = 0x30 + (n - q * 10);
      n = q;
    } while (n > 0);
  }

  /**
   * Writes v when it is s / 10^k for an integer s with |s| < 2^51 and k <= 15, for 1e-6 <= |v|, with the
   * smallest such k. Then that decimal is what String(v) prints: division by an exact power of ten is
   * correctly rounded, so s / 10^k === v means the decimal rounds to v; and decimals with k digits after
   * the point lie 10^-k > 2 ulp(v) apart, so no other (or shorter) decimal rounds to v. ECMAScript
   * Number::toString prints values from 1e-6 up to 1e21 in that plain positional form. Most values are
   * tried once, with 7 digits (or fewer for large values), their trailing zeros then dropped.
   */
  private shortDecimal(v: number): boolean {
    const a = v < 0 ? -v : v;
    if (!(a >= 1e-6)) return false; // also NaN
    // One digit after the point (x.5 m, tenths of seconds) is the commonest case: try it first.
    let k = 1;
    let p = 10;
    let s = Math.round(a * p);
    if (s >= TWO_POW_51) return false;
    if (s / p !== a) {
      // Then 7 digits (positions), or as many as keep a * 10^k below 2^51; trailing zeros dropped below.
      k = 7;
      p = 1e7;
      while (a * p >= TWO_POW_51) {
        k--;
        p /= 10; // exact: powers of ten up to 1e22 are doubles
      }
      if (k < 2) return false;
      s = Math.round(a * p);
      if (s / p !== a) {
        if (k < 7) return false;
        // more than 7 digits after the point (or not a short decimal at all)
        for (;;) {
          if (++k > 15) return false;
          p *= 10;
          s = Math.round(a * p);
          if (s >= TWO_POW_51) return false;
          if (s / p === a) break;
        }
      }
    }
    let ip = Math.floor(s / p);
    let frac = s - ip * p;
    if (frac < 0) {
      ip--;
      frac += p;
    } else if (frac >= p) {
      ip++;
      frac -= p;
    }
    if (frac === 0) return false; // an integer too large to be safe: String() decides
    if (frac < 0x7fffffff) {
      // int32 arithmetic (k <= 7 here, or a fraction that small anyway)
      let f = frac | 0;
      while (f % 10 === 0) {
        f = (f / 10) | 0;
        k--;
      }
      frac = f;
    } else {
      while (frac % 10 === 0) {
        frac /= 10;
        k--;
      }
    }
    if (v < 0) this.buf[this.pos++] = 0x2d;
    this.digits(ip);
    const buf = this.buf;
    buf[this.pos++] = 0x2e; // .
    let q = this.pos + k;
    this.pos = q;
    for (let i = 0; i < k; i++) {
      const d = Math.floor(frac / 10);
      buf[--q] = 0x30 + (frac - d * 10);
      frac = d;
    }
    return true;
  }

  /** A JSON string with JSON.stringify's escapes, encoded as UTF-8. */
  private string(s: string): void {
    // Worst case 6 bytes per UTF-16 unit (\u00XX, or a lone surrogate \udXXX).
    this.room(s.length * 6 + 2);
    const buf = this.buf;
    let p = this.pos;
    buf[p++] = 0x22;
    for (let i = 0; i < s.length; i++) {
      const c = s.charCodeAt(i);
      if (c < 0x80) {
        const e = ESCAPE[c]!;
        if (e === 0) {
          buf[p++] = c;
        } else if (e !== 0x75) {
          buf[p++] = 0x5c;
          buf[p++] = e;
        } else {
          p = unicodeEscape(buf, p, c);
        }
      } else if (c < 0x800) {
        buf[p++] = 0xc0 | (c >> 6);
        buf[p++] = 0x80 | (c & 0x3f);
      } else if (c < 0xd800 || c > 0xdfff) {
        buf[p++] = 0xe0 | (c >> 12);
        buf[p++] = 0x80 | ((c >> 6) & 0x3f);
        buf[p++] = 0x80 | (c & 0x3f);
      } else {
        const d = i + 1 < s.length ? s.charCodeAt(i + 1) : 0;
        if (c <= 0xdbff && d >= 0xdc00 && d <= 0xdfff) {
          const cp = 0x10000 + ((c - 0xd800) << 10) + (d - 0xdc00);
          buf[p++] = 0xf0 | (cp >> 18);
          buf[p++] = 0x80 | ((cp >> 12) & 0x3f);
          buf[p++] = 0x80 | ((cp >> 6) & 0x3f);
          buf[p++] = 0x80 | (cp & 0x3f);
          i++;
        } else {
          p = unicodeEscape(buf, p, c); // a lone surrogate: JSON.stringify escapes it
        }
      }
    }
    buf[p++] = 0x22;
    this.pos = p;
  }

  /** Text that needs no escaping (transport, address, JSON.stringify output), as UTF-8. */
  private raw(s: string): void {
    this.room(s.length * 3);
    let p = this.pos;
    const buf = this.buf;
    for (let i = 0; i < s.length; i++) {
      const c = s.charCodeAt(i);
      if (c >= 0x80) {
        this.pos = p;
        this.pos += encoder.encodeInto(s.slice(i), buf.subarray(p)).written;
        return;
      }
      buf[p++] = c;
    }
    this.pos = p;
  }

  private bytes(b: Uint8Array): void {
    const buf = this.buf;
    let p = this.pos;
    if (b.length > 32) {
      buf.set(b, p);
      this.pos = p + b.length;
      return;
    }
    for (let i = 0; i < b.length; i++) buf[p++] = b[i]!;
    this.pos = p;
  }

  /** Makes room for n more bytes. */
  private room(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    const grown = new Uint8Array(Math.max(this.buf.length * 2, this.pos + n + SLACK));
    grown.set(this.buf.subarray(0, this.pos));
    this.buf = grown;
  }
}

/**
 * The decoded forms' key lists, from the message tables (messages/*-meta.ts): each type's keys without its
 * optional ones, and with them. A message whose Object.keys() is exactly one of these gets its `"key":`
 * bytes from here; any other object goes through the key cache: the output is the same, only slower.
 */
interface Shape {
  keys: readonly string[];
  bytes: Uint8Array[];
}

const keyBytes = (k: string): Uint8Array => encoder.encode(JSON.stringify(k) + ':');
/** Candidate shapes by the message's `type`. */
const SHAPE_TABLE = new Map<string, Shape[]>();
for (const meta of SINGLE_MESSAGE_META) {
  const shapes = [fieldOrder(meta, false), fieldOrder(meta, true)].map((keys) => ({ keys, bytes: keys.map(keyBytes) }));
  SHAPE_TABLE.set(meta.type, shapes[0]!.keys.length === shapes[1]!.keys.length ? [shapes[0]!] : shapes);
}

/** The decoded shape these keys are, in this order, for a message of `type`; else undefined. */
function knownShape(type: unknown, keys: readonly string[]): Shape | undefined {
  if (typeof type !== 'string') return undefined;
  const candidates = SHAPE_TABLE.get(type);
  if (candidates === undefined) return undefined;
  outer: for (const c of candidates) {
    if (c.keys.length !== keys.length) continue;
    for (let i = 0; i < keys.length; i++) if (c.keys[i] !== keys[i]) continue outer;
    return c;
  }
  return undefined;
}

function unicodeEscape(buf: Uint8Array, p: number, c: number): number {
  buf[p++] = 0x5c;
  buf[p++] = 0x75;
  buf[p++] = HEX_DIGITS[(c >> 12) & 15]!;
  buf[p++] = HEX_DIGITS[(c >> 8) & 15]!;
  buf[p++] = HEX_DIGITS[(c >> 4) & 15]!;
  buf[p++] = HEX_DIGITS[c & 15]!;
  return p;
}

const scratch = new JsonlWriter(4096);
let scratchBusy = false;

export function receivedToJson(r: ReceivedMessage): string {
  // A getter or toJSON inside the message could call back in here: it gets a writer of its own.
  if (scratchBusy) return new JsonlWriter(4096).lineString(r);
  scratchBusy = true;
  try {
    return scratch.lineString(r);
  } finally {
    scratchBusy = false;
  }
}
