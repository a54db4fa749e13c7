/**
 * The contract every receiver FrameSource keeps (packages/receiver/src/sources/types.ts), run by each
 * implementation with its own rig: start/stop life cycle, start twice idempotent (a finite source does not
 * deliver its input twice), stop before start harmless, no 'frame', 'error' or 'end' after stop resolves,
 * typed failures to open, typed runtime errors, and nothing held after stop.
 */

import type { FrameSource } from '../../packages/receiver/src/sources/types.js';
import { describeSourceContract, type Make, type SourceContractOptions } from './source-contract.js';

export type { FailingSource, SourceRig as FrameSourceRig } from './source-contract.js';

export function describeFrameSourceContract(name: string, make: Make<FrameSource>, opts: SourceContractOptions<FrameSource> = {}): void {
  describeSourceContract('FrameSource', { data: 'frame', all: ['frame', 'error', 'end'] }, name, make, opts);
}
