/**
 * The contract every PositionSource keeps (packages/position/src/sources/types.ts), run by each
 * implementation with its own rig: start/stop life cycle, start twice idempotent, stop before start
 * harmless, no 'fix' (nor any other event) after stop resolves, typed failures to open, typed runtime
 * errors, and nothing held after stop.
 */

import type { PositionSource } from '@odid/position';
import { describeSourceContract, type Make, type SourceContractOptions } from './source-contract.js';

export type { FailingSource, SourceRig as PositionSourceRig } from './source-contract.js';

/** Every event a position source may emit (the Emitter of each: gpsd's link events, NMEA's skipped sentences...). */
const POSITION_EVENTS = ['fix', 'error', 'end', 'connect', 'disconnect', 'report', 'sky', 'badSentence', 'odid'] as const;

export function describePositionSourceContract(name: string, make: Make<PositionSource>, opts: SourceContractOptions<PositionSource> = {}): void {
  describeSourceContract('PositionSource', { data: 'fix', all: POSITION_EVENTS }, name, make, opts);
}
