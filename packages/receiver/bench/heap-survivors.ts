/**
 * What outlives the young generation, by allocation site (web-map.bench.ts --survivors): objects that
 * survived two scavenges and are reclaimed only by a full collection — the garbage that lives a little too
 * long. V8's sampling heap profiler, told to keep what the full collections reclaimed and to drop what the
 * scavenges did, counts exactly those (and what is still alive when it stops). It samples every
 * SAMPLING_BYTES allocated, so a site's figure is an estimate (±10 % at a few hundred KB/s over 50 s), and
 * it costs the measured process some CPU of its own. (In session 11 cutting the map's share of it tenfold
 * moved neither the receiver's CPU nor its count of full collections: a lead to check, not a cost in itself.)
 */

import { Session } from 'node:inspector/promises';

/** Bytes allocated between samples. */
const SAMPLING_BYTES = 16 * 1024;

export interface SurvivorSites {
  /** How long the sampler ran. */
  seconds: number;
  /** Bytes sampled by allocation site: "function url:line". */
  bytes: Record<string, number>;
}

interface SamplingNode {
  callFrame: { functionName: string; url: string; lineNumber: number };
  selfSize: number;
  children: SamplingNode[];
}

export class SurvivorSampler {
  private starting: Promise<Session> | undefined;
  private startedAt = 0;

  start(): void {
    this.starting ??= (async () => {
      const session = new Session();
      session.connect();
      await session.post('HeapProfiler.enable');
      // (Node's typings predate the two include* parameters; V8 has had them since Node 18.)
      await session.post('HeapProfiler.startSampling', { samplingInterval: SAMPLING_BYTES, includeObjectsCollectedByMajorGC: true, includeObjectsCollectedByMinorGC: false } as never);
      this.startedAt = performance.now();
      return session;
    })();
  }

  /** Stops sampling (once started: a start under way is waited for); undefined if it never started. */
  async stop(): Promise<SurvivorSites | undefined> {
    const starting = this.starting;
    if (!starting) return undefined;
    this.starting = undefined;
    const session = await starting;
    const { profile } = (await session.post('HeapProfiler.stopSampling')) as unknown as { profile: { head: SamplingNode } };
    session.disconnect();
    const bytes: Record<string, number> = {};
    const walk = (n: SamplingNode): void => {
      if (n.selfSize > 0) {
        const { functionName, url, lineNumber } = n.callFrame;
        const site = `${functionName || '(anonymous)'} ${url}:${lineNumber + 1}`;
        bytes[site] = (bytes[site] ?? 0) + n.selfSize;
      }
      for (const c of n.children) walk(c);
    };
    walk(profile.head);
    return { seconds: (performance.now() - this.startedAt) / 1000, bytes };
  }
}

/**
 * A site's name for a reader: its function and source module. `bundle`, the text of the esbuild bundle
 * the sites' lines are in (its "// path" comment starts each module), names the module of a line in it;
 * without it the URL's file name stands.
 */
export function siteNamer(bundle?: { url: string; text: string }): (site: string) => string {
  const starts: { line: number; module: string }[] = [];
  if (bundle) {
    bundle.text.split('\n').forEach((l, i) => {
      const m = /^\/\/ (\S+\.[cm]?[jt]s)$/.exec(l);
      if (m) starts.push({ line: i + 1, module: m[1]! });
    });
  }
  return (site) => {
    const m = /^(\S+) (.*):(\d+)$/.exec(site);
    if (!m) return site;
    const [, fn, url, line] = m as unknown as [string, string, string, string];
    const file = url.split('/').pop() || '(native)';
    if (!bundle || !url.endsWith(bundle.url.split('/').pop()!)) return `${fn} (${file})`;
    let module = file;
    for (const s of starts) {
      if (s.line > Number(line)) break;
      module = s.module.replace(/^.*\/(?=[^/]+\/[^/]+$)/, '');
    }
    return `${fn} (${module})`;
  };
}

/** A site's KB/s in each run without the map and with it, in the order run, and the mean the map adds. */
export interface SurvivorRow {
  site: string;
  bare: number[];
  map: number[];
  adds: number;
}

/**
 * The runs' samples as rows, sites named by `name` (those of one name summed): every site's total first,
 * then the sites, the most the map adds first.
 */
export function survivorRows(runs: readonly { run: 'bare' | 'map'; sites: SurvivorSites }[], name: (site: string) => string): { total: SurvivorRow; sites: SurvivorRow[] } {
  const rates = runs.map(({ sites }) => {
    const out = new Map<string, number>();
    for (const [site, bytes] of Object.entries(sites.bytes)) {
      const n = name(site);
      out.set(n, (out.get(n) ?? 0) + bytes / 1024 / sites.seconds);
    }
    return out;
  });
  const mean = (v: number[]): number => (v.length ? v.reduce((a, b) => a + b, 0) / v.length : 0);
  const row = (site: string, of: (rate: Map<string, number>) => number): SurvivorRow => {
    const bare = runs.flatMap((r, i) => (r.run === 'bare' ? [of(rates[i]!)] : []));
    const map = runs.flatMap((r, i) => (r.run === 'map' ? [of(rates[i]!)] : []));
    return { site, bare, map, adds: mean(map) - mean(bare) };
  };
  const total = row('all', (rate) => [...rate.values()].reduce((a, b) => a + b, 0));
  const sites = [...new Set(rates.flatMap((rate) => [...rate.keys()]))].map((site) => row(site, (rate) => rate.get(site) ?? 0));
  return { total, sites: sites.sort((a, b) => b.adds - a.adds) };
}
