/**
 * The monitor-mode capture path with a real tcpdump: the same spawn-and-parse code reads the project's
 * reference captures through `tcpdump -r FILE -U -w - <Remote ID filter>` (only the arguments differ
 * from a live capture), and every Remote ID message of each capture must come out of it.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CaptureReader, RemoteIdExtractor, type ReceivedMessage } from '@odid/codec';
import { capturePath, fixturePath, itCorpus, needsCorpus } from '../../../test/support/fixtures.js';
import type { RawFrame } from '../src/sources/types.js';
import { REMOTE_ID_BPF, WifiMonitorSource, WifiSourceError, fileTcpdumpArgs, liveTcpdumpArgs } from '../src/sources/wifi.js';

function requireTcpdump(): void {
  if (spawnSync('sh', ['-c', 'command -v tcpdump']).status !== 0) {
    throw new Error('tcpdump is not installed: run scripts/setup.sh (needs the Debian package tcpdump)');
  }
}

/** Runs a file through WifiMonitorSource (no channel hopping) and collects frames until tcpdump ends. */
async function throughTcpdump(file: string): Promise<{ frames: RawFrame[]; errors: Error[]; source: WifiMonitorSource }> {
  const source = new WifiMonitorSource({ iface: 'wlan0', channels: [], tcpdumpArgs: fileTcpdumpArgs(file) });
  const frames: RawFrame[] = [];
  const errors: Error[] = [];
  source.on('frame', (f) => frames.push(f));
  source.on('error', (e) => errors.push(e));
  const ended = new Promise<void>((r) => source.once('end', () => r()));
  await source.start();
  await ended;
  await source.stop();
  return { frames, errors, source };
}

const decode = (frames: RawFrame[]): ReceivedMessage[] => {
  const ex = new RemoteIdExtractor();
  return frames.flatMap((f) => ex.fromRecord(f.linkType, f.data, { t: f.t }));
};

// Every Wi-Fi capture with reference lines (BLE ones have no place in an 802.11 filter).
const WIFI_CAPTURES = [
  'opendroneid+wireshark-dissector__odid_wifi_sample.pcap',
  'opendroneid+wireshark-dissector__odid_wifi_bcn_sample.pcap',
  'opendroneid+wireshark-dissector__history__beacon_sample.0bec396.pcap',
  'opendroneid+wireshark-dissector__history__beacon_sample.898e76b.pcap',
  'bkerler+DroneID__examples__dji_air3.pcapng',
  'bkerler+DroneID__examples__wireless_RID_test_linux_transmitter.pcapng',
  'sutt0n+depin-open-droneid__beacon_frames_howlong.pcap',
  'sutt0n+depin-open-droneid__packet-data__capture_output-01.cap',
  'sutt0n+depin-open-droneid__packet-data__capture_output.pcap',
];

describe('tcpdump -> pcap stream -> CaptureReader (real tcpdump reading real captures)', () => {
  it('odid_wifi_sample.pcap: 21 beacons + 21 NAN frames = its 42 messages', async () => {
    requireTcpdump();
    const file = fixturePath('captures', 'opendroneid+wireshark-dissector', 'odid_wifi_sample.pcap');
    const { frames, errors, source } = await throughTcpdump(file);
    expect(errors).toEqual([]);
    expect(source.capture.linkType).toBe('IEEE802_11_RADIO');
    // 63 frames pass the filter: 21 ODID beacons, 21 NAN sync beacons, 21 service discovery frames.
    expect(frames).toHaveLength(63);
    // Every frame passes the filter, so the pipe must hand over exactly what the file holds.
    const direct = new CaptureReader();
    const records = [...direct.push(new Uint8Array(readFileSync(file))), ...direct.end()];
    expect(frames.map((f) => [f.t, f.linkType, Buffer.from(f.data).toString('hex')])).toEqual(
      records.map((r) => [r.timestamp, r.linkType, Buffer.from(r.data).toString('hex')]),
    );
    const msgs = decode(frames);
    expect(msgs).toHaveLength(42);
    expect(msgs.filter((m) => m.transport === 'wifi-nan')).toHaveLength(21);
    expect(msgs.filter((m) => m.transport === 'wifi-beacon')).toHaveLength(21);
  });

  for (const name of WIFI_CAPTURES) {
    (needsCorpus(...name.split('__')) ? itCorpus : it)(`${name}: every reference line comes through the filter`, async () => {
      requireTcpdump();
      const file = capturePath(...name.split('__'));
      const expected = readFileSync(capturePath('expected', `${name}.jsonl`), 'utf8')
        .trim()
        .split('\n')
        .map((l) => {
          // Frame numbers count the capture's frames; the filter leaves out the non-Remote-ID ones.
          const { frame: _frame, ...rest } = JSON.parse(l) as Record<string, unknown>;
          return rest;
        });
      const { frames, errors } = await throughTcpdump(file);
      expect(errors).toEqual([]);
      const msgs = decode(frames);
      expect(msgs).toHaveLength(expected.length);
      msgs.forEach((m, i) => expect(m, `line ${i + 1}`).toMatchObject(expected[i]!));
    });
  }
});

describe('live tcpdump command line and its failures (real tcpdump, no Wi-Fi here)', () => {
  it('builds the live command: packet-buffered pcap on stdout with the Remote ID filter', () => {
    expect(liveTcpdumpArgs('wlan1')).toEqual(['-i', 'wlan1', '-U', '--immediate-mode', '-w', '-', REMOTE_ID_BPF]);
    expect(liveTcpdumpArgs('wlan1', { rfmon: true })[0]).toBe('-I');
    expect(REMOTE_ID_BPF).toBe('type mgt subtype beacon or type mgt subtype probe-resp or (type mgt and wlan[0] & 0xf0 == 0xd0)');
  });

  const startError = async (opts: ConstructorParameters<typeof WifiMonitorSource>[0]): Promise<WifiSourceError> => {
    requireTcpdump();
    const source = new WifiMonitorSource(opts);
    const errors: Error[] = [];
    source.on('error', (err) => errors.push(err));
    const e = await source.start().then(() => undefined, (err: unknown) => err);
    expect(e).toBeInstanceOf(WifiSourceError);
    expect(errors).toEqual([]); // the reason comes once, from start(), not also as an 'error' event
    return e as WifiSourceError;
  };

  it('an Ethernet interface (lo) is not a monitor interface', async () => {
    const e = await startError({ iface: 'lo', channels: [] });
    expect(e.code).toBe('not-monitor');
    expect(e.fix).toMatch(/monitor-setup\.sh lo 6/);
  });

  it("tcpdump -I on an interface without monitor mode ('rfmon')", async () => {
    const e = await startError({ iface: 'lo', monitorMode: 'rfmon' });
    expect(e.code).toBe('unsupported');
  });

  it('no such interface', async () => {
    expect((await startError({ iface: 'nosuch0', channels: [] })).code).toBe('no-device');
  });

  it('tcpdump missing', async () => {
    const e = await startError({ iface: 'wlan0', channels: [], tcpdumpPath: '/nonexistent/tcpdump' });
    expect(e.code).toBe('not-installed');
    expect(e.fix).toMatch(/apt-get install tcpdump/);
  });

  it("'rfmon' cannot hop: libpcap's monN interface is not ours to tune", () => {
    expect(() => new WifiMonitorSource({ iface: 'wlan1', monitorMode: 'rfmon', channels: [6, 149] })).toThrow(WifiSourceError);
  });
});
