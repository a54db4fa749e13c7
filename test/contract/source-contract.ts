/**
 * The life cycle shared by the receiver's frame sources and the position sources: both are started,
 * deliver events ('frame' / 'fix') until stopped, and report trouble as 'error' events. This is the one
 * suite behind describeFrameSourceContract and describePositionSourceContract; those name the events.
 */

import { describe, expect, it } from 'vitest';
import { ToolkitError } from '@odid/codec';
import { expectReleased, expectToolkitError, held, itNotApplicable, rejection, settle, waitFor, type NotApplicable } from './harness.js';

/** What both kinds of source are to this suite. */
export interface StartStop {
  readonly name: string;
  start(): Promise<void>;
  stop(): Promise<void>;
}

export interface SourceRig<S extends StartStop> {
  source: S;
  /** Makes the source produce: ticks the fake air, advances its timers, writes into its pipe or socket. */
  drive?(): void | Promise<void>;
  /**
   * For a source that produces on its own clock (a paced replay, a simulation in real time): how long to
   * keep watching after stop() for an event that should not come. Proving an absence takes a while; every
   * other wait in the suite is for a condition.
   */
  quietMs?: number;
  /** What the rig knows is still open in its backend (a bound fake HCI socket). */
  leaks?(): string[];
  /** Releases what the rig made for the source (stand-in servers, feeding processes). */
  dispose?(): void | Promise<void>;
}

export type Make<S extends StartStop> = () => SourceRig<S> | Promise<SourceRig<S>>;

export interface FailingSource<S extends StartStop> {
  /** What is missing: "no such file", "port in use". */
  name: string;
  /** The rig, or a throw: a source that cannot even be made for what is missing fails here. */
  make: Make<S>;
  /** The ToolkitError code start() (or make()) rejects with. */
  code: string | RegExp;
}

export type SourceCheck = 'open-failure' | 'runtime-errors';

export interface SourceContractOptions<S extends StartStop> {
  /** A source that runs to its end by itself (a replay, a fast simulation): started twice it must not deliver twice. */
  finite?: boolean;
  failing?: FailingSource<S>[];
  /** Sources that meet trouble while running (a damaged input, a tool that starts failing): their 'error' events are typed. */
  troubled?: { name: string; make: Make<S> }[];
  notApplicable?: NotApplicable<SourceCheck>;
}

/** The events this suite listens to: the one it expects, the rest it only must not see after stop. */
export interface SourceEvents {
  /** 'frame' or 'fix'. */
  data: string;
  /** Every event the kind has, 'error' and 'end' included. */
  all: readonly string[];
}

type On = (event: string, cb: (arg: unknown) => void) => unknown;

interface Recorder {
  /** Every event, in order. */
  events: { event: string; arg: unknown }[];
  count(event: string): number;
}

function record(source: StartStop, events: SourceEvents): Recorder {
  const r: Recorder = { events: [], count: (e) => r.events.filter((x) => x.event === e).length };
  // An EventEmitter throws an 'error' nobody listens to: the recorder always listens.
  for (const event of events.all) (source as unknown as { on: On }).on(event, (arg) => r.events.push({ event, arg }));
  return r;
}

async function use<S extends StartStop, T>(make: Make<S>, body: (rig: SourceRig<S>) => Promise<T>): Promise<T> {
  const rig = await make();
  try {
    return await body(rig);
  } finally {
    await rig.source.stop().catch(() => undefined);
    await rig.dispose?.();
  }
}

/** Drives the source until `n` data events came (a finite source may also just end). */
async function untilData<S extends StartStop>(rig: SourceRig<S>, rec: Recorder, events: SourceEvents, n = 1, opts?: { finite?: boolean }): Promise<void> {
  await waitFor(
    async () => {
      if (rec.count(events.data) >= n || rec.count('end') > 0) return true;
      await rig.drive?.();
      return rec.count(events.data) >= n;
    },
    `${n} '${events.data}' event(s) (or 'end')`,
    15_000,
  );
  // A finite source may come to its end first (and between its last event and 'end' be about to): then
  // what counts is that it delivered at all.
  const ending = rec.count('end') > 0 || opts?.finite === true;
  expect(rec.count(events.data), `'${events.data}' events while started`).toBeGreaterThanOrEqual(ending ? Math.min(n, 1) : n);
}

/** Starts, runs to 'end', stops: how many data events one run of a finite source delivers. */
async function runToEnd<S extends StartStop>(rig: SourceRig<S>, rec: Recorder, events: SourceEvents): Promise<number> {
  await waitFor(() => rec.count('end') > 0, "'end'", 30_000);
  await rig.source.stop();
  return rec.count(events.data);
}

