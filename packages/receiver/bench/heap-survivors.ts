/**
 * What outlives the young generation, by allocation site (web-map.bench.ts --survivors). V8 starts a full
 * collection once the old generation has grown by a set amount since the last, so what a run moves there —
 * objects that survived two scavenges, reclaimed only by a full collection — sets how often it pays for one.
 * V8's sampling heap profiler, told to keep what the full collections reclaimed and to drop what the
 * scavenges did, counts exactly those (and what is still alive when it stops): the sites whose garbage lives
 * a little too long. It samples every SAMPLING_BYTES allocated, so a site's figure is an estimate (±10 % at
 * a few hundred KB/s over 50 s), and it costs the measured process some CPU of its own.
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

/** Each site's KB/s, the named sites' sums. */
export function perSecond(runs: readonly SurvivorSites[], name: (site: string) => string): Map<string, number>[] {
  return runs.map((r) => {
    const out = new Map<string, number>();
    for (const [site, bytes] of Object.entries(r.bytes)) {
      const n = name(site);
      out.set(n, (out.get(n) ?? 0) + bytes / 1024 / r.seconds);
    }
    return out;
  });
}
