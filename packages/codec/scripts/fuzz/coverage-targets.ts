/**
 * Role: the codec's parsers as coverage targets (coverage-target.ts), each with the invariants the plain
 * engine checks (the parser contract, checks.ts) and its seeds:
 * - messages: decodeMessage (every message and packs; the auth pages of a pack assembled too);
 * - framing.<parser>: every framing parser of framing-target.ts (BLE service data, Wi-Fi elements, beacon
 *   and NAN Remote ID, DJI DroneID, French ID), seeded also with what real records carry;
 * - link.<link type>: decodeLinkFrame for every link type of its table, read when the targets are made (a
 *   decoder added to the table is fuzzed without a change here);
 * - receive.<link type>: RemoteIdExtractor.fromRecord, the whole receive path, on a fresh extractor;
 * - capture: CaptureReader (pcap, pcapng, btsnoop) fed in chunks, its records through the receive path;
 * - drip, drip.pages: the DRIP structures, and the pages they are assembled from (coverage-drip.ts).
 * Seeds: the real captures (test/fixtures/captures and the external corpus when present), the reference
 * vectors, and what the codec's builders make (seeds.ts, capture-seeds.ts).
 */

import { readFileSync } from 'node:fs';
import { Random } from '../../../../test/support/random.js';
import { fixturePath } from '../../../../test/support/fixtures.js';
import {
  CaptureReader,
  RemoteIdExtractor,
  assembleAuth,
  decodeLinkFrame,
  decodeMessage,
  fromHex,
  supportedLinkTypes,
  toHex,
  type AuthMessage,
  type CaptureRecord,
  type OdidMessage,
  type ReceivedMessage,
  type SingleMessage,
} from '../../src/index.js';
import { describeCapture, type CaptureSeed } from './capture-seeds.js';
import { MAX_BUFFERED, checkRecord, checkWarning, damagedStream } from './capture-target.js';
import { captureSeeds } from './capture-seeds.js';
import { checkDiagnostic, checkJsonLine, checkReceived } from './checks.js';
import { fromRecordTarget, inputSeed, type CoverageTarget } from './coverage-target.js';
import { dripTargets } from './coverage-drip.js';
import { framingTargets } from './framing-target.js';
import { linkDecoderTarget } from './link-target.js';
import { logInt } from './mutate.js';
import { parserTarget } from './parser-target.js';
import { safeJson } from './report.js';
import { linkSeeds } from './seeds.js';

const rngFor = (input: Uint8Array): Random => new Random(inputSeed(input));

/** Seeds computed once per process (reading every capture is not free). */
function once<T>(make: () => T): () => T {
  let value: T | undefined;
  let made = false;
  return () => {
    if (!made) {
      value = make();
      made = true;
    }
    return value as T;
  };
}

const records = once(() => linkSeeds());

/** Distinct inputs, at most `cap`, spread over the list. */
function distinct(list: readonly Uint8Array[], cap: number): Uint8Array[] {
  const seen = new Set<string>();
  const out: Uint8Array[] = [];
  for (const b of list) {
    const key = toHex(b);
    if (!seen.has(key)) {
      seen.add(key);
      out.push(b);
    }
  }
  if (out.length <= cap) return out;
  const step = out.length / cap;
  return Array.from({ length: cap }, (_, i) => out[Math.floor(i * step)]!);
}

// --- messages ---------------------------------------------------------------------------------------------

/** Every message and pack of the reference vectors (test/fixtures/vectors), encoded by the reference library. */
const messageSeeds = once((): Uint8Array[] => {
  const file = JSON.parse(readFileSync(fixturePath('vectors', 'reference-vectors.json'), 'utf8')) as {
    vectors: { message: string; hex: string | null }[];
    decodeVectors: { hex: string }[];
  };
  const messages = new Set(['BasicID', 'Location', 'Auth', 'SelfID', 'System', 'OperatorID', 'MessagePack']);
  const hex = [...file.vectors.filter((v) => messages.has(v.message) && v.hex).map((v) => v.hex!), ...file.decodeVectors.map((v) => v.hex)];
  return distinct(hex.map((h) => fromHex(h)), 400);
});

