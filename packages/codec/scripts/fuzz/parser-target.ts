/**
 * Role: the contract every decoder of raw bytes keeps (link decoders, framing parsers), as a record target.
 * For any input it returns a result or throws a DecodeError, nothing else; the error's offset lies inside the
 * input; every byte view it returns lies inside the input (at the offset it reports, when it reports one).
 */

import { DecodeError, type DecodeErrorCode } from '../../src/index.js';
import type { Target } from './driver.js';
import { toSeeds } from './mutate.js';

/** A byte view in a result, and where the parser says it starts in its input (when it says). */
export interface ReturnedView {
  what: string;
  view: Uint8Array;
  offset?: number;
}

export interface ParserSpec<V> {
  name: string;
  /** Inputs the parser accepts: each must come back with a result, not a DecodeError. */
  seeds: readonly Uint8Array[];
  parse(input: Uint8Array): V;
  /** The byte views in a result. */
  views?(value: V): ReturnedView[];
  /** What else is wrong with a result, or undefined. */
  shape?(value: V): string | undefined;
}

const CODES = new Set<DecodeErrorCode>(['truncated', 'malformed', 'unsupported', 'out-of-range']);

/** Where a view is wrong: outside the input, or not at the offset the parser reports. */
function viewProblem(input: Uint8Array, v: ReturnedView): string | undefined {
  // An empty view without an offset is "nothing": parsers may return a fresh empty array for it.
  if (v.view.length === 0 && v.offset === undefined) return undefined;
  const start = v.view.byteOffset - input.byteOffset;
  if (v.view.buffer !== input.buffer || start < 0 || start + v.view.length > input.length) {
    return `${v.what} (${v.view.length} bytes) is not a view into the input`;
  }
  if (v.offset !== undefined && start !== v.offset) return `${v.what} sits at byte ${start} of the input, the result says ${v.offset}`;
  return undefined;
}

export function parserTarget<V>(spec: ParserSpec<V>): Target<V> {
  return {
    name: spec.name,
    seeds: toSeeds(spec.seeds),
    run: (input) => spec.parse(input),
    replay: (input) => spec.parse(input),
    verify(input, value) {
      const bad = spec.shape?.(value);
      if (bad !== undefined) return bad;
      for (const v of spec.views?.(value) ?? []) {
        const where = viewProblem(input, v);
        if (where !== undefined) return where;
      }
      return undefined;
    },
    verifyThrow(input, e) {
      if (!(e instanceof DecodeError)) return 'threw something other than a DecodeError';
      if (!CODES.has(e.code)) return `DecodeError with code ${String(e.code)}`;
      if (!(Number.isInteger(e.offset) && e.offset >= 0 && e.offset <= input.length)) return `DecodeError offset ${e.offset} outside the input of ${input.length} bytes`;
      return undefined;
    },
  };
}
