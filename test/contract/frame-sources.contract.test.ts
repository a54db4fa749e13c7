/**
 * The receiver's frame sources through the FrameSource contract (frame-source-contract.ts): the replay
 * (a file, paced and fast, and a stream on a real pipe as standard input would be), the simulated scene
 * (real time and fast), Wi-Fi monitor mode with the real tcpdump reading a capture file and a FIFO that
 * the test keeps feeding, and the managed-mode iw scan through its command seam. BLE runs in
 * frame-sources-ble.contract.test.ts (the fake HCI module must be in place before noble loads).
 */

import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll } from 'vitest';
import { buildAirFrames, buildOdidBeaconElement, encodeMessage, LINKTYPE, PcapngWriter, PcapWriter, toHex } from '@odid/codec';
import type { CommandRunner } from '@odid/commands';
import { ReplaySource } from '../../packages/receiver/src/sources/replay.js';
import { SimulatedSceneSource } from '../../packages/receiver/src/sources/sim.js';
import { fileTcpdumpArgs, WifiMonitorSource, WifiScanSource } from '../../packages/receiver/src/sources/wifi.js';
import { createRecordingWriter } from '../../packages/receiver/src/outputs/recording.js';
import { fixturePath } from '../support/fixtures.js';
import { describeFrameSourceContract, type FrameSourceRig } from './frame-source-contract.js';
import { pipeFeeder } from './harness.js';

