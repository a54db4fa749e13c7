/**
 * Where one CBOR data item (RFC 8949) ends, without decoding it: what the recording verifier needs to hash
 * each record's exact bytes as they are in the file (a decoder hands back values, never their spans).
 * The bytes come from a file that may have been damaged or forged, so the walk is bounded: no recursion, a
 * nesting limit, and a size limit past which an item is refused rather than waited for.
 */

import { ToolkitError } from '@odid/codec';

/** The item is not whole yet: more bytes may complete it. */
export const INCOMPLETE = -1;

export interface ItemLimits {
  /** Bytes one item may take; a longer one is invalid (a record is small: a frame, a seal). */
  maxBytes: number;
  /** Arrays, maps and tags inside each other. */
  maxDepth: number;
}

export class CborItemError extends ToolkitError {
  override readonly name = 'CborItemError';
  constructor(
    /** Offset, in the buffer given, of the byte that is wrong. */
    readonly offset: number,
    reason: string,
  ) {
    super('malformed', reason);
  }
}

/** A recording's records (a frame, a seal, the header) are small: one far larger is not a record. */
export const RECORD_LIMITS: ItemLimits = { maxBytes: 1 << 20, maxDepth: 16 };

/**
 * Cuts a stream of CBOR items into whole items however the bytes arrive, so that what is read never depends
 * on the chunking: each item's bytes are handed out only once the walk above finds its end. Holds at most one
 * item (bounded by the limits) plus the chunk that completes it.
 */
export class CborItemSplitter {
  private buf = new Uint8Array(0);
  private start = 0;
  private len = 0;

  constructor(private readonly limits: ItemLimits) {}

  /**
   * The items `chunk` completes, each as a view valid until the next push. Throws a CborItemError (with the
   * offset within the item) for bytes that are no CBOR item or one beyond the limits.
   */
  *push(chunk: Uint8Array): Generator<Uint8Array> {
    this.append(chunk);
    while (this.start < this.len) {
      const view = this.buf.subarray(0, this.len);
      const end = cborItemEnd(view, this.start, this.limits);
      if (end === INCOMPLETE) return;
      const item = view.subarray(this.start, end);
      this.start = end;
      yield item;
    }
  }

  /** Bytes held of an item not yet whole (at the end of input: a record cut short). */
  get pending(): number {
    return this.len - this.start;
  }

  private append(chunk: Uint8Array): void {
    const kept = this.len - this.start;
    if (kept + chunk.length > this.buf.length) {
      const next = new Uint8Array(Math.max(kept + chunk.length, this.buf.length * 2, 4096));
      next.set(this.buf.subarray(this.start, this.len));
      this.buf = next;
    } else if (this.start > 0) {
      this.buf.copyWithin(0, this.start, this.len);
    }
    this.start = 0;
    this.len = kept;
    this.buf.set(chunk, this.len);
    this.len += chunk.length;
  }
}

/**
 * The offset just after the item that starts at `start`, or INCOMPLETE when `bytes` ends inside it. Throws
 * a CborItemError for bytes that are no CBOR item, or one larger or deeper than the limits.
 */
export function cborItemEnd(bytes: Uint8Array, start: number, limits: ItemLimits): number {
  // Each open container: how many items it still holds (Infinity: indefinite, until a break byte).
  const open: number[] = [];
  /** An item just ended: true when that completes the outermost one. */
  const completed = (): boolean => {
    for (;;) {
      const top = open.length - 1;
      if (top < 0) return true;
      if (open[top] === Infinity) return false;
      open[top]!--;
      if (open[top]! > 0) return false;
      // This container is whole: it is one item of its parent.
      open.pop();
    }
  };
  const enter = (count: number, at: number): void => {
    if (open.length >= limits.maxDepth) throw new CborItemError(at, `nested deeper than ${limits.maxDepth}`);
    open.push(count);
  };
  const end = start + limits.maxBytes;
  const tooLarge = (): never => {
    throw new CborItemError(start, `item larger than ${limits.maxBytes} bytes`);
  };
  /** Bytes up to `to` are needed: INCOMPLETE if not there yet, too large if past the limit. */
  const missing = (to: number): boolean => {
    if (to > end) tooLarge();
    return to > bytes.length;
  };
  let p = start;
  for (;;) {
    if (missing(p + 1)) return INCOMPLETE;
    const at = p;
    const initial = bytes[p++]!;
    const major = initial >> 5;
    const info = initial & 0x1f;
    if (initial === 0xff) {
      // A break ends the innermost indefinite container, which is then one item of its parent.
      if (open.at(-1) !== Infinity) throw new CborItemError(at, 'break byte outside an indefinite-length item');
      open.pop();
      if (completed()) return p;
      continue;
    }
    let arg = 0;
    if (info < 24) arg = info;
    else if (info <= 27) {
      const size = 1 << (info - 24);
      if (missing(p + size)) return INCOMPLETE;
      for (let k = 0; k < size; k++) arg = arg * 256 + bytes[p + k]!;
      p += size;
    } else if (info === 31 && major >= 2 && major <= 5) arg = Infinity;
    else throw new CborItemError(at, `reserved additional information ${info} for major type ${major}`);

    if (major === 2 || major === 3) {
      // An indefinite string is chunks, then a break: walked like an indefinite array.
      if (arg === Infinity) {
        enter(Infinity, at);
        continue;
      }
      if (missing(p + arg)) return INCOMPLETE;
      p += arg;
    } else if (major === 4 || major === 5) {
      const count = arg === Infinity ? Infinity : major === 5 ? arg * 2 : arg;
      // Every item takes a byte at least.
      if (count !== Infinity && p + count > end) tooLarge();
      if (count > 0) {
        enter(count, at);
        continue;
      }
    } else if (major === 6) {
      // A tag is followed by the one item it tags.
      enter(1, at);
      continue;
    }
    // Integers (0, 1), simple values and floats (7) are whole with their argument.
    if (completed()) return p;
  }
}
