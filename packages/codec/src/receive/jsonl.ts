/** The JSONL line of one received message, keys in the order decoded-json.md shows them. */

import type { ReceivedMessage } from './types.js';

export function receivedToJson(r: ReceivedMessage): string {
  let s = '{';
  if (r.t !== undefined) s += `"t":${r.t},`;
  if (r.frame !== undefined) s += `"frame":${r.frame},`;
  s += `"transport":"${r.transport}","mac":"${r.mac}"`;
  if (r.rssi !== undefined) s += `,"rssi":${r.rssi}`;
  if (r.channel !== undefined) s += `,"channel":${r.channel}`;
  if (r.counter !== undefined) s += `,"counter":${r.counter}`;
  if (r.badFcs) s += ',"badFcs":true';
  return s + `,"message":${JSON.stringify(r.message)}}`;
}
