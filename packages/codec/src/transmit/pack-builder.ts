/**
 * Groups messages into as few message packs as the pack rules allow (at most 9 members, two Basic IDs,
 * one each of Location, Self-ID, System and Operator ID), keeping their order.
 */

import { PACK_MAX_MESSAGES } from '../messages/message-pack.js';
import type { SingleMessageInput } from '../messages/types.js';

const PER_TYPE_MAX: Record<string, number> = { basicId: 2, location: 1, auth: 16, selfId: 1, system: 1, operatorId: 1 };

export function packMessages(messages: readonly SingleMessageInput[]): SingleMessageInput[][] {
  const packs: SingleMessageInput[][] = [];
  let current: SingleMessageInput[] = [];
  let counts: Record<string, number> = {};
  for (const m of messages) {
    const full = current.length === PACK_MAX_MESSAGES || (counts[m.type] ?? 0) >= (PER_TYPE_MAX[m.type] ?? 0);
    if (full && current.length) {
      packs.push(current);
      current = [];
      counts = {};
    }
    current.push(m);
    counts[m.type] = (counts[m.type] ?? 0) + 1;
  }
  if (current.length) packs.push(current);
  return packs;
}