/** A decoded message in the frame of a received one, for checks.ts. */
const received = (message: SingleMessage): ReceivedMessage => ({ transport: 'ble-extended', mac: '', message });

function checkMessage(m: OdidMessage): string | undefined {
  if (m.type !== 'messagePack') return checkReceived(received(m), false);
  if (!Array.isArray(m.messages)) return 'pack without messages';
  for (const sub of m.messages) {
    const bad = checkReceived(received(sub), false);
    if (bad) return `pack member: ${bad}`;
  }
  // The auth pages a pack carries, assembled as a receiver does: a result, whole or not, and never a throw.
  const pages = m.messages.filter((x): x is AuthMessage => x.type === 'auth');
  if (pages.length) {
    const a = assembleAuth(pages);
    if (a.complete && (typeof a.auth.authData !== 'string' || a.auth.authData.length !== 2 * a.auth.length)) return `assembled auth: ${safeJson(a)}`;
    if (!a.complete && !Array.isArray(a.missing)) return `auth assembly: ${safeJson(a)}`;
  }
  return undefined;
}

function messagesTarget(): CoverageTarget {
  return fromRecordTarget(
    'messages',
    parserTarget<OdidMessage>({ name: 'messages', seeds: messageSeeds(), parse: (b) => decodeMessage(b), shape: checkMessage }),
    rngFor,
  );
}

// --- framing ----------------------------------------------------------------------------------------------

/** What real (and built) records carry for the framing parsers: beacon elements, NAN bodies, BLE advertising data. */
const framingInputs = once(() => {
  const ies: Uint8Array[] = [];
  const nan: Uint8Array[] = [];
  const adv: Uint8Array[] = [];
  for (const [lt, list] of records()) {
    for (const rec of list) {
      let frames;
      try {
        frames = decodeLinkFrame(lt, rec).frames;
      } catch {
        continue;
      }
      for (const f of frames) {
        if (f.kind === 'ble') adv.push(f.advData);
        else if ((f.frame[0] === 0x80 || f.frame[0] === 0x50) && f.frame.length > 36) ies.push(f.frame.subarray(36));
        else if (f.frame[0] === 0xd0 && f.frame.length > 24) nan.push(f.frame.subarray(24));
      }
    }
  }
  return { ies: distinct(ies, 60), nan: distinct(nan, 30), adv: distinct(adv, 60) };
});

/** More seeds per framing parser, from framingInputs. */
const EXTRA_FRAMING_SEEDS: Record<string, (x: ReturnType<typeof framingInputs>) => Uint8Array[]> = {
  findOdidServiceData: (x) => x.adv,
  walkElements: (x) => x.ies,
  findVendorElements: (x) => x.ies,
  findOdidBeaconPayload: (x) => x.ies,
  parseNanActionFrameBody: (x) => x.nan,
};

/** One target per framing parser (variants of one parser, such as legacy and extended BLE, share it). */
function framingCoverageTargets(): CoverageTarget[] {
  const byParser = new Map<string, ReturnType<typeof framingTargets>>();
  for (const t of framingTargets()) {
    const parser = t.name.split(' (')[0]!;
    byParser.set(parser, [...(byParser.get(parser) ?? []), t]);
  }
  return [...byParser].map(([parser, variants]) => {
    const first = variants[0]!;
    const name = `framing.${parser}`;
    return {
      ...fromRecordTarget(name, first, rngFor),
      seeds: () => distinct([...variants.flatMap((v) => v.seeds.map((s) => s.bytes)), ...(EXTRA_FRAMING_SEEDS[parser]?.(framingInputs()) ?? [])], 200),
    };
  });
}

// --- link layers and the receive path ---------------------------------------------------------------------

