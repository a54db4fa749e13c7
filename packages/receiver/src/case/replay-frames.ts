/**
 * Plays one recording (or capture) through a callback, as fast as possible, with the replay source rid-scan
 * uses: the same reader, the same decompression, the same frames. A recording cut short (a crash) gives
 * every whole frame and says so; anything else that stops the reading is a CaseError.
 */

import { ToolkitError } from '@odid/codec';
import { ReplaySource } from '../sources/replay.js';
import type { RawFrame } from '../sources/types.js';
import { CaseError } from './errors.js';

export interface ReplayedFile {
  frames: number;
  /** Set when the recording ends inside a record. */
  truncated?: string;
}

export async function replayFrames(path: string, onFrame: (f: RawFrame, index: number) => void): Promise<ReplayedFile> {
  const result: ReplayedFile = { frames: 0 };
  const source = new ReplaySource({ path, fast: true, onTruncated: (detail) => (result.truncated = detail) });
  let failure: unknown;
  source.on('frame', (f) => {
    if (failure !== undefined) return;
    try {
      onFrame(f, result.frames++);
    } catch (e) {
      // The callback's own failure (a full disk) stops the replay; it is passed on below as it is.
      failure = e;
      void source.stop();
    }
  });
  // 'error' is also told of non-fatal trouble; fatalError is what stopped the reading.
  source.on('error', () => {});
  await source.start();
  await source.done();
  await source.stop();
  if (failure !== undefined) throw failure;
  if (source.fatalError) {
    const reason = source.fatalError instanceof ToolkitError ? source.fatalError.message : String(source.fatalError);
    throw new CaseError('unreadable', `cannot read it to its end: ${reason}`, { subject: path, cause: source.fatalError });
  }
  return result;
}
