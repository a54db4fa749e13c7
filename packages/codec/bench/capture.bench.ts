/**
 * End-to-end capture decoding: `odid decode FILE > /dev/null` on a generated 1,000,000-frame pcapng, timed
 * with its peak RSS, next to tshark on the same file (a fields extraction of the Remote ID bytes, and the
 * full JSON dissection, which is measured on a 100,000-frame prefix and scaled). odid is the command a user
 * types once the toolkit is installed: the `odid` bin (node_modules/.bin/odid) running the built JavaScript
 * of packages/cli/dist, which this bench brings up to date first (tsc -b, as `pnpm build` does).
 *
 * The capture mixes what a receiver hears: Wi-Fi beacons with message packs and NAN (sync beacon + SDF)
 * behind radiotap, BLE 4 legacy adverts and BLE 5 extended ones (LE Coded) behind the LE pseudo-header
 * (DLT 256), from 200 drones whose positions move, plus ~30% unrelated frames (access points' beacons,
 * data frames, probe requests, phones' BLE adverts). Written with PcapngWriter and buildAirFrames.
 *
 * Run alone: `node --conditions=@odid/source --import tsx packages/codec/bench/capture.bench.ts [frames]` (also part of `pnpm bench`).
 */
import { spawnSync } from 'node:child_process';
import { closeSync, existsSync, mkdtempSync, openSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  LINKTYPE,
  PcapngWriter,
  buildAirFrames,
  buildBleAdvPdu,
  buildBlePhdrRecord,
  buildRadiotap,
  concatBytes,
  encodeMessage,
  fromHex,
  type SingleMessageInput,
} from '../src/index.js';
import { rng } from '../../../test/support/random.js';
import { machine } from './harness.js';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
/** The installed command: pnpm's shim for @odid/cli's bin, which runs packages/cli/dist/odid.js with node. */
const ODID = path.join(repoRoot, 'node_modules/.bin/odid');

/**
 * Compiles the CLI and the packages it uses to dist/ (tsc -b is incremental: a second or two when nothing
 * changed), so that the bench never times stale JavaScript.
 */
