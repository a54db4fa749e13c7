/**
 * Every real capture (test/fixtures/captures and the external corpus) decodes to exactly the lines of its expected/*.jsonl
 * (every listed field equal; our extra fields are fine), through the same path `odid decode` uses.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CaptureReader, RemoteIdExtractor, type ReceivedMessage } from '../src/index.js';
import { capturePath, corpusFiles, corpusPlaceholder, fixturePath, itCorpus, needsCorpus } from '../../../test/support/fixtures.js';


function decodeFile(file: string, chunk = 65536): { lines: ReceivedMessage[]; extractor: RemoteIdExtractor; reader: CaptureReader } {
  const bytes = new Uint8Array(readFileSync(file));
  const reader = new CaptureReader();
  const extractor = new RemoteIdExtractor();
  const lines: ReceivedMessage[] = [];
  const take = (records: ReturnType<CaptureReader['push']>) => {
    for (const r of records) lines.push(...extractor.fromRecord(r.linkType, r.data, { t: r.timestamp, frame: r.frame }));
  };
  for (let o = 0; o < bytes.length; o += chunk) take(reader.push(bytes.subarray(o, o + chunk)));
  take(reader.end());
  return { lines, extractor, reader };
}

// The in-repo expectations, then those of the external corpus (where present) for its other captures.
const cases = [...new Set([...readdirSync(fixturePath('captures', 'expected')), ...corpusFiles('expected')])].filter((f) => f.endsWith('.jsonl'));

describe('real captures decode to the reference lines', () => {
  itCorpus('has expectations for every capture', () => expect(cases.length).toBeGreaterThanOrEqual(11));

  for (const name of cases) {
    (needsCorpus('expected', name) ? itCorpus : it)(name, () => {
      const capture = capturePath(...name.replace(/\.jsonl$/, '').split('__'));
      const expected = readFileSync(capturePath('expected', name), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
      const { lines, reader } = decodeFile(capture);
      expect(reader.warnings).toEqual([]);
      expect(lines).toHaveLength(expected.length);
      lines.forEach((line, i) => expect(line, `line ${i + 1} (frame ${expected[i]!.frame})`).toMatchObject(expected[i]!));
      // the capture timestamp is there for every line
      for (const l of lines) expect(typeof l.t).toBe('number');
    });
  }
  corpusPlaceholder('the captures of the external corpus');

  it('drops and counts BLE frames whose CRC fails, and empty packs', () => {
    const { extractor } = decodeFile(fixturePath('captures', 'opendroneid+wireshark-dissector', 'odid_bt5_lr_sample.pcapng'));
    expect(extractor.stats.dropped['bad-crc']).toBe(30);
    expect(extractor.stats.dropped['empty-pack']).toBe(19);
  });

  it('keeps bad-CRC frames, marked, when asked', () => {
    const bytes = new Uint8Array(readFileSync(fixturePath('captures', 'opendroneid+wireshark-dissector', 'odid_bt5_lr_sample.pcapng')));
    const reader = new CaptureReader();
    const extractor = new RemoteIdExtractor({ keepBadFcs: true });
    const out = [...reader.push(bytes), ...reader.end()].flatMap((r) => extractor.fromRecord(r.linkType, r.data, { frame: r.frame }));
    const bad = out.filter((m) => m.badFcs);
    expect(bad.length).toBeGreaterThan(0);
    expect(new Set(bad.map((m) => m.frame)).size).toBeLessThanOrEqual(30);
  });
});
