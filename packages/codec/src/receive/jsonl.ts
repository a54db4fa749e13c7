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
import { fieldOrder, type SomeMessageMeta } from '../messages/meta.js';
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
const INT32_MAX = 0x7fffffff;
const POW10 = Array.from({ length: 17 }, (_, i) => 10 ** i);
/** Capture times have microseconds: the digits after the point `t` most often has. */
const TIME_DECIMALS = 6;

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/**
 * Text the writer copies often (keys, the envelope's fixed parts), as little-endian 32-bit words: copied a
 * word at a time, several times faster than byte by byte. The last word may write up to 3 bytes past the
 * text's end, inside the room every write makes (SLACK), where the next bytes go.
 */
interface Chunk {
  readonly length: number;
  readonly words: Int32Array;
}

function chunk(text: string): Chunk {
  const bytes = encoder.encode(text);
  const words = new Int32Array((bytes.length + 3) >> 2);
  for (let i = 0; i < bytes.length; i++) words[i >> 2]! |= bytes[i]! << (8 * (i & 3));
  return { length: bytes.length, words };
}

const HEX_DIGITS = encoder.encode('0123456789abcdef');
const T_ = chunk('{"t":');
const FRAME = chunk('"frame":');
const TRANSPORT = chunk('"transport":"');
const MAC = chunk('","mac":"');
const RSSI = chunk(',"rssi":');
const CHANNEL = chunk(',"channel":');
const COUNTER = chunk(',"counter":');
const BAD_FCS = chunk(',"badFcs":true');
const MESSAGE = chunk(',"message":');
const NULL = chunk('null');
const TRUE = chunk('true');
const FALSE = chunk('false');
/** The envelope's transport and address as chunks, for at most this many distinct strings of at most MAX_TEXT_CHUNK characters. */
const MAX_TEXT_CHUNKS = 4096;
const MAX_TEXT_CHUNK = 64;

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
const textChunks = new Map<string, Chunk>();
/** Thrown inside the walk when a value needs JSON.stringify itself; caught in line(). Not an Error: no stack. */
const UNUSUAL = { unusual: true };