const scratch = mkdtempSync(join(tmpdir(), 'odid-frame-contract-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));
let files = 0;
const scratchFile = (name: string): string => join(scratch, `${files++}-${name}`);

const T0 = Date.UTC(2025, 5, 1, 10, 0, 0) / 1000;
const PACK = encodeMessage({
  type: 'messagePack',
  messages: [
    { type: 'basicId', idType: 1, uaType: 2, uasId: '1596F3A8B7C2D4E5F6G7' },
    { type: 'operatorId', operatorIdType: 0, operatorId: 'FIN87astrdge12k8' },
  ],
});
/** The i-th beacon of a drone: radiotap + 802.11, as a monitor interface captures it. */
const beacon = (i: number): Uint8Array => buildAirFrames({ transport: 'wifi-beacon', address: '02:11:22:33:44:55', counter: i & 0xff, payload: PACK })[0]!.data;

/** A pcapng of `n` beacons `stepS` apart. */
function pcapngBytes(n: number, stepS: number): Uint8Array {
  const w = new PcapngWriter({ application: 'contract test' });
  const shb = w.header();
  const idb = w.addInterface({ linkType: LINKTYPE.IEEE802_11_RADIOTAP, tsresol: 6 });
  const parts = [shb, idb.bytes];
  for (let i = 0; i < n; i++) parts.push(w.packet(idb.id, T0 + i * stepS, beacon(i)));
  return Buffer.concat(parts);
}

function captureFile(n: number, stepS: number): string {
  const f = scratchFile('flight.pcapng');
  writeFileSync(f, pcapngBytes(n, stepS));
  return f;
}

// --- Replay.

/** Paced by the capture's own times: 400 beacons 50 ms apart (20 s), so it is still running when stopped. */
describeFrameSourceContract('replay, a pcapng file paced in real time', () => ({ source: new ReplaySource({ path: captureFile(400, 0.05) }), quietMs: 200 }), {
  failing: [{ name: 'no such file', make: () => ({ source: new ReplaySource({ path: join(scratch, 'no-such.pcapng') }) }), code: 'no-file' }],
  troubled: [
    {
      name: 'a file that is not a capture',
      make: () => {
        const f = scratchFile('garbage.pcap');
        writeFileSync(f, '<!DOCTYPE html><html>not a capture</html>\n'.repeat(10));
        return { source: new ReplaySource({ path: f, fast: true }) };
      },
    },
    {
      name: 'a recording cut short inside a frame',
      make: () => {
        const chunks: Uint8Array[] = [];
        const w = createRecordingWriter({ write: (c) => void chunks.push(c) });
        for (let i = 0; i < 5; i++) w.write({ t: T0 + i, linkType: LINKTYPE.IEEE802_11_RADIOTAP, data: beacon(i) });
        const bytes = Buffer.concat(chunks);
        const f = scratchFile('cut.cbor');
        writeFileSync(f, bytes.subarray(0, bytes.length - 7));
        return { source: new ReplaySource({ path: f, fast: true }) };
      },
    },
  ],
});

describeFrameSourceContract('replay, a pcapng file as fast as possible', () => ({ source: new ReplaySource({ path: captureFile(200, 0.05), fast: true }) }), {
  finite: true,
  failing: [{ name: 'no such file', make: () => ({ source: new ReplaySource({ path: join(scratch, 'gone', 'x.pcapng'), fast: true }) }), code: 'no-file' }],
});

/** `rid-scan --replay -`: a capture arriving on a pipe (tcpdump -w - | rid-scan), fed one frame per drive. */
describeFrameSourceContract(
  'replay, a pcapng stream on a real pipe (as standard input)',
  (): FrameSourceRig<ReplaySource> => {
    const feeder = pipeFeeder();
    const w = new PcapngWriter({ application: 'contract test' });
    const shb = w.header();
    const idb = w.addInterface({ linkType: LINKTYPE.IEEE802_11_RADIOTAP, tsresol: 6 });
    feeder.write(Buffer.concat([shb, idb.bytes]));
    let i = 0;
    return {
      source: new ReplaySource({ path: '-', input: feeder.output, fast: true }),
      drive: () => feeder.write(w.packet(idb.id, T0 + i * 0.1, beacon(i++))),
      dispose: () => feeder.close(),
    };
  },
  { notApplicable: { 'open-failure': 'a stream is handed over open: there is nothing left to open (a file that cannot be opened is the file case above)' } },
);

// --- The simulated scene.

describeFrameSourceContract('sim, the demo scene in real time', () => ({ source: new SimulatedSceneSource(), quietMs: 300 }), {
  notApplicable: {
    'open-failure': 'the simulation opens nothing: no device, file or port can be missing',
    'runtime-errors': 'the simulation has no failure mode: it only builds frames from the scene',
  },
});

describeFrameSourceContract('sim, the demo scene on a simulated clock (fast)', () => ({ source: new SimulatedSceneSource({ fast: { startMs: T0 * 1000, durationS: 30 } }) }), {
  finite: true,
  notApplicable: {
    'open-failure': 'the simulation opens nothing: no device, file or port can be missing',
    'runtime-errors': 'the simulation has no failure mode: it only builds frames from the scene',
  },
});

// --- Wi-Fi monitor mode: the real tcpdump, reading a capture file or a FIFO instead of a radio.

function requireTool(tool: string): void {
  if (spawnSync('sh', ['-c', `command -v ${tool} || test -x /usr/sbin/${tool}`]).status !== 0) throw new Error(`${tool} is not installed: run scripts/setup.sh`);
}
requireTool('tcpdump');
requireTool('mkfifo');
requireTool('iw');

const monitorFailures = [
  { name: 'no such interface (real tcpdump)', make: () => ({ source: new WifiMonitorSource({ iface: 'nosuch0', channels: [] }) }), code: 'no-device' },
  { name: 'lo is no monitor interface (real tcpdump)', make: () => ({ source: new WifiMonitorSource({ iface: 'lo', channels: [] }) }), code: 'not-monitor' },
  { name: 'tcpdump not installed', make: () => ({ source: new WifiMonitorSource({ iface: 'wlan0', channels: [], tcpdumpPath: '/nonexistent/tcpdump' }) }), code: 'not-installed' },
  { name: 'an interface name that cannot be one', make: () => ({ source: new WifiMonitorSource({ iface: 'wlan0; rm -rf', channels: [] }) }), code: 'config' },
];

describeFrameSourceContract(
  'wifi monitor, real tcpdump reading a capture file',
  () => ({ source: new WifiMonitorSource({ iface: 'wlan0', channels: [], tcpdumpArgs: fileTcpdumpArgs(fixturePath('captures', 'opendroneid+wireshark-dissector', 'odid_wifi_sample.pcap')) }) }),
  {
    finite: true,
    failing: monitorFailures,
    troubled: [
      {
        name: 'a capture file cut short inside a record',
        make: () => {
          const f = scratchFile('cut.pcap');
          const w = new PcapWriter();
          const bytes = Buffer.concat([w.header(LINKTYPE.IEEE802_11_RADIOTAP), ...Array.from({ length: 5 }, (_, i) => w.packet(T0 + i, beacon(i)))]);
          writeFileSync(f, bytes.subarray(0, bytes.length - 20));
          return { source: new WifiMonitorSource({ iface: 'wlan0', channels: [], tcpdumpArgs: fileTcpdumpArgs(f) }) };
        },
      },
    ],
  },
);

/** A live capture: tcpdump reads a FIFO the test writes pcap records into, one per drive, as a radio would hear them. */
describeFrameSourceContract(
  'wifi monitor, real tcpdump reading a FIFO fed as the test goes',
  (): FrameSourceRig<WifiMonitorSource> => {
    const fifo = scratchFile('air.fifo');
    const made = spawnSync('mkfifo', [fifo]);
    if (made.status !== 0) throw new Error(`mkfifo failed: ${String(made.stderr)}`);
    const feeder = pipeFeeder(fifo);
    const w = new PcapWriter();
    feeder.write(w.header(LINKTYPE.IEEE802_11_RADIOTAP));
    let i = 0;
    return {
      source: new WifiMonitorSource({ iface: 'wlan0', channels: [], tcpdumpArgs: fileTcpdumpArgs(fifo) }),
      drive: () => feeder.write(w.packet(T0 + i * 0.1, beacon(i++))),
      dispose: () => feeder.close(),
    };
  },
  { failing: monitorFailures },
);

// --- Managed-mode scanning: iw's output through the source's command seam (this machine has no nl80211).

/** `iw dev wlan0 scan -u flush ...` as iw 5.19 prints it: one drone beacon, counter and TSF new each scan. */
function iwScanOutput(round: number): string {
  const element = buildOdidBeaconElement(round & 0xff, PACK);
  const data = toHex(element.subarray(5)).replace(/(..)(?!$)/g, '$1 ');
  return [
    'BSS 02:5e:11:aa:bb:cc(on wlan0)',
    '\tlast seen: 4521.298s [boottime]',
    `\tTSF: ${8_804_352 + round * 976_000} usec (0d, 00:00:08)`,
    '\tfreq: 2437',
    '\tbeacon interval: 976 TUs',
    '\tcapability: ESS ShortPreamble ShortSlotTime (0x0420)',
    '\tsignal: -67.00 dBm',
    '\tlast seen: 159 ms ago',
    '\tSSID: RID_1596F2B3',
    '\tSupported rates: 6.0* ',
    '\tDS Parameter set: channel 6',
    `\tVendor specific: OUI fa:0b:bc, data: ${data}`,
    '',
  ].join('\n');
}

/** An iw whose scans find the drone (a new beacon each time); `fail` makes it fail as a downed interface does. */
function scriptedIw(failAfter = Infinity): CommandRunner {
  let round = 0;
  return async () => (round++ >= failAfter ? { code: 161, stdout: '', stderr: 'command failed: Network is down (-100)\n' } : { code: 0, stdout: iwScanOutput(round), stderr: '' });
}

describeFrameSourceContract('wifi scan, iw through the command seam, scanning every 20 ms', () => ({ source: new WifiScanSource({ iface: 'wlan0', run: scriptedIw(), intervalMs: 20 }), quietMs: 100 }), {
  failing: [
    { name: 'the real iw on a machine without nl80211', make: () => ({ source: new WifiScanSource({ iface: 'wlan0' }) }), code: 'no-wifi-driver' },
    {
      name: 'no such interface',
      make: () => ({ source: new WifiScanSource({ iface: 'wlan9', run: async () => ({ code: 237, stdout: '', stderr: 'command failed: No such device (-19)\n' }) }) }),
      code: 'no-device',
    },
  ],
  troubled: [{ name: 'the interface goes down after the first scan', make: () => ({ source: new WifiScanSource({ iface: 'wlan0', run: scriptedIw(1), intervalMs: 20 }) }) }],
});
