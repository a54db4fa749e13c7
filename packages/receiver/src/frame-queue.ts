/**
 * Live sources push frames at radio speed; the decode-and-track work runs in batches. A bounded queue
 * sits between them: when it is full the oldest frames are dropped — and counted, so an overloaded
 * receiver says so instead of silently falling behind.
 */

import type { RawFrame } from './sources/types.js';

export class FrameQueue {
  private buf: (RawFrame | undefined)[];
  private head = 0;
  private size = 0;
  dropped = 0;
  enqueued = 0;

  constructor(readonly capacity = 65_536) {
    this.buf = new Array(capacity);
  }

  get length(): number {
    return this.size;
  }

  push(f: RawFrame): void {
    this.enqueued++;
    if (this.size === this.capacity) {
      // Drop the oldest: the newest frames matter most for a live picture.
      this.head = (this.head + 1) % this.capacity;
      this.size--;
      this.dropped++;
    }
    this.buf[(this.head + this.size) % this.capacity] = f;
    this.size++;
  }

  shift(): RawFrame | undefined {
    if (this.size === 0) return undefined;
    const f = this.buf[this.head];
    this.buf[this.head] = undefined;
    this.head = (this.head + 1) % this.capacity;
    this.size--;
    return f;
  }
}
