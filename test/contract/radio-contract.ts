/**
 * The contract every broadcaster `Radio` keeps (packages/broadcaster/src/radios/types.ts), as one suite that
 * any implementation runs with its own rig (as unstorage's testDriver): start/stop life cycle, start twice
 * idempotent, stop before start harmless, nothing on the air after stop, typed failures to open, and
 * nothing held after stop.
 */

import { describe, expect, it } from 'vitest';
import type { Transmission } from '@odid/transmitter';
import { RadioError, type Radio } from '../../packages/broadcaster/src/radios/types.js';
import { expectReleased, expectToolkitError, held, itNotApplicable, rejection, settle, type NotApplicable } from './harness.js';

export interface RadioRig {
  radio: Radio;
  /** The i-th transmission this radio accepts. */
  transmission(i: number): Transmission;
  /** What has reached the backend so far: frames injected, adverts on the fake air, bytes, control commands. */
  emitted(): number;
  /** Lets the backend run: ticks the fake air, so a radio that still advertises is seen doing it. */
  drive?(): void | Promise<void>;
  /** What the rig knows is still open in its backend (a bound fake HCI socket, an injector not closed). */
  leaks?(): string[];
  /** Releases what the rig itself made (fake servers, stand-in processes). */
  dispose?(): void | Promise<void>;
}

export interface FailingRadio {
  /** What is missing: "no adapter hci7". */
  name: string;
  make(): RadioRig | Promise<RadioRig>;
  /** The RadioError code start() must reject with (a pattern where it depends on the machine). */
  code: RadioError['code'] | RegExp;
}

export type RadioCheck = 'open-failure';

export interface RadioContractOptions {
  failing?: FailingRadio[];
  notApplicable?: NotApplicable<RadioCheck>;
}

async function use<T>(make: () => RadioRig | Promise<RadioRig>, body: (rig: RadioRig) => Promise<T>): Promise<T> {
  const rig = await make();
  try {
    return await body(rig);
  } finally {
    await rig.radio.stop().catch(() => undefined);
    await rig.dispose?.();
  }
}

/** One transmission that must reach the backend (so "nothing after stop" is not vacuous). */
async function transmitSeen(rig: RadioRig, i: number): Promise<void> {
  const before = rig.emitted();
  await rig.radio.transmit(rig.transmission(i));
  await rig.drive?.();
  await settle();
  expect(rig.emitted(), 'a transmission while started reaches the backend').toBeGreaterThan(before);
}

export function describeRadioContract(name: string, make: () => RadioRig | Promise<RadioRig>, opts: RadioContractOptions = {}): void {
  describe(`Radio contract: ${name}`, () => {
    it('start, transmit, stop, and stop again: all resolve', async () => {
      await use(make, async (rig) => {
        await rig.radio.start();
        await transmitSeen(rig, 0);
        await rig.radio.stop();
        await rig.radio.stop();
      });
    });

    it('start twice is idempotent: the second start resolves and opens nothing more; one stop releases all', async () => {
      await use(make, async (rig) => {
        const before = held();
        await rig.radio.start();
        const once = held();
        await rig.radio.start();
        await settle();
        await expectReleased(once, undefined, { countsOnly: true });
        await transmitSeen(rig, 0);
        await rig.radio.stop();
        await expectReleased(before, () => rig.leaks?.() ?? []);
      });
    });

    it('stop before start resolves, and transmit before start is refused with RadioError not-started', async () => {
      await use(make, async (rig) => {
        const before = held();
        await rig.radio.stop();
        const e = await rejection(rig.radio.transmit(rig.transmission(0)));
        expect(e).toBeInstanceOf(RadioError);
        expectToolkitError(e, 'not-started');
        await rig.drive?.();
        expect(rig.emitted()).toBe(0);
        await expectReleased(before, () => rig.leaks?.() ?? []);
      });
    });

    it('nothing reaches the air after stop resolves: transmit is refused (not-started) and the backend stays quiet', async () => {
      await use(make, async (rig) => {
        await rig.radio.start();
        await transmitSeen(rig, 0);
        await rig.radio.stop();
        const after = rig.emitted();
        const e = await rejection(rig.radio.transmit(rig.transmission(1)));
        expect(e).toBeInstanceOf(RadioError);
        expectToolkitError(e, 'not-started');
        await rig.drive?.();
        await rig.drive?.();
        await settle();
        expect(rig.emitted(), 'reached the backend after stop').toBe(after);
      });
    });

    it('everything is released after stop (handles, fds, child processes, listeners, backend sockets)', async () => {
      // A first run opens what the process keeps for good (libuv's signal pipe, a loaded addon).
      await use(make, async (rig) => {
        await rig.radio.start();
        await rig.radio.transmit(rig.transmission(0));
        await rig.radio.stop();
      });
      await use(make, async (rig) => {
        const before = held();
        await rig.radio.start();
        await transmitSeen(rig, 0);
        await rig.radio.stop();
        await expectReleased(before, () => rig.leaks?.() ?? []);
      });
    });

    const failing = opts.failing ?? [];
    if (opts.notApplicable?.['open-failure']) {
      itNotApplicable('a failure to open rejects with a typed RadioError', opts.notApplicable['open-failure']);
    } else if (failing.length === 0) {
      it('has at least one failing case (or says why none applies)', () => {
        throw new Error(`${name}: give opts.failing, or notApplicable['open-failure'] with the reason`);
      });
    }
    for (const f of failing) {
      it(`a failure to open rejects with RadioError ${f.code} (${f.name}), leaving nothing open`, async () => {
        const rig = await f.make();
        const before = held();
        try {
          const e = await rejection(rig.radio.start());
          expect(e).toBeInstanceOf(RadioError);
          const err = expectToolkitError(e, f.code);
          expect(err.fix?.length ?? 0, 'a RadioError says what to do').toBeGreaterThan(0);
          await rig.radio.stop();
          await expectReleased(before, () => rig.leaks?.() ?? []);
        } finally {
          await rig.dispose?.();
        }
      });
    }
  });
}