/** Appends JSONL lines (UTF-8) to a growing byte buffer. */
export class JsonlWriter {
  private buf!: Uint8Array;
  /** The same bytes as buf, for chunk(). */
  private view!: DataView;
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
    this.use(new Uint8Array(Math.max(capacity, 2 * SLACK)));
  }

  private use(buf: Uint8Array): void {
    this.buf = buf;
    this.view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
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
    this.use(next !== undefined && next !== this.buf && next.length >= 2 * SLACK ? next : new Uint8Array(this.buf.length));
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
    if (this.buf.length > SHRINK_ABOVE) this.use(new Uint8Array(INITIAL_CAPACITY)); // after a huge line
    return s;
  }

  /** Everything before the message, as the template of the original receivedToJson wrote it. */
  private envelope(r: ReceivedMessage): void {
    this.room(SLACK);
    if (r.t !== undefined) {
      this.chunk(T_);
      this.templated(r.t, TIME_DECIMALS);
      this.buf[this.pos++] = 0x2c; // ,
    } else {
      this.buf[this.pos++] = 0x7b; // {
    }
    if (r.frame !== undefined) {
      this.chunk(FRAME);
      this.templated(r.frame, 0);
      this.buf[this.pos++] = 0x2c;
    }
    this.chunk(TRANSPORT);
    this.text(r.transport);
    this.room(SLACK);
    this.chunk(MAC);
    this.text(r.mac);
    this.room(SLACK);
    this.buf[this.pos++] = 0x22; // "
    if (r.rssi !== undefined) {
      this.chunk(RSSI);
      this.templated(r.rssi, 0);
    }
    if (r.channel !== undefined) {
      this.chunk(CHANNEL);
      this.templated(r.channel, 0);
    }
    if (r.counter !== undefined) {
      this.chunk(COUNTER);
      this.templated(r.counter, 0);
    }
    if (r.badFcs) this.chunk(BAD_FCS);
    this.chunk(MESSAGE);
  }

  /** An envelope value as a template literal writes it (String(v)); `decimals` as plainNumber's. */
  private templated(v: unknown, decimals: number): void {
    if (typeof v === 'number') this.plainNumber(v, decimals);
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
        if (Number.isFinite(v)) this.plainNumber(v, 0);
        else this.chunk(NULL);
        return true;
      case 'string':
        this.string(v);
        return true;
      case 'boolean':
        this.room(SLACK);
        this.chunk(v ? TRUE : FALSE);
        return true;
      case 'object':
        if (v === null) {
          this.room(SLACK);
          this.chunk(NULL);
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

  /**
   * The own enumerable keys in JSON.stringify's order, walked with for-in (which V8 runs from the object's
   * enum cache, reading each value by its field index: no key array, no keyed lookups); inherited keys are
   * skipped as JSON.stringify skips them. A decoded form's keys come in its table's order, so each one is
   * found at or just after the previous one's place in its shape, with its `"key":` bytes and the precision
   * of its numbers; any other key gets its bytes from the key cache. (Only a getter that deletes or adds
   * keys of its own object while being written could tell the walk from JSON.stringify's key snapshot.)
   */
  private object(o: Record<string, unknown>, depth: number): void {
    this.room(SLACK);
    this.buf[this.pos++] = 0x7b; // {
    const type = o.type;
    const shape = typeof type === 'string' ? SHAPES.get(type) : undefined;
    let next = 0;
    let first = true;
    for (const k in o) {
      if (!hasOwn.call(o, k)) continue;
      const v = o[k];
      if (v === undefined || typeof v === 'function' || typeof v === 'symbol') continue;
      this.room(SLACK);
      const at = shape === undefined ? -1 : shape.find(k, next);
      if (shape === undefined || at < 0) {
        if (!first) this.buf[this.pos++] = 0x2c; // ,
        first = false;
        this.key(k);
        this.value(v, depth);
        continue;
      }
      next = at + 1;
      if (at === TYPE_AT && v === shape.type) {
        this.chunk(first ? shape.typeChunk : shape.commaTypeChunk); // "type":"location"
      } else {
        this.chunk(first ? shape.keyChunks[at]! : shape.commaKeyChunks[at]!);
        if (typeof v === 'number') {
          if (Number.isFinite(v)) this.plainNumber(v, shape.decimals[at]!);
          else this.chunk(NULL);
        } else {
          this.value(v, depth);
        }
      }
      first = false;
    }
    this.room(1);
    this.buf[this.pos++] = 0x7d; // }
  }

  private array(a: readonly unknown[], depth: number): void {
    this.room(SLACK);
    this.buf[this.pos++] = 0x5b; // [
    for (let i = 0; i < a.length; i++) {
      this.room(SLACK);
      if (i) this.buf[this.pos++] = 0x2c;
      if (!this.value(a[i], depth)) this.chunk(NULL);
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
   * shortest-decimal rule; anything else through String(). `decimals`: how many digits after the point the
   * value most likely has (its field's resolution; 0 = no idea), tried first. Needs 25 bytes of room.
   */
  private plainNumber(v: number, decimals: number): void {
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
    if (!this.shortDecimal(v, decimals)) {
      const s = String(v);
      const buf = this.buf;
      for (let i = 0; i < s.length; i++) buf[this.pos++] = s.charCodeAt(i);
    }
  }

  /** A non-negative safe integer's digits. */
  private digits(n: number): void {
    if (n <= INT32_MAX) {
      this.digits32(n | 0);
      return;
    }
    const buf = this.buf;
    let count = 10; // beyond int32: at least 10 digits
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

  /** A non-negative int32's digits, in int32 arithmetic (the JIT turns the division by 10 into a multiplication). */
  private digits32(n: number): void {
    const buf = this.buf;
    let p = this.pos + digitCount(n);
    this.pos = p;
    do {
      const q = (n / 10) | 0;
      buf[--p] = 0x30 + n - q * 10;
      n = q;
    } while (n !== 0);
  }

  /**
   * Writes v when it is s / 10^k for an integer s with |s| < 2^51 and k <= 15, for 1e-6 <= |v|, with the
   * smallest such k. Then that decimal is what String(v) prints: division by an exact power of ten is
   * correctly rounded, so s / 10^k === v means the decimal rounds to v; and decimals with k digits after
   * the point lie 10^-k > 2 ulp(v) apart, so no other (or shorter) decimal rounds to v. ECMAScript
   * Number::toString prints values from 1e-6 up to 1e21 in that plain positional form. Any k that works
   * gives the smallest once trailing zeros are dropped, so most values are tried once: with `decimals`
   * digits (their field's), else with 1; then the search of decimalPlaces().
   */
  private shortDecimal(v: number, decimals: number): boolean {
    const a = v < 0 ? -v : v;
    if (!(a >= 1e-6)) return false; // also NaN
    let k = decimals > 0 ? decimals : 1;
    let p = POW10[k]!;
    let s = Math.round(a * p);
    if (s >= TWO_POW_51 || s / p !== a) {
      k = decimalPlaces(a);
      if (k < 0) return false;
      p = POW10[k]!;
      s = Math.round(a * p);
    }
    if (s <= INT32_MAX) {
      this.scaledInt32(v < 0, s | 0, k);
      return true;
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
    const buf = this.buf;
    if (v < 0) buf[this.pos++] = 0x2d; // -
    if (frac <= INT32_MAX) {
      // int32 arithmetic (k <= 9 here, or a fraction that small anyway)
      let f = frac | 0;
      while (f % 10 === 0) {
        f = (f / 10) | 0;
        k--;
      }
      this.digits(ip);
      buf[this.pos++] = 0x2e; // .
      let q = this.pos + k;
      this.pos = q;
      for (let i = 0; i < k; i++) {
        const d = (f / 10) | 0;
        buf[--q] = 0x30 + f - d * 10;
        f = d;
      }
      return true;
    }
    while (frac % 10 === 0) {
      frac /= 10;
      k--;
    }
    this.digits(ip);
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

  /**
   * The decimal n / 10^k (n a positive int32 that is not a multiple of 10^k: v is no integer), written
   * with its trailing zeros dropped, in one pass over n's digits: "45.1234567", "0.05".
   */
  private scaledInt32(negative: boolean, n: number, k: number): void {
    while (n % 10 === 0) {
      n = (n / 10) | 0;
      k--;
    }
    const buf = this.buf;
    if (negative) buf[this.pos++] = 0x2d; // -
    const count = digitCount(n);
    if (count <= k) {
      // 0.00ddd
      buf[this.pos++] = 0x30;
      buf[this.pos++] = 0x2e;
      for (let i = count; i < k; i++) buf[this.pos++] = 0x30;
      this.digits32(n);
      return;
    }
    let p = this.pos + count + 1;
    this.pos = p;
    for (let i = 0; i < k; i++) {
      const q = (n / 10) | 0;
      buf[--p] = 0x30 + n - q * 10;
      n = q;
    }
    buf[--p] = 0x2e; // .
    do {
      const q = (n / 10) | 0;
      buf[--p] = 0x30 + n - q * 10;
      n = q;
    } while (n !== 0);
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

  /** The transport or address: raw(String(v)), from the chunk cache for short strings (a capture has a few hundred of them). */
  private text(v: unknown): void {
    if (typeof v !== 'string' || v.length > MAX_TEXT_CHUNK) {
      this.raw(String(v));
      return;
    }
    let c = textChunks.get(v);
    if (c === undefined) {
      if (textChunks.size >= MAX_TEXT_CHUNKS) textChunks.clear();
      textChunks.set(v, (c = chunk(v)));
    }
    this.room(MAX_TEXT_CHUNK * 3 + 4);
    this.chunk(c);
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

  /** A chunk's bytes (and up to 3 more after them, overwritten by what comes next); needs length + 3 bytes of room. */
  private chunk(c: Chunk): void {
    const view = this.view;
    const words = c.words;
    let p = this.pos;
    for (let i = 0; i < words.length; i++, p += 4) view.setInt32(p, words[i]!, true);
    this.pos += c.length;
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
    this.use(grown);
  }
}

/**
 * A decoded form's keys in order, from its message table (messages/*-meta.ts), optional ones included: each
 * key's `"key":` bytes and the digits after the point its numbers have (from the field's resolution).
 */
class Shape {
  readonly type: string;
  readonly keys: readonly string[];
  /** `"key":`, and `,"key":` for any key but the first. */
  readonly keyChunks: readonly Chunk[];
  readonly commaKeyChunks: readonly Chunk[];
  /** `"type":"<type>"`, the `type` key with its value, and with a comma before it. */
  readonly typeChunk: Chunk;
  readonly commaTypeChunk: Chunk;
  readonly decimals: readonly number[];

  constructor(meta: SomeMessageMeta) {
    this.type = meta.type;
    this.keys = fieldOrder(meta, true);
    this.keyChunks = this.keys.map((k) => chunk(quotedKey(k)));
    this.commaKeyChunks = this.keys.map((k) => chunk(',' + quotedKey(k)));
    this.typeChunk = chunk(quotedKey('type') + JSON.stringify(meta.type));
    this.commaTypeChunk = chunk(',' + quotedKey('type') + JSON.stringify(meta.type));
    this.decimals = this.keys.map((k) => decimalsOf(meta.fields[k]?.resolution));
  }

  /** Where key k is, looking from `from` on (keys come in order, optional ones may be missing); -1 if not there. */
  find(k: string, from: number): number {
    const keys = this.keys;
    for (let i = from; i < keys.length; i++) if (keys[i] === k) return i;
    return -1;
  }
}

const quotedKey = (k: string): string => JSON.stringify(k) + ':';
const keyBytes = (k: string): Uint8Array => encoder.encode(quotedKey(k));

/** Digits after the point of multiples of `resolution` (0.25 -> 2, 1e-7 -> 7); 0 for whole numbers or none given. */
function decimalsOf(resolution: number | undefined): number {
  if (resolution === undefined) return 0;
  for (let k = 0; k <= 15; k++) {
    const x = resolution * POW10[k]!;
    if (Math.abs(x - Math.round(x)) < 1e-9 * Math.max(1, x)) return k;
  }
  return 0;
}

/** The decoded forms' shapes by their `type`; fieldOrder() puts `type` first. */
const SHAPES = new Map<string, Shape>(SINGLE_MESSAGE_META.map((meta) => [meta.type, new Shape(meta)]));
const TYPE_AT = 0;
const hasOwn = Object.prototype.hasOwnProperty;

/** How many decimal digits a non-negative int32 has (its bit length gives it within one). */
function digitCount(n: number): number {
  if (n < 10) return 1;
  const t = ((32 - Math.clz32(n)) * 1233) >>> 12;
  return n < POW10[t]! ? t : t + 1;
}

/**
 * Digits after the point (1..15) with which a (>= 1e-6) is s / 10^k, s < 2^51; -1 when there are none
 * (then String() writes it). Tries 1 (x.5 m, tenths of seconds), then 7 (positions), or as many as keep
 * a * 10^k below 2^51, then 8..15.
 */
function decimalPlaces(a: number): number {
  let s = Math.round(a * 10);
  if (s >= TWO_POW_51) return -1;
  if (s / 10 === a) return 1;
  let k = 7;
  let p = 1e7;
  while (a * p >= TWO_POW_51) {
    k--;
    p /= 10; // exact: powers of ten up to 1e22 are doubles
  }
  if (k < 2) return -1;
  s = Math.round(a * p);
  if (s / p === a) return k;
  if (k < 7) return -1;
  // more than 7 digits after the point (or not a short decimal at all)
  for (;;) {
    if (++k > 15) return -1;
    p *= 10;
    s = Math.round(a * p);
    if (s >= TWO_POW_51) return -1;
    if (s / p === a) return k;
  }
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
