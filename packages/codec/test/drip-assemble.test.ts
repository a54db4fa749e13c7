/**
 * The receiver's page assembler with FEC (drip/assemble.ts): DRIP messages paged with single-page FEC come
 * together in any order with any one data page lost (the rebuilt page named) once the parity page is there,
 * once (pages heard again say so), through the message encoder and decoder as a radio would carry them; a
 * lost parity page leaves the message unchecked, so incomplete; two lost pages, pages of two messages mixed
 * and other auth types are never completed wrongly; garbage pages never throw.
 */
import { describe, expect, it } from 'vitest';
import { FecAuthAssembler, decodeMessage, encodeMessage, splitAuth, splitDripAuth, toHex, type AuthMessage } from '../src/index.js';
import { Random } from '../../../test/support/random.js';

const TS = 230_000_000;
const wire = (pages: readonly AuthMessage[]): AuthMessage[] => pages.map((p) => decodeMessage(encodeMessage(p)) as AuthMessage);
const data = (n: number, seed: number): Uint8Array => Uint8Array.from({ length: n }, (_, i) => (i * 31 + seed) & 0xff).map((b, i) => (i === 0 ? 0x02 : b));

function feed(a: FecAuthAssembler, pages: readonly AuthMessage[]): ReturnType<FecAuthAssembler['add']>[] {
  return pages.map((p) => a.add(p));
}

describe('FecAuthAssembler', () => {
  it('every length, every data page lost: complete with the data as sent, the rebuilt page named', () => {
    for (const length of [1, 17, 18, 89, 137, 164, 189, 201]) {
      const bytes = data(length, length);
      const pages = wire(splitDripAuth(bytes, { timestamp: TS, fec: true }));
      const parity = pages.length - 1;
      for (let lost = 0; lost < parity; lost++) {
        const heard = pages.filter((p) => p.dataPage !== lost);
        const r = new Random(length * 100 + lost);
        const results = feed(new FecAuthAssembler(), r.shuffle([...heard]));
        const done = results.findIndex((x) => x.complete);
        expect(done, `length ${length}, page ${lost} lost`).toBe(results.length - 1);
        const last = results.at(-1)!;
        if (!last.complete) throw new Error('not complete');
        expect(last.auth).toMatchObject({ authType: 5, length, timestamp: TS, authData: toHex(bytes) });
        expect(last.recovered).toBe(lost);
        expect(last.pages.map((p) => p.dataPage)).toEqual(pages.map((p) => p.dataPage));
        expect(last.pages.map((p) => toHex(encodeMessage(p)))).toEqual(pages.map((p) => toHex(encodeMessage(p))));
      }
    }
  });

  it('completes once, with its parity page, unrebuilt; its pages heard again say "again"', () => {
    const pages = wire(splitDripAuth(data(137, 1), { timestamp: TS, fec: true }));
    const a = new FecAuthAssembler();
    const results = feed(a, pages);
    expect(results.findIndex((x) => x.complete)).toBe(pages.length - 1);
    expect(results.at(-1)).toMatchObject({ complete: true });
    expect(results.at(-1)).not.toHaveProperty('recovered');
    expect(a.add(pages[3]!)).toMatchObject({ complete: true, again: true });
    expect(a.last).toMatchObject({ again: true });
    // The next message (another page 0) starts afresh.
    const next = wire(splitDripAuth(data(89, 2), { timestamp: TS + 1, fec: true }));
    const r = feed(a, next);
    expect(r.filter((x) => x.complete && !x.again)).toHaveLength(1);
  });

  it('the parity page lost, two pages lost, or the pages of two messages mixed: never complete with wrong data', () => {
    const one = wire(splitDripAuth(data(189, 3), { timestamp: TS, fec: true }));
    const two = wire(splitDripAuth(data(189, 4), { timestamp: TS + 1, fec: true }));
    expect(feed(new FecAuthAssembler(), one.slice(0, -1)).at(-1)).toEqual({ complete: false, missing: [one.length - 1] });
    expect(feed(new FecAuthAssembler(), one.filter((p) => p.dataPage !== 2 && p.dataPage !== 5)).some((x) => x.complete)).toBe(false);
    // Every page there, but the data pages of both: the parity says so.
    const hybrid = [...one.slice(0, 4), ...two.slice(4)];
    expect(feed(new FecAuthAssembler(), hybrid).at(-1)).toMatchObject({ complete: false, conflict: expect.stringContaining('parity') });
    const r = new Random(7);
    for (let i = 0; i < 200; i++) {
      const a = new FecAuthAssembler();
      const mixed = r.shuffle([...one, ...two]).slice(0, 14);
      // A message with a page rebuilt is unchecked (the parity went into it): a verifier takes it as such.
      for (const x of feed(a, mixed)) {
        if (x.complete && x.recovered === undefined) expect([toHex(data(189, 3)), toHex(data(189, 4))]).toContain(x.auth.authData);
      }
    }
  });

  it('other auth types assemble as AuthAssembler does, without FEC', () => {
    const pages = wire(splitAuth({ authType: 1, timestamp: TS, data: data(60, 5) }));
    expect(feed(new FecAuthAssembler(), pages.slice(1)).some((x) => x.complete)).toBe(false);
    const all = feed(new FecAuthAssembler(), [...pages].reverse());
    expect(all.at(-1)).toMatchObject({ complete: true, auth: { authType: 1, length: 60 } });
    expect(all.at(-1)).not.toHaveProperty('recovered');
  });

  it('random pages never throw, and complete only what they say', () => {
    const r = new Random(0xa55e);
    const a = new FecAuthAssembler();
    for (let i = 0; i < 20_000; i++) {
      const bytes = r.bytes(25);
      bytes[0] = 0x22;
      bytes[1] = (r.float() < 0.7 ? 0x50 : r.int(256) & 0xf0) | r.int(16);
      let page: AuthMessage;
      try {
        page = decodeMessage(bytes) as AuthMessage;
      } catch {
        continue;
      }
      const x = a.add(page);
      if (x.complete) expect(x.auth.authData.length).toBe(2 * x.auth.length);
    }
  });
});
