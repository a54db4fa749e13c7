/**
 * Pass one of an export: every recording, in the order given, through one pipeline (the receiver's own
 * decoding and tracker, as rid-scan --replay runs them), noting for each decoded message the track it was
 * routed to. Tracks that merge later are followed to the track they became, so "that drone's messages" are
 * all the messages of every track that ended up as one of its tracks.
 */

import { Pipeline } from '../pipeline.js';
import type { Track } from '../tracker/types.js';
import { replayFrames, type ReplayedFile } from './replay-frames.js';

/** Positions kept per track here: enough for hours of one drone, every point on the map. */
export const CASE_HISTORY_LIMIT = 20_000;

/** A message that went to no track (a bad checksum, a blank record). */
const NO_TRACK = -1;

export interface CaseRouting {
  /** Per recording, in order: what its replay gave. */
  files: ReplayedFile[];
  /** Every decoded message, in replay order: the index of the track key it went to, or -1. */
  messageTrack: Int32Array;
  messages: number;
  /** Track keys, by the indexes messageTrack holds. */
  keys: string[];
  /** The tracks at the end of the replay. */
  tracks: readonly Track[];
  /** A key merged into another: the key it went into (follow it to the end). */
  mergedInto: ReadonlyMap<string, string>;
}

export async function routeRecordings(paths: readonly string[]): Promise<CaseRouting> {
  let messageTrack = new Int32Array(4096);
  let messages = 0;
  const keys: string[] = [];
  const keyIndex = new Map<string, number>();
  const mergedInto = new Map<string, string>();
  const pipeline = new Pipeline(
    { historyLimit: CASE_HISTORY_LIMIT },
    {
      message: () => {
        if (messages === messageTrack.length) {
          const grown = new Int32Array(messageTrack.length * 2);
          grown.set(messageTrack);
          messageTrack = grown;
        }
        messageTrack[messages++] = NO_TRACK;
      },
      update: (u) => {
        for (const k of u.merged ?? []) mergedInto.set(k, u.track.key);
        // An update caused by a message comes right after that message's own sink call.
        if (!u.message) return;
        let i = keyIndex.get(u.track.key);
        if (i === undefined) {
          i = keys.push(u.track.key) - 1;
          keyIndex.set(u.track.key, i);
        }
        messageTrack[messages - 1] = i;
      },
    },
  );
  const files: ReplayedFile[] = [];
  for (const path of paths) files.push(await replayFrames(path, (f) => void pipeline.process(f)));
  return { files, messageTrack: messageTrack.subarray(0, messages), messages, keys, tracks: pipeline.tracker.tracks(), mergedInto };
}

/** The key a track key ended as, after every merge. */
export function finalKey(key: string, mergedInto: ReadonlyMap<string, string>): string {
  let k = key;
  // A merge chain cannot loop (a merged key is retired), but a bound costs nothing.
  for (let n = 0; n < 1_000_000; n++) {
    const next = mergedInto.get(k);
    if (next === undefined) return k;
    k = next;
  }
  return k;
}

/** Whether a track is known by `uasId`: any of its IDs (every Basic ID, DJI serial, French ID). */
export const trackHasId = (track: Track, uasId: string): boolean => track.uasId === uasId || [...track.identities.values()].includes(uasId);
