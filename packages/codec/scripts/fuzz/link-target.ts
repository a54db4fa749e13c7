/**
 * Role: the receive path as record targets. Per link type: decodeLinkFrame alone (the parser contract, the
 * frames' bytes views into the record, well-formed diagnostics), and the whole of RemoteIdExtractor.fromRecord,
 * which must never throw, must return well-formed messages whose JSON lines round-trip, must raise only
 * well-formed diagnostics, and must not take long on any record.
 */

import { RemoteIdExtractor, decodeLinkFrame, diagnosticInfo, isDiagnosticId, type Diagnostic, type LinkResult, type ReceivedMessage } from '../../src/index.js';
import { checkDiagnostic, checkJsonLine, checkReceived } from './checks.js';
import { drive, type DriveOptions, type DriveReport, type Target } from './driver.js';
import { toSeeds, type Seed } from './mutate.js';
import { parserTarget } from './parser-target.js';
import { safeJson } from './report.js';
import { linkSeeds } from './seeds.js';

/** decodeLinkFrame for one link type, under the parser contract. */
export function linkDecoderTarget(linkType: number, seeds: readonly Uint8Array[]): Target<LinkResult> {
  return parserTarget<LinkResult>({
    name: `decodeLinkFrame ${linkType}`,
    seeds,
    // One record in five as if the capture had cut it 4 bytes short (an FCS not captured).
    parse: (b) => decodeLinkFrame(linkType, b, b.length % 5 === 0 ? b.length + 4 : b.length),
    views: (r) => r.frames.map((f) => (f.kind === 'wifi' ? { what: 'wifi frame', view: f.frame } : { what: 'BLE advData', view: f.advData })),
    shape(r) {
      if (!Array.isArray(r.frames) || !Array.isArray(r.diagnostics)) return `result shape ${safeJson(Object.keys(r))}`;
      for (const f of r.frames) if (f.kind !== 'wifi' && f.kind !== 'ble') return `frame kind ${safeJson(f)}`;
      for (const d of r.diagnostics) {
        const bad = checkDiagnostic(d, { group: 'link', layer: true });
        if (bad) return bad;
      }
      return undefined;
    },
  });
}

/** What the receive path target counts besides the driver's tally. */
export interface ReceiveStats {
  /** Records that gave at least one message, and all messages, by type. */
  yielding: number;
  messages: number;
  byType: Record<string, number>;
  /** Diagnostics raised, and those of them that dropped a frame that looked like Remote ID. */
  diagnostics: number;
  drops: number;
}

interface ReceivePathTarget extends Target<ReceivedMessage[]> {
  readonly stats: ReceiveStats;
  /** HCI extended-report fragments still held by the extractors (unbounded growth shows here). */
  pendingFragments(): number;
}

/**
 * RemoteIdExtractor.fromRecord for one link type. Two extractors live through the run, so fragment state
 * sees every sequence; one in four records goes to the one that keeps frames with a bad CRC/FCS.
 * `jsonEvery`: check the JSON line of one message in this many (1 = every message).
 */
function receivePathTarget(linkType: number, seeds: readonly Seed[], jsonEvery = 1): ReceivePathTarget {
  const stats: ReceiveStats = { yielding: 0, messages: 0, byType: {}, diagnostics: 0, drops: 0 };
  let badDiagnostic: string | undefined;
  const onDiagnostic = (d: Diagnostic): void => {
    stats.diagnostics++;
    if (isDiagnosticId(d.id) && diagnosticInfo(d.id).drop !== undefined) stats.drops++;
    badDiagnostic ??= checkDiagnostic(d);
  };
  const plain = new RemoteIdExtractor({}, onDiagnostic);
  const keepBad = new RemoteIdExtractor({ keepBadFcs: true }, onDiagnostic);
  let keep = false;
  let jsonTick = 0;
  return {
    name: `fromRecord ${linkType}`,
    seeds,
    stats,
    pendingFragments: () => pendingFragments(plain) + pendingFragments(keepBad),
    run(input, rng) {
      keep = rng.int(4) === 0;
      badDiagnostic = undefined;
      return (keep ? keepBad : plain).fromRecord(linkType, input);
    },
    replay: (input) => new RemoteIdExtractor({ keepBadFcs: keep }).fromRecord(linkType, input),
    verify(_input, out) {
      if (!Array.isArray(out)) return 'fromRecord returned no array';
      if (badDiagnostic) return `malformed diagnostic: ${badDiagnostic}`;
      if (out.length) stats.yielding++;
      let bad: string | undefined;
      for (const m of out) {
        stats.messages++;
        const t = m.message?.type ?? 'undefined';
        stats.byType[t] = (stats.byType[t] ?? 0) + 1;
        if (bad) continue;
        const wrong = checkReceived(m, keep);
        if (wrong) bad = `malformed message (${wrong}): ${safeJson(m)}`;
        else if (++jsonTick >= jsonEvery) {
          jsonTick = 0;
          bad = checkJsonLine(m);
        }
      }
      return bad;
    },
  };
}

/** The extractor's private fragment store, read for the report only. */
function pendingFragments(ex: RemoteIdExtractor): number {
  const map = (ex as unknown as { fragments?: Map<string, Uint8Array[]> }).fragments;
  if (!map) return 0;
  let n = 0;
  for (const list of map.values()) n += list.length;
  return n;
}

export interface LinkFuzzReport extends DriveReport, ReceiveStats {
  linkType: number;
  /** Records run (every input: a throw is a failure, not a skip). */
  frames: number;
  pendingFragments: number;
}

export interface LinkFuzzOptions {
  iterations: number;
  seed: number;
  seeds?: Seed[];
  /** Check the JSON line of one message in this many (1 = every message). Default 1. */
  jsonEvery?: number;
}

/** One link type through the whole receive path: one record in 16 unmutated (fragment state sees real sequences), the rest mutated. */
export function fuzzLinkType(linkType: number, opts: LinkFuzzOptions): LinkFuzzReport {
  const target = receivePathTarget(linkType, opts.seeds ?? toSeeds(linkSeeds().get(linkType) ?? []), opts.jsonEvery);
  const driveOpts: DriveOptions = { iterations: opts.iterations, seed: opts.seed, unmutated: 1 / 16 };
  const r = drive(target, driveOpts);
  return { ...r, ...target.stats, linkType, frames: r.inputs, pendingFragments: target.pendingFragments() };
}
