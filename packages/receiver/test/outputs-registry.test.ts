/**
 * The registry of rid-scan's outputs: every entry takes its own example, the help names every entry, and a
 * value no entry takes (an --out of another kind, a --cot URL of another scheme) is refused with the
 * registered forms.
 */
import { describe, expect, it } from 'vitest';
import { UsageError, type OutputFile } from '@odid/commands';
import {
  findOutputScheme,
  OUTPUT_OPTIONS,
  OUTPUT_SCHEMES,
  outputOptionHelp,
  outputsHelp,
  parseCotUrl,
  streamOptions,
  type OutputOption,
} from '../src/outputs/registry.js';
import { parseBrokerUrl } from '../src/outputs/mqtt-connect.js';

/** An OutputFile that keeps what is written, for the stream entries. */
function memoryFile(): OutputFile & { chunks: (string | Uint8Array)[] } {
  const chunks: (string | Uint8Array)[] = [];
  return {
    option: '--test',
    path: 'memory',
    error: undefined,
    chunks,
    write: (c) => (chunks.push(c), true),
    drained: () => Promise.resolve(),
    end: (cb) => cb?.(),
    close: () => Promise.resolve(),
  };
}

const refusal = (f: () => unknown): UsageError => {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(UsageError);
    return e as UsageError;
  }
  throw new Error('nothing refused');
};

describe('OUTPUT_SCHEMES', () => {
  it('every entry is the one its own example finds, and makes its output from it', async () => {
    for (const entry of OUTPUT_SCHEMES) {
      expect(findOutputScheme(entry.option, entry.example), `${entry.option} ${entry.example}`).toBe(entry);
      if (entry.kind === 'export') {
        expect(entry.render([]).length, entry.syntax).toBeGreaterThan(0);
      } else if (entry.kind === 'stream') {
        const file = memoryFile();
        const opened = entry.open(file);
        const outputs = [opened.frame, opened.message, opened.track].filter((o) => o !== undefined);
        expect(outputs, entry.syntax).toHaveLength(1);
        await outputs[0]!.close();
      } else if (entry.kind === 'broker') {
        expect(parseBrokerUrl(entry.option, entry.example), entry.example).toMatchObject({ protocol: entry.protocol });
      } else {
        expect(parseCotUrl(entry.example), entry.example).toMatchObject({ protocol: entry.protocol });
      }
    }
  });

  it('every entry has a one-line description, and each option a line of its own', () => {
    for (const e of OUTPUT_SCHEMES) {
      expect(e.description, e.syntax).toMatch(/^[^\n]{10,}$/);
      expect(OUTPUT_OPTIONS[e.option], e.option).toBeDefined();
    }
    for (const option of Object.keys(OUTPUT_OPTIONS) as OutputOption[]) expect(OUTPUT_SCHEMES.some((e) => e.option === option), option).toBe(true);
  });

  it('the help names every entry with its description and example, and each option its forms', () => {
    const help = outputsHelp().replace(/\s+/g, ' ');
    for (const e of OUTPUT_SCHEMES) {
      expect(help, e.syntax).toContain(`${e.option} ${e.syntax} ${e.description}`);
      expect(help, e.syntax).toContain(`e.g. ${e.option} ${e.example}`);
      expect(outputOptionHelp(e.option), e.option).toContain(e.syntax);
    }
    expect(streamOptions()).toBe('--out FILE.jsonl, --jsonl, --record and --pcapng');
  });

  it('an --out of no registered kind is refused with the kinds there are', () => {
    const e = refusal(() => findOutputScheme('--out', 'tracks.txt'));
    expect(e.code).toBe('unknown-scheme');
    expect(e.message).toBe('--out tracks.txt: unknown kind of file; give FILE.geojson, FILE.kml or FILE.jsonl');
  });

  it('a --cot URL of another scheme is refused with the schemes there are', () => {
    const e = refusal(() => parseCotUrl('http://127.0.0.1:6969'));
    expect(e.code).toBe('unknown-scheme');
    expect(e.message).toBe('--cot http://127.0.0.1:6969: http:// is not supported, only udp:// and tcp://; give udp://HOST:PORT (e.g. udp://239.2.3.1:6969) or tcp://HOST:PORT (e.g. tcp://192.0.2.10:8087)');
    expect(findOutputScheme('--cot', 'tcp://tak.example:8087').option).toBe('--cot');
    expect(refusal(() => findOutputScheme('--cot', '239.2.3.1:6969')).code).toBe('not-a-url');
    expect(refusal(() => parseCotUrl('udp://127.0.0.1:0')).message).toMatch(/^--cot udp:\/\/127\.0\.0\.1:0: the port must be 1\.\.65535; give udp:\/\/HOST:PORT/);
  });
});