const linkTarget = (lt: number): CoverageTarget => ({
  ...fromRecordTarget(`link.${lt}`, linkDecoderTarget(lt, []), rngFor),
  seeds: () => records().get(lt) ?? [],
});

/** fromRecord never throws, and gives well-formed messages (with JSON lines that round-trip) and diagnostics. */
function receiveTarget(lt: number): CoverageTarget {
  return {
    name: `receive.${lt}`,
    seeds: () => records().get(lt) ?? [],
    exec(input) {
      // Both ways a receiver runs: frames with a bad CRC/FCS dropped, and kept (flagged).
      for (const keepBadFcs of [false, true]) {
        let badDiagnostic: string | undefined;
        const extractor = new RemoteIdExtractor({ keepBadFcs }, (d) => {
          badDiagnostic ??= checkDiagnostic(d);
        });
        const out = extractor.fromRecord(lt, input);
        if (!Array.isArray(out)) return 'fromRecord returned no array';
        if (badDiagnostic) return `malformed diagnostic: ${badDiagnostic}`;
        for (const m of out) {
          const wrong = checkReceived(m, keepBadFcs);
          if (wrong) return `malformed message (${wrong}): ${safeJson(m)}`;
          const line = checkJsonLine(m);
          if (line) return line;
        }
      }
      return undefined;
    },
  };
}

// --- captures ---------------------------------------------------------------------------------------------

const captureStarts = once((): CaptureSeed[] => captureSeeds());

/**
 * A stream pushed into a CaptureReader in chunks (sizes drawn from the input's own hash: 1..1024 bytes,
 * log-uniform, now and then the rest at once), as capture-target.ts does: it never throws, only warns
 * (well-formed capture diagnostics), keeps its buffer bounded, counts every byte and numbers its records
 * one by one; every record goes through the receive path.
 */
function captureTarget(): CoverageTarget {
  return {
    name: 'capture',
    maxLength: 65_536,
    seeds: () => captureStarts().map((s) => s.bytes),
    exec(input) {
      const rng = rngFor(input);
      let badWarning: string | undefined;
      const reader = new CaptureReader({
        onWarning: (w) => {
          badWarning ??= checkWarning(w, input.length);
        },
      });
      const extractor = new RemoteIdExtractor({ keepBadFcs: true });
      let frame = 0;
      let bad: string | undefined;
      const take = (recs: CaptureRecord[]): void => {
        for (const r of recs) {
          const wrong = checkRecord(r, frame, reader.format === 'pcapng');
          bad ??= wrong && `record after frame ${frame}: ${wrong}`;
          frame = r.frame;
          extractor.fromRecord(r.linkType, r.data);
        }
      };
      for (let o = 0; o < input.length && bad === undefined; ) {
        const n = rng.int(64) === 0 ? input.length - o : logInt(rng, 1024);
        take(reader.push(input.subarray(o, o + n)));
        o += n;
        if (reader.bufferedBytes > MAX_BUFFERED) return `buffers ${reader.bufferedBytes} bytes`;
      }
      if (bad !== undefined) return bad;
      take(reader.end());
      if (bad !== undefined) return bad;
      if (reader.bytesRead !== input.length) return `bytesRead ${reader.bytesRead} of ${input.length}`;
      return badWarning && `malformed warning: ${badWarning}`;
    },
    // The capture fuzzer's structural damage (framing fields, dropped, doubled or spliced records), on the
    // structure of the entry it starts from.
    mutate: (rng, parent) => damagedStream(rng, describeCapture(parent), captureStarts()),
  };
}

// --- all --------------------------------------------------------------------------------------------------

/** Every codec target: messages, framing parsers, each link type's decoder and receive path, captures, DRIP. */
export function codecTargets(): CoverageTarget[] {
  const lts = supportedLinkTypes();
  return [messagesTarget(), ...framingCoverageTargets(), ...lts.map(linkTarget), ...lts.map(receiveTarget), captureTarget(), ...dripTargets()];
}
