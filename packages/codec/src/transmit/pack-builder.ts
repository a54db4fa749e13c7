/**
 * Groups messages into as few message packs as the pack rules (message-pack-meta.ts) allow, keeping their
 * order.
 */

import { PACK_MAX_MESSAGES, PACK_MAX_PER_TYPE } from '../messages/message-pack-meta.js';
import type { SingleMessageInput } from '../messages/types.js';

export function packMessages(messages: readonly SingleMessageInput[]): SingleMessageInput[][] {
  const packs: SingleMessageInput[][] = [];
  let current: SingleMessageInput[] = [];
  let counts: Record<string, number> = {};
  for (const m of messages) {
    const full = current.length === PACK_MAX_MESSAGES || (counts[m.type] ?? 0) >= (PACK_MAX_PER_TYPE[m.type] ?? 0);
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