export function describeSourceContract<S extends StartStop>(kind: string, events: SourceEvents, name: string, make: Make<S>, opts: SourceContractOptions<S> = {}): void {
  describe(`${kind} contract: ${name}`, () => {
    it(`start, '${events.data}' events arrive, stop, and stop again: all resolve`, async () => {
      await use(make, async (rig) => {
        const rec = record(rig.source, events);
        await rig.source.start();
        await untilData(rig, rec, events);
        await rig.source.stop();
        await rig.source.stop();
      });
    });

    it('start twice is idempotent: the second start resolves and opens nothing more; one stop releases all', async () => {
      await use(make, async (rig) => {
        const rec = record(rig.source, events);
        const before = held();
        await rig.source.start();
        // Running, so opened in full (a file stream's descriptor opens after start() resolves).
        await untilData(rig, rec, events);
        const once = held();
        await rig.source.start();
        await settle();
        await expectReleased(once, undefined, { countsOnly: true });
        // Still delivering (unless a finite source has already come to its end).
        if (rec.count('end') === 0) await untilData(rig, rec, events, rec.count(events.data) + 1, { finite: opts.finite ?? false });
        await rig.source.stop();
        await expectReleased(before, () => rig.leaks?.() ?? []);
      });
    });

    if (opts.finite) {
      it(`a finite source started twice delivers its input once: as many '${events.data}' events as one start, one 'end'`, async () => {
        const single = await use(make, async (rig) => {
          const rec = record(rig.source, events);
          await rig.source.start();
          return runToEnd(rig, rec, events);
        });
        expect(single).toBeGreaterThan(0);
        await use(make, async (rig) => {
          const rec = record(rig.source, events);
          await rig.source.start();
          await rig.source.start();
          expect(await runToEnd(rig, rec, events)).toBe(single);
          await settle();
          expect(rec.count('end')).toBe(1);
        });
      });
    }

    it('stop before start resolves, emits nothing and holds nothing', async () => {
      await use(make, async (rig) => {
        const rec = record(rig.source, events);
        const before = held();
        await rig.source.stop();
        await rig.drive?.();
        await settle();
        expect(rec.events.map((e) => e.event)).toEqual([]);
        await expectReleased(before, () => rig.leaks?.() ?? []);
      });
    });

    it(`no event at all after stop resolves (no '${events.data}', 'error' or 'end')`, async () => {
      await use(make, async (rig) => {
        const rec = record(rig.source, events);
        await rig.source.start();
        await untilData(rig, rec, events);
        await rig.source.stop();
        const mark = rec.events.length;
        for (let i = 0; i < 3; i++) {
          await rig.drive?.();
          await settle();
        }
        if (rig.quietMs) await new Promise((r) => setTimeout(r, rig.quietMs));
        await settle();
        expect(rec.events.slice(mark).map((e) => e.event), 'events after stop resolved').toEqual([]);
      });
    });

    it('everything is released after stop (handles, fds, child processes, listeners, backend sockets)', async () => {
      // A first run opens what the process keeps for good (libuv's signal pipe, a loaded addon, noble).
      await use(make, async (rig) => {
        const rec = record(rig.source, events);
        await rig.source.start();
        await untilData(rig, rec, events);
      });
      await use(make, async (rig) => {
        const rec = record(rig.source, events);
        const before = held();
        await rig.source.start();
        await untilData(rig, rec, events);
        await rig.source.stop();
        await expectReleased(before, () => rig.leaks?.() ?? []);
      });
    });

    const failing = opts.failing ?? [];
    if (opts.notApplicable?.['open-failure']) itNotApplicable('a failure to open rejects with a typed ToolkitError', opts.notApplicable['open-failure']);
    else if (failing.length === 0) {
      it('has at least one failing case (or says why none applies)', () => {
        throw new Error(`${name}: give opts.failing, or notApplicable['open-failure'] with the reason`);
      });
    }
    for (const f of failing) {
      it(`a failure to open rejects with a ToolkitError ${String(f.code)} (${f.name}), emitting nothing and leaving nothing open`, async () => {
        let rig: SourceRig<S>;
        try {
          rig = await f.make();
        } catch (e) {
          // Nothing to start: what is wrong was found when the source was made.
          expectToolkitError(e, f.code);
          return;
        }
        const before = held();
        try {
          const rec = record(rig.source, events);
          expectToolkitError(await rejection(rig.source.start()), f.code);
          await rig.source.stop();
          await settle();
          expect(rec.events.map((e) => e.event), 'events from a source that failed to start').toEqual([]);
          await expectReleased(before, () => rig.leaks?.() ?? []);
        } finally {
          await rig.dispose?.();
        }
      });
    }

    const troubled = opts.troubled ?? [];
    if (opts.notApplicable?.['runtime-errors']) itNotApplicable("trouble while running is reported as typed 'error' events", opts.notApplicable['runtime-errors']);
    for (const t of troubled) {
      it(`trouble while running (${t.name}) is reported as 'error' events that are ToolkitErrors`, async () => {
        await use(t.make, async (rig) => {
          const rec = record(rig.source, events);
          await rig.source.start();
          await waitFor(
            async () => {
              await rig.drive?.();
              return rec.count('error') > 0;
            },
            "an 'error' event",
            15_000,
          );
          for (const e of rec.events.filter((x) => x.event === 'error')) expectToolkitError(e.arg);
          const fatal = (rig.source as { fatalError?: unknown }).fatalError;
          if (fatal !== undefined) expect(fatal).toBeInstanceOf(ToolkitError);
        });
      });
    }
  });
}