export function buildOdid(): void {
  const tsc = path.join(repoRoot, 'node_modules/typescript/bin/tsc');
  const r = spawnSync(process.execPath, [tsc, '-b', path.join(repoRoot, 'packages/cli/tsconfig.build.json')], { cwd: repoRoot, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`building odid (tsc -b packages/cli) failed:\n${r.stdout}${r.stderr}`);
  if (!existsSync(ODID)) throw new Error(`${ODID} is missing: run pnpm install`);
}

// ------------------------------------------------------------------------------------------- capture


interface Drone {
  mac: string;
  serial: string;
  lat: number;
  lon: number;
  alt: number;
  dir: number;
  counter: number;
  seq: number;
}

const hex2 = (n: number): string => (n & 0xff).toString(16).padStart(2, '0');
/** Serial-number characters (CTA-2063-A). */
const SERIAL = '0123456789ABCDEFGHJKLMNPQRSTUVWXYZ';
/** A Self-ID text with every kind of character a JSON serializer must escape, for some drones. */
const NASTY_DESC = 'Survey "A\\B"\t\x01\x7f\xe9\xff';

function location(d: Drone, t: number): SingleMessageInput {
  return {
    type: 'location', status: 2, direction: Math.round(d.dir) % 360, speedHorizontal: 12.25, speedVertical: 0.5,
    latitude: Math.round(d.lat * 1e7) / 1e7, longitude: Math.round(d.lon * 1e7) / 1e7, altitudeBaro: Math.round(d.alt * 2) / 2,
    altitudeGeo: Math.round((d.alt + 48) * 2) / 2, heightType: 0, height: Math.round((d.alt - 20) * 2) / 2, horizAccuracy: 10,
    vertAccuracy: 4, baroAccuracy: 3, speedAccuracy: 3, tsAccuracy: 1, timestamp: Math.round((t % 3600) * 10) / 10,
  };
}

function staticMessages(d: Drone, i: number): SingleMessageInput[] {
  return [
    { type: 'basicId', idType: 1, uaType: 2, uasId: d.serial },
    { type: 'selfId', descType: 0, desc: i % 7 === 0 ? NASTY_DESC : `Inspection flight ${i}` },
    {
      type: 'system', operatorLocationType: 1, classificationType: 1, operatorLatitude: Math.round(d.lat * 1e6) / 1e6,
      operatorLongitude: Math.round(d.lon * 1e6) / 1e6, areaCount: 1, areaRadius: 0, areaCeiling: -1000, areaFloor: -1000,
      categoryEU: 1, classEU: 2, operatorAltitudeGeo: 20.5, timestamp: 220_000_000 + i,
    },
    { type: 'operatorId', operatorIdType: 0, operatorId: `FIN87astrdge${String(i).padStart(4, '0')}` },
  ];
}

/** Frames that carry no Remote ID, as a receiver hears them between the drones. */
function unrelatedFrames(): { linkType: number; data: Uint8Array }[] {
  const rt = buildRadiotap({ freqMHz: 2437, rssi: -67 });
  /** One information element, its length computed. */
  const ie = (id: number, hex: string): string => {
    const data = fromHex(hex);
    return [id, data.length].map((b) => b.toString(16).padStart(2, '0')).join('') + hex.replace(/\s/g, '');
  };
  const htCapabilities = ie(0x2d, 'ef01 17ffffff' + '00'.repeat(20));
  const wifi = [
    // an access point's beacon (SSID, rates, DS, TIM, country, RSN, HT capabilities, WMM)
    '8000 0000 ffffffffffff 3c3786112233 3c3786112233 5012 1a2b3c4d5e6f7000 6400 1104' +
      ie(0, '486f6d652d57694669') + ie(1, '82848b960c121824') + ie(3, '06') + ie(5, '00010000') + ie(7, '4445200d1414') +
      ie(48, '0100000fac040100000fac040100000fac020000') + htCapabilities + ie(221, '0050f2020101000003a4000027a4000042435e0062322f00'),
    // QoS data, probe request, ACK, an RTS
    '8841 3000 3c3786112233 a4c3f0aabbcc 3c3786112233 f015 0000 aaaa030000000800 4500003c1c4640004006b1e6c0a80001c0a800c7',
    '4000 0000 ffffffffffff a4c3f0aabbcc ffffffffffff 2033' + ie(0, '') + ie(1, '02040b160c121824') + ie(50, '3048606c') + htCapabilities,
    'd400 0000 3c3786112233',
    'b400 5c00 3c3786112233 a4c3f0aabbcc',
  ];
  const ble = [
    // phones and tags: ADV_IND with flags + manufacturer data, ADV_NONCONN_IND with a service, SCAN_RSP-like names
    { address: '5d:1a:22:33:44:55', adv: '020106 0aff4c001005031c8a2b3c' },
    { address: '6e:2b:33:44:55:66', adv: '020106 03036ffd 17166ffd0102030405060708090a0b0c0d0e0f1011121314' },
    { address: 'c8:3c:44:55:66:77', adv: '020106 0b09536d6172745761746368 03030f18' },
  ];
  const out: { linkType: number; data: Uint8Array }[] = wifi.map((h) => ({ linkType: LINKTYPE.IEEE802_11_RADIOTAP, data: concatBytes([rt, fromHex(h)]) }));
  for (const b of ble) {
    const pdu = buildBleAdvPdu({ pdu: 'ADV_NONCONN_IND', address: b.address, advData: fromHex(b.adv) });
    out.push({ linkType: LINKTYPE.BLUETOOTH_LE_LL_WITH_PHDR, data: buildBlePhdrRecord(pdu, { channel: 37 + (out.length % 3), rssi: -71 }) });
  }
  return out;
}

export interface GeneratedCapture {
  file: string;
  frames: number;
  bytes: number;
  /** Remote ID messages the capture holds (what odid decode must print). */
  messages: number;
  /** Frames that carry Remote ID. */
  remoteIdFrames: number;
}

/**
 * Writes `frames` records to `file`. Each step picks a drone and a transport (BLE legacy sends one
 * message per advert, the others a pack per frame), or with ~30% probability an unrelated frame.
 */
export function generateCapture(file: string, frames: number, seed = 42): GeneratedCapture {
  // Seeded: the same capture on every run.
  const rnd = rng(seed);
  const drones: Drone[] = Array.from({ length: 200 }, (_, i) => ({
    mac: `${i % 2 ? 'c2' : '60'}:60:1f:${hex2(i >> 8)}:${hex2(i)}:${hex2(i * 7)}`,
    serial: Array.from({ length: 20 }, () => SERIAL[Math.floor(rnd() * SERIAL.length)]).join(''),
    lat: 45 + rnd(),
    lon: -122 + rnd(),
    alt: 50 + rnd() * 100,
    dir: rnd() * 360,
    counter: 0,
    seq: 0,
  }));
  const statics = drones.map((d, i) => staticMessages(d, i).map((m) => encodeMessage(m)));
  const unrelated = unrelatedFrames();
  const writer = new PcapngWriter({ application: 'odid capture bench' });
  const fd = openSync(file, 'w');
  let pending: Uint8Array[] = [writer.header()];
  let pendingBytes = 0;
  const wifi = writer.addInterface({ linkType: LINKTYPE.IEEE802_11_RADIOTAP, name: 'wlan0mon', tsresol: 6 });
  const ble = writer.addInterface({ linkType: LINKTYPE.BLUETOOTH_LE_LL_WITH_PHDR, name: 'nrf', tsresol: 6 });
  pending.push(wifi.bytes, ble.bytes);
  let bytes = 0;
  const flush = (): void => {
    const block = concatBytes(pending);
    writeSync(fd, block);
    bytes += block.length;
    pending = [];
    pendingBytes = 0;
  };
  const ifaceOf = (linkType: number): number => (linkType === LINKTYPE.IEEE802_11_RADIOTAP ? wifi.id : ble.id);
  let t = 1_767_225_600; // 2026-01-01T00:00:00Z
  let written = 0;
  let messages = 0;
  let remoteIdFrames = 0;
  const put = (linkType: number, data: Uint8Array): void => {
    t += 0.0003 + rnd() * 0.0004;
    const b = writer.packet(ifaceOf(linkType), Math.round(t * 1e6) / 1e6, data);
    pending.push(b);
    pendingBytes += b.length;
    written++;
    if (pendingBytes > 1 << 20) flush();
  };
  while (written < frames) {
    if (rnd() < 0.3) {
      const u = unrelated[Math.floor(rnd() * unrelated.length)]!;
      put(u.linkType, u.data);
      continue;
    }
    const di = Math.floor(rnd() * drones.length);
    const d = drones[di]!;
    d.lat += (rnd() - 0.5) * 1e-4;
    d.lon += (rnd() - 0.5) * 1e-4;
    d.alt = Math.min(400, Math.max(0, d.alt + (rnd() - 0.5)));
    d.dir = (d.dir + rnd() * 10) % 360;
    const loc = encodeMessage(location(d, t));
    const r = rnd();
    const transport = r < 0.78 ? 'ble-legacy' : r < 0.9 ? 'ble-extended' : r < 0.97 ? 'wifi-beacon' : 'wifi-nan';
    const st = statics[di]!;
    let payload: Uint8Array;
    let count: number;
    if (transport === 'ble-legacy') {
      // BLE 4: the location most of the time, the other messages in turn
      payload = rnd() < 0.5 ? loc : st[Math.floor(rnd() * st.length)]!;
      count = 1;
    } else {
      const members = transport === 'ble-extended' ? [st[0]!, loc, st[2]!] : [st[0]!, loc, st[1]!, st[2]!, st[3]!];
      payload = concatBytes([Uint8Array.of(0xf2, 25, members.length), ...members]);
      count = members.length;
    }
    const air = buildAirFrames({
      transport, address: d.mac, counter: d.counter++ & 0xff, payload, rssi: -40 - Math.floor(rnd() * 50),
      sequence: d.seq++ & 0xfff, timestampUs: Math.round(t * 1e6) % 2 ** 40, ssid: transport === 'wifi-beacon' ? d.serial : undefined,
    });
    for (const f of air) {
      if (written >= frames) break;
      put(f.linkType, f.data);
      // NAN: only the SDF (the second record) carries the pack; the sync beacon holds no Remote ID.
      if (transport !== 'wifi-nan' || f === air[1]) {
        messages += count;
        remoteIdFrames++;
      }
    }
  }
  flush();
  closeSync(fd);
  return { file, frames: written, bytes, messages, remoteIdFrames };
}

// ------------------------------------------------------------------------------------------- timing

export interface Run {
  name: string;
  frames: number;
  /** Bytes of capture read. */
  bytes: number;
  /** Wall-clock seconds. */
  seconds: number;
  /** User + system CPU seconds, when known. */
  cpuSeconds?: number;
  peakRssMb?: number;
  /** Scaled from a prefix run: the measured frames and seconds. */
  scaledFrom?: { frames: number; seconds: number };
  note?: string;
}

const hasGnuTime = existsSync('/usr/bin/time');
/**
 * Without GNU time, a Node child reports its own peak RSS and CPU time at exit (process.resourceUsage()),
 * loaded with --import before the program.
 */
const SELF_REPORT =
  'data:text/javascript,' +
  encodeURIComponent(
    "process.on('exit',()=>{const u=process.resourceUsage();process.stderr.write('\\n\\tMaximum resident set size (kbytes): '+u.maxRSS+" +
      "'\\n\\tUser time (seconds): '+u.userCPUTime/1e6+'\\n\\tSystem time (seconds): '+u.systemCPUTime/1e6+'\\n')})",
  );

interface Timed {
  seconds: number;
  cpuSeconds?: number;
  peakRssMb?: number;
  stderr: string;
  status: number | null;
}

/**
 * Runs a command with stdout to /dev/null: wall time, CPU time and peak RSS (GNU time -v, or for a node
 * program the self report, through NODE_OPTIONS).
 */
function timed(cmd: string, args: string[], opts: { node?: boolean } = {}): Timed {
  const devnull = openSync('/dev/null', 'w');
  try {
    let argv = [cmd, ...args];
    let env = process.env;
    if (hasGnuTime) argv = ['/usr/bin/time', '-v', ...argv];
    else if (opts.node) env = { ...env, NODE_OPTIONS: `${env.NODE_OPTIONS ?? ''} --import=${SELF_REPORT}`.trim() };
    const start = process.hrtime.bigint();
    const r = spawnSync(argv[0]!, argv.slice(1), { cwd: repoRoot, env, stdio: ['ignore', devnull, 'pipe'], encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
    const seconds = Number(process.hrtime.bigint() - start) / 1e9;
    const num = (re: RegExp): number | undefined => {
      const m = re.exec(r.stderr);
      return m ? Number(m[1]) : undefined;
    };
    const rss = num(/Maximum resident set size \(kbytes\): (\d+)/);
    const user = num(/User time \(seconds\): ([\d.]+)/);
    const sys = num(/System time \(seconds\): ([\d.]+)/);
    return {
      seconds,
      cpuSeconds: user !== undefined && sys !== undefined ? user + sys : undefined,
      peakRssMb: rss !== undefined ? rss / 1024 : undefined,
      stderr: r.stderr,
      status: r.status,
    };
  } finally {
    closeSync(devnull);
  }
}

function tsharkAvailable(): boolean {
  return spawnSync('tshark', ['--version'], { encoding: 'utf8' }).status === 0;
}

export interface CaptureBenchResult {
  capture: GeneratedCapture;
  runs: Run[];
  odidMessages: number;
}

export function benchCapture(frames = 1_000_000, prefixFrames = 100_000): CaptureBenchResult {
  const dir = mkdtempSync(path.join(tmpdir(), 'odid-capture-bench-'));
  try {
    const file = path.join(dir, 'bench.pcapng');
    const capture = generateCapture(file, frames);
    const runs: Run[] = [];

    // odid decode, best of 3 (the page cache is warm after the first): the installed command on the built JavaScript.
    buildOdid();
    let best: Timed | undefined;
    for (let i = 0; i < 3; i++) {
      const r = timed(ODID, ['decode', file], { node: true });
      if (r.status !== 0) throw new Error(`odid decode failed (${r.status}): ${r.stderr}`);
      if (!best || r.seconds < best.seconds) best = r;
    }
    const counts = /(\d+) frames, (\d+) with Remote ID, (\d+) messages/.exec(best!.stderr);
    const odidMessages = counts ? Number(counts[3]) : NaN;
    if (!counts || Number(counts[1]) !== capture.frames || odidMessages !== capture.messages) {
      throw new Error(`odid decode did not read the capture as generated: ${best!.stderr.split('\n').find((l) => l.includes('frames'))} (expected ${capture.frames} frames, ${capture.messages} messages)`);
    }
    runs.push({ name: '`odid decode F > /dev/null` (JSONL)', frames: capture.frames, bytes: capture.bytes, seconds: best!.seconds, cpuSeconds: best!.cpuSeconds, peakRssMb: best!.peakRssMb });

    if (tsharkAvailable()) {
      // best of 2, like odid decode's best of 3: both warm, neither penalised by a busy moment of the machine
      let fields: Timed | undefined;
      for (let i = 0; i < 2; i++) {
        const r = timed('tshark', ['-r', file, '-T', 'fields', '-e', 'frame.number', '-e', 'wlan.tag.vendor.data', '-e', 'btcommon.eir_ad.entry.service_data']);
        if (r.status !== 0) throw new Error(`tshark -T fields failed: ${r.stderr}`);
        if (!fields || r.seconds < fields.seconds) fields = r;
      }
      runs.push({
        name: '`tshark -r F -T fields -e frame.number -e wlan.tag.vendor.data -e btcommon.eir_ad.entry.service_data`',
        frames: capture.frames,
        bytes: capture.bytes,
        seconds: fields!.seconds,
        cpuSeconds: fields!.cpuSeconds,
        peakRssMb: fields!.peakRssMb,
      });

      // tshark -T json takes minutes on the whole file: measured on a prefix written separately, scaled.
      const prefix = path.join(dir, 'prefix.pcapng');
      const pre = generateCapture(prefix, prefixFrames);
      const json = timed('tshark', ['-r', prefix, '-T', 'json']);
      if (json.status !== 0) throw new Error(`tshark -T json failed: ${json.stderr}`);
      const scale = capture.frames / pre.frames;
      runs.push({
        name: '`tshark -r F -T json`',
        frames: capture.frames,
        bytes: capture.bytes,
        seconds: json.seconds * scale,
        cpuSeconds: json.cpuSeconds !== undefined ? json.cpuSeconds * scale : undefined,
        peakRssMb: json.peakRssMb,
        scaledFrom: { frames: pre.frames, seconds: json.seconds },
        note:
          `measured on the first ${pre.frames.toLocaleString('en')} frames (the same generator, ${(pre.bytes / 1e6).toFixed(1)} MB): ` +
          `${json.seconds.toFixed(1)} s, scaled ×${scale.toFixed(0)}; its peak RSS is that of the prefix run`,
      });
    }
    return { capture, runs, odidMessages };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const rate = (n: number): string => (n >= 1e6 ? `${(n / 1e6).toFixed(2)} M` : `${(n / 1e3).toFixed(0)} k`);

export function printCapture(r: CaptureBenchResult): void {
  const c = r.capture;
  console.log(
    `Capture: ${c.frames.toLocaleString('en')} frames, ${(c.bytes / 1e6).toFixed(1)} MB pcapng (radiotap Wi-Fi beacons + NAN, ` +
      `DLT 256 BLE legacy + extended, ~30% unrelated frames); ${c.remoteIdFrames.toLocaleString('en')} Remote ID frames, ` +
      `${r.odidMessages.toLocaleString('en')} messages printed by odid decode.\n`,
  );
  const odid = r.runs[0]!;
  console.log('| command | wall time | CPU time | frames/s | MB/s | peak RSS | odid decode is |\n|---|---|---|---|---|---|---|');
  for (const run of r.runs) {
    const cpuRatio = run.cpuSeconds !== undefined && odid.cpuSeconds !== undefined ? ` (CPU: ${(run.cpuSeconds / odid.cpuSeconds).toFixed(1)}×)` : '';
    const speedup = run === odid ? '' : `${(run.seconds / odid.seconds).toFixed(1)}× faster${cpuRatio}`;
    const time = `${run.seconds.toFixed(1)} s${run.scaledFrom ? ' (scaled)' : ''}`;
    const cpu = run.cpuSeconds === undefined ? 'n/a' : `${run.cpuSeconds.toFixed(1)} s`;
    const rss = run.peakRssMb === undefined ? 'n/a' : `${run.peakRssMb.toFixed(0)} MB`;
    console.log(`| ${run.name} | ${time} | ${cpu} | ${rate(run.frames / run.seconds)} | ${(run.bytes / 1e6 / run.seconds).toFixed(1)} | ${rss} | ${speedup} |`);
  }
  for (const run of r.runs) if (run.note) console.log(`\n${run.name.replace(/`/g, '')}: ${run.note}.`);
  if (r.runs.length === 1) console.log('\n(tshark not found: only odid decode was measured)');
  else {
    const ratio = (i: number): string => (r.runs[i] ? `${(r.runs[i]!.seconds / odid.seconds).toFixed(1)}×` : 'n/a');
    const rss = odid.peakRssMb === undefined ? 'n/a' : `${odid.peakRssMb.toFixed(0)} MB`;
    console.log(`\nodid decode against tshark, this run: ${ratio(1)} faster than -T fields (goal ≥ 4×), ${ratio(2)} faster than -T json (goal ≥ 30×); peak RSS ${rss} (goal ≤ 150 MB).`);
  }
  console.log(
    '\nodid decode is the installed command (node_modules/.bin/odid, the built JavaScript of packages/cli/dist), start-up included; ' +
      'best of 3 runs, tshark -T fields best of 2. frames/s and MB/s are from the wall time; CPU time is user + system (GNU time).',
  );
}

// Run alone: node --conditions=@odid/source --import tsx packages/codec/bench/capture.bench.ts [frames]
if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const frames = Number(process.argv[2] ?? 1_000_000);
  console.log(`# Capture decoding\n${machine()}\n`);
  printCapture(benchCapture(frames, Math.max(1, Math.min(100_000, Math.round(frames / 10)))));
}

