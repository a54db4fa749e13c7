/** Live streams: a record comes out as soon as its bytes are in, not when the next header confirms it. */
import { describe, expect, it } from 'vitest';
import { CaptureReader, PcapWriter, PcapngWriter, concatBytes } from '../src/index.js';

const frame = (n: number) => new Uint8Array(40).fill(n);

describe('CaptureReader live mode', () => {
  it('pcap: returns each record as soon as it is complete', () => {
    const w = new PcapWriter();
    const header = w.header(127);
    const r1 = w.packet(1_700_000_000, frame(1));
    const r2 = w.packet(1_700_000_001, frame(2));
    const live = new CaptureReader({ live: true });
    expect(live.push(concatBytes([header, r1]))).toHaveLength(1);
    expect(live.push(r2.subarray(0, 10))).toHaveLength(0);
    expect(live.push(r2.subarray(10))[0]!.data).toEqual(frame(2));
    // the file mode holds the last record until the next header (or the end) confirms its length
    const file = new CaptureReader();
    expect(file.push(concatBytes([header, r1]))).toHaveLength(0);
    expect(file.end()).toHaveLength(1);
  });

  it('pcapng: returns each block as soon as it is complete', () => {
    const w = new PcapngWriter();
    const shb = w.header();
    const idb = w.addInterface({ linkType: 127 }).bytes;
    const live = new CaptureReader({ live: true });
    expect(live.push(concatBytes([shb, idb, w.packet(0, 1_700_000_000, frame(7))]))).toHaveLength(1);
    expect(live.push(w.packet(0, 1_700_000_000.5, frame(8)))[0]!.data).toEqual(frame(8));
    expect(live.warnings).toEqual([]);
  });

  it('still reports damage and finds the records after it', () => {
    const w = new PcapWriter();
    const live = new CaptureReader({ live: true });
    const out = [
      ...live.push(concatBytes([w.header(127), w.packet(1_700_000_000, frame(1))])),
      ...live.push(new Uint8Array(50).fill(0xee)),
      ...live.push(concatBytes([w.packet(1_700_000_001, frame(2)), w.packet(1_700_000_002, frame(3)), w.packet(1_700_000_003, frame(4))])),
      ...live.end(),
    ];
    expect(out.map((r) => r.data[0])).toEqual([1, 2, 3, 4]);
    expect(live.warnings.length).toBeGreaterThan(0);
  });
});
