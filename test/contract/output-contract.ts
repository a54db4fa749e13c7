/**
 * The contract every receiver output keeps (TrackOutput / FrameOutput, packages/receiver/src/outputs/types.ts),
 * run by each implementation with its own rig: what is written reaches the sink, close() resolves (also
 * without a write, and twice), nothing reaches the sink after close() resolves (a write then is refused
 * with a ToolkitError 'closed'), nothing is held after close, a sink that fails is reported as a typed error
 * without a throw into the caller's loop, and an output that cannot open says so with a typed error.
 */

import { describe, expect, it } from 'vitest';
import { ToolkitError } from '@odid/codec';
import { expectReleased, expectToolkitError, held, itNotApplicable, rejection, settle, waitFor, type NotApplicable } from './harness.js';

/** What this suite needs of an output: TrackOutput and FrameOutput alike. */
export interface Output<T> {
  write(item: T): void;
  close(): Promise<void>;
}

export interface OutputRig<T> {
  /** Makes the output under test, on the sink the rig set up (a file, a UDP or TCP peer, a page connected over WebSocket). */
  open(): Output<T> | Promise<Output<T>>;
  /** The i-th item to write (track updates, frames). */
  item(i: number): T;
  /** What the sink has received so far: bytes in the file, datagrams, bytes on the stream, WebSocket messages. */
  received(): number;
  /** Errors the output (or its sink) reported through its error channel: onError, the OutputFile. */
  reported?(): unknown[];
  /** What the rig knows is still open. */
  leaks?(): string[];
  /** Releases what the rig made (peers, files, the page's socket). */
  dispose?(): void | Promise<void>;
}

export type MakeOutput<T> = () => OutputRig<T> | Promise<OutputRig<T>>;

/** An output that cannot open: what the rig set up (the program holding the port), then the attempt. */
export interface FailingOpenRig {
  open(): Promise<unknown>;
  dispose?(): void | Promise<void>;
}

export type OutputCheck = 'write-after-close' | 'sink-failure' | 'open-failure';

export interface OutputContractOptions<T> {
  /**
   * Outputs that send over the network deliver a little after write() returns: how long to watch for
   * something arriving after close, and to let what was sent before it arrive. Proving an absence takes a
   * while; every other wait is for a condition.
   */
  quietMs?: number;
  /** Sinks that fail (a full disk, a peer that refuses): writes still return, the failure is reported, typed. */
  failingSink?: { name: string; make: MakeOutput<T>; code?: string | RegExp }[];
  /** Outputs that cannot open (a port in use, nothing listening): the ToolkitError code. */
  failingOpen?: { name: string; make: () => FailingOpenRig | Promise<FailingOpenRig>; code: string | RegExp }[];
  notApplicable?: NotApplicable<OutputCheck>;
}

async function use<T, R>(make: MakeOutput<T>, body: (rig: OutputRig<T>) => Promise<R>): Promise<R> {
  const rig = await make();
  try {
    return await body(rig);
  } finally {
    await rig.dispose?.();
  }
}

export function describeOutputContract<T>(name: string, make: MakeOutput<T>, opts: OutputContractOptions<T> = {}): void {
  const quiet = async (): Promise<void> => {
    await settle();
    if (opts.quietMs) await new Promise((r) => setTimeout(r, opts.quietMs));
    await settle();
  };

  describe(`Output contract: ${name}`, () => {
    it('what is written reaches the sink; close resolves, and closing again is harmless', async () => {
      await use(make, async (rig) => {
        const out = await rig.open();
        const before = rig.received();
        for (let i = 0; i < 5; i++) out.write(rig.item(i));
        await out.close();
        await waitFor(() => rig.received() > before, 'what was written to reach the sink');
        const after = rig.received();
        await out.close();
        await quiet();
        expect(rig.received(), 'the sink after a second close').toBe(after);
        expect(rig.reported?.() ?? []).toEqual([]);
      });
    });

    it('close without a single write resolves, twice', async () => {
      await use(make, async (rig) => {
        const out = await rig.open();
        await out.close();
        await out.close();
        expect(rig.reported?.() ?? []).toEqual([]);
      });
    });

    if (opts.notApplicable?.['write-after-close']) itNotApplicable("nothing reaches the sink after close; a write then is refused with ToolkitError 'closed'", opts.notApplicable['write-after-close']);
    else {
      it("nothing reaches the sink after close resolves; a write then is refused with ToolkitError 'closed'", async () => {
        await use(make, async (rig) => {
          const out = await rig.open();
          for (let i = 0; i < 3; i++) out.write(rig.item(i));
          await out.close();
          await quiet();
          const closed = rig.received();
          expectToolkitError(await rejection(() => out.write(rig.item(3))), 'closed');
          await quiet();
          expect(rig.received(), 'reached the sink after close').toBe(closed);
        });
      });
    }

    it('everything is released after close (sockets, fds, timers, listeners)', async () => {
      // A first run opens what the process keeps for good.
      await use(make, async (rig) => {
        const out = await rig.open();
        out.write(rig.item(0));
        await out.close();
      });
      await use(make, async (rig) => {
        const before = held();
        const out = await rig.open();
        for (let i = 0; i < 5; i++) out.write(rig.item(i));
        await out.close();
        await expectReleased(before, () => rig.leaks?.() ?? []);
      });
    });

    const failingSink = opts.failingSink ?? [];
    if (opts.notApplicable?.['sink-failure']) itNotApplicable('a failing sink is reported as a typed error, never thrown into the writer', opts.notApplicable['sink-failure']);
    for (const f of failingSink) {
      it(`a failing sink (${f.name}) is reported as a typed error, never thrown into the writer; close resolves`, async () => {
        await use(f.make, async (rig) => {
          const before = held();
          const out = await rig.open();
          // The caller's loop: every write returns, however the sink fares.
          for (let i = 0; i < 20; i++) out.write(rig.item(i));
          await out.close();
          await waitFor(() => (rig.reported?.() ?? []).length > 0, 'the failure to be reported');
          for (const e of rig.reported?.() ?? []) expectToolkitError(e, f.code);
          await expectReleased(before, () => rig.leaks?.() ?? []);
        });
      });
    }

    const failingOpen = opts.failingOpen ?? [];
    if (opts.notApplicable?.['open-failure']) itNotApplicable('an output that cannot open rejects with a typed ToolkitError', opts.notApplicable['open-failure']);
    for (const f of failingOpen) {
      it(`an output that cannot open (${f.name}) rejects with a ToolkitError ${String(f.code)}, leaving nothing open`, async () => {
        const rig = await f.make();
        try {
          const before = held();
          const e = await rejection(rig.open());
          expect(e).toBeInstanceOf(ToolkitError);
          expectToolkitError(e, f.code);
          await expectReleased(before);
        } finally {
          await rig.dispose?.();
        }
      });
    }
  });
}
