/**
 * rid-case export end to end, as an examiner runs it: real rid-scan runs make the evidence recordings (the
 * simulated scene; a capture whose drone sends a hostile Self-ID), rid-case packs one drone, and the case is
 * checked with real tools: sha256sum for the manifest, rid-scan --replay for the extract, headless Chromium
 * for the report (no request may leave it).
 */

import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Decoder, Encoder } from 'cbor-x';
import { PcapngWriter, buildAirFrames, concatBytes, encodeMessage, type SingleMessageInput } from '@odid/codec';
import { repoRoot } from '../../../test/support/fixtures.js';
import { TSX_NODE_ARGS } from '../../../test/support/run-cli.js';
import { guardedPage, launchBrowser } from '../../../test/web/browser.js';
import { defaultReceiverKeyPath, loadReceiverKey } from '../src/outputs/receiver-key.js';
import { RECORDING_DECODER_OPTIONS, RECORDING_ENCODER_OPTIONS, readRecordingSync } from '../src/outputs/recording.js';

const scratch = mkdtempSync(path.join(tmpdir(), 'odid-case-export-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));
const file = (name: string): string => path.join(scratch, name);

interface Run {
  stdout: string;
  stderr: string;
  status: number | null;
}

function cli(program: 'rid-scan' | 'rid-case', args: string[]): Run {
  const r = spawnSync(process.execPath, [...TSX_NODE_ARGS, path.join(repoRoot, `packages/receiver/src/cli/${program}.ts`), ...args], {
    cwd: repoRoot,
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
    timeout: 120_000,
  });
  return { stdout: r.stdout, stderr: r.stderr, status: r.status };
}

const sha256 = (p: string): string => createHash('sha256').update(readFileSync(p)).digest('hex');

/** The FAA aeroplane of the simulated scene (operator position live). */
const SIM_ID = '4AB9AHKQ7A05LP8';
const HOSTILE_ID = 'CASE-HOSTILE-0001';
/** 23 bytes, the whole Self-ID: markup, an ESC sequence, a URL, BEL, and the characters HTML escapes. */
const HOSTILE_SELF_ID = '<script>\x1b[2Jhttp://e\x07&"';
/** How the report must show it: control characters as escapes, then HTML-escaped (written out by hand). */
const HOSTILE_SHOWN = '&#60;script&#62;\\x1b[2Jhttp://e\\x07&#38;&#34;';

/** A drone flying east for 20 s over BLE 4, sending its ID, position, hostile Self-ID and operator ID. */
function hostileCapture(): Uint8Array {
  const t0 = Date.UTC(2025, 5, 1, 10, 0, 0) / 1000;
  const writer = new PcapngWriter({ application: 'case-export test' });
  const chunks: Uint8Array[] = [writer.header()];
  let iface: number | undefined;
  let counter = 0;
  for (let s = 0; s < 20; s++) {
    const location: SingleMessageInput = {
      type: 'location', status: 2, direction: 90, speedHorizontal: 5 + s / 4, speedVertical: 0, latitude: 47.0, longitude: 7.5 + s * 0.0001, altitudeBaro: 500 + s,
      altitudeGeo: 510 + s, heightType: 0, height: 50, horizAccuracy: 10, vertAccuracy: 4, baroAccuracy: 3, speedAccuracy: 3, tsAccuracy: 2, timestamp: (s * 10) % 36000,
    };
    const singles: SingleMessageInput[] = [
      { type: 'basicId', idType: 1, uaType: 2, uasId: HOSTILE_ID },
      location,
      { type: 'selfId', descType: 0, desc: HOSTILE_SELF_ID },
      { type: 'operatorId', operatorIdType: 0, operatorId: 'FIN87astrdge12k8' },
    ];
    singles.forEach((m, k) => {
      for (const f of buildAirFrames({ transport: 'ble-legacy', address: 'c2:00:00:00:0c:01', counter: counter++ & 0xff, payload: encodeMessage(m) })) {
        if (iface === undefined) {
          const added = writer.addInterface({ linkType: f.linkType, name: 'ble', tsresol: 6 });
          chunks.push(added.bytes);
          iface = added.id;
        }
        chunks.push(writer.packet(iface, t0 + s + k / 10, f.data));
      }
    });
  }
  return concatBytes(chunks);
}

/** The drone's LineString in `rid-scan --replay REC --out x.geojson`: its positions as the receiver tracked them. */
function trackLine(recording: string, uasId: string): number[][] {
  const out = file(`line-${Math.random().toString(36).slice(2)}.geojson`);
  const r = cli('rid-scan', ['--replay', recording, '--fast', '--once', '--out', out]);
  expect(r.status, r.stderr).toBe(0);
  const fc = JSON.parse(readFileSync(out, 'utf8')) as { features: { geometry: { type: string; coordinates: number[][] }; properties: { kind: string; uasId: string | null } }[] };
  const lines = fc.features.filter((f) => f.properties.kind === 'track' && f.properties.uasId === uasId);
  expect(lines).toHaveLength(1);
  return lines[0]!.geometry.coordinates;
}

/** The report without the hostile text's escaped form: what is left must hold no URL at all. */
const withoutHostile = (html: string): string => html.split(HOSTILE_SHOWN).join('');

let sim = '';
let hostile = '';
let simCase = '';
let fingerprint = '';

beforeAll(() => {
  sim = file('sim.cbor');
  const r = cli('rid-scan', ['--sim', '--fast', '--duration', '60', '--once', '--record', sim]);
  expect(r.status, r.stderr).toBe(0);
  fingerprint = loadReceiverKey(defaultReceiverKeyPath()).fingerprint;
  writeFileSync(file('hostile.pcapng'), hostileCapture());
  hostile = file('hostile.cbor');
  const h = cli('rid-scan', ['--replay', file('hostile.pcapng'), '--fast', '--once', '--record', hostile]);
  expect(h.status, h.stderr).toBe(0);
  simCase = file('case-sim');
  const c = cli('rid-case', ['export', '--uas', SIM_ID, sim, simCase]);
  expect(c.status, c.stderr).toBe(0);
  expect(c.stderr).toMatch(new RegExp(`^rid-case: wrote .*case-sim: \\d+ frames and \\d+ messages of ${SIM_ID} \\(1 track\\) from 1 recording\\n$`));
}, 240_000);

describe('rid-case export of one drone of a verified recording', () => {
  it('writes the case files, and the manifest holds (sha256sum -c agrees)', () => {
    expect(readdirSync(simCase).sort()).toEqual(['MANIFEST.sha256', 'drone-track.json', 'messages.jsonl', 'records.cbor', 'report.html', 'verification.json']);
    const manifest = readFileSync(path.join(simCase, 'MANIFEST.sha256'), 'utf8').trim().split('\n');
    expect(manifest.map((l) => l.split('  ')[1]).sort()).toEqual(['drone-track.json', 'messages.jsonl', 'records.cbor', 'report.html', 'verification.json']);
    for (const line of manifest) {
      const [hash, name] = line.split('  ');
      expect(sha256(path.join(simCase, name!)), name).toBe(hash);
    }
    const check = spawnSync('sha256sum', ['-c', 'MANIFEST.sha256'], { cwd: simCase, encoding: 'utf8' });
    expect(check.status, check.stdout + check.stderr).toBe(0);
    // A changed file is caught by the same check.
    const copy = file('case-copy');
    mkdirSync(copy);
    for (const name of readdirSync(simCase)) writeFileSync(path.join(copy, name), readFileSync(path.join(simCase, name)));
    writeFileSync(path.join(copy, 'drone-track.json'), readFileSync(path.join(copy, 'drone-track.json'), 'utf8').replace(SIM_ID, 'X'.repeat(SIM_ID.length)));
    expect(spawnSync('sha256sum', ['-c', 'MANIFEST.sha256'], { cwd: copy, encoding: 'utf8' }).status).toBe(1);
  });

  it('verification.json: verified, with the signer key and the original file hash', () => {
    const v = JSON.parse(readFileSync(path.join(simCase, 'verification.json'), 'utf8')) as Record<string, any>;
    expect(v.allVerified).toBe(true);
    expect(v.recordings).toHaveLength(1);
    expect(v.recordings[0]).toMatchObject({ name: 'sim.cbor', status: 'complete', verified: true, signer: fingerprint, sha256: sha256(sim), report: { status: 'complete' } });
    expect(v.recordings[0].verdict).toMatch(/^VERIFIED: complete and unaltered/);
  });

  it('records.cbor holds that drone only, traceable to the original, and replays to the same track and positions', () => {
    const extract = readFileSync(path.join(simCase, 'records.cbor'));
    const items = new Decoder(RECORDING_DECODER_OPTIONS).decodeMultiple(extract) as Record<string, any>[];
    expect(items[0]).toMatchObject({ format: 'odid-recording', version: 1, application: 'rid-case export', extract: { uasId: SIM_ID, recordings: [{ name: 'sim.cbor', sha256: sha256(sim) }] } });
    const original = [...readRecordingSync(readFileSync(sim))];
    const frames = items.slice(1);
    expect(frames.length).toBeGreaterThan(20);
    expect(frames.length).toBeLessThan(original.length / 2);
    for (const f of frames) {
      expect(f.recording).toBe(0);
      const o = original[f.recordingFrame - 1]!;
      expect(Buffer.from(f.data as Uint8Array).equals(Buffer.from(o.data)), `frame ${f.recordingFrame}`).toBe(true);
      expect(f.t).toBe(o.t);
    }
    const replay = cli('rid-scan', ['--replay', path.join(simCase, 'records.cbor'), '--fast', '--once', '--json']);
    expect(replay.status, replay.stderr).toBe(0);
    const tracks = JSON.parse(replay.stdout) as { uasId: string; messages: number }[];
    expect(tracks.map((t) => t.uasId)).toEqual([SIM_ID]);
    const whole = trackLine(sim, SIM_ID);
    expect(whole.length).toBeGreaterThan(10);
    expect(trackLine(path.join(simCase, 'records.cbor'), SIM_ID)).toEqual(whole);
    // drone-track.json: the same track, its history the same positions.
    const track = JSON.parse(readFileSync(path.join(simCase, 'drone-track.json'), 'utf8')) as { tracks: { uasId: string; messages: number; history: { lon: number; lat: number }[] }[] };
    expect(track.tracks).toHaveLength(1);
    expect(track.tracks[0]!.uasId).toBe(SIM_ID);
    expect(track.tracks[0]!.messages).toBe(tracks[0]!.messages);
    expect(track.tracks[0]!.history.map((p) => [p.lon, p.lat])).toEqual(whole.map((c) => [c[0], c[1]]));
    // messages.jsonl: every message of that track, each naming where it came from.
    const lines = readFileSync(path.join(simCase, 'messages.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Record<string, any>);
    expect(lines).toHaveLength(tracks[0]!.messages);
    for (const l of lines) {
      expect(l).toMatchObject({ recording: 'sim.cbor', transport: expect.any(String), mac: expect.any(String), rssi: expect.any(Number), t: expect.any(Number) });
      expect(frames.some((f) => f.recordingFrame === l.recordingFrame)).toBe(true);
    }
  });

  it('report.html: self-contained, the ID, verdict, an SVG path; and nothing leaves it in a browser', async () => {
    const html = readFileSync(path.join(simCase, 'report.html'), 'utf8');
    expect(html).toContain(SIM_ID);
    expect(html).toContain('Every recording verified');
    expect(html).toMatch(/<path class="track" d="M[\d.]+ [\d.]+(L[\d.]+ [\d.]+){5,}"/);
    expect(html).toMatch(/<svg class="plot"[^>]*aria-label="Altitude"/);
    expect(html).toContain(fingerprint);
    expect(html).not.toMatch(/https?:\/\//);
    expect(html).not.toMatch(/<script|\ssrc=|\shref=|url\(|@import/i);

    const browser = await launchBrowser();
    try {
      const context = await browser.newContext();
      // A file:// page's origin is "null": any request to anywhere else is foreign.
      const { page, guard } = await guardedPage(context, 'null');
      await page.goto(`file://${path.join(simCase, 'report.html')}`);
      expect(await page.locator('svg.map path.track').count()).toBe(1);
      const box = await page.locator('svg.map').boundingBox();
      expect(box!.width).toBeGreaterThan(300);
      expect(guard.foreign).toEqual([]);
      expect(guard.pageErrors).toEqual([]);
      expect(guard.consoleErrors).toEqual([]);
      expect(await guard.csp()).toEqual([]);
    } finally {
      await browser.close();
    }
  }, 60_000);
});

describe('rid-case export: hostile text, several recordings, tampering, mistakes', () => {
  it('a hostile Self-ID is shown escaped; the drone is found across two recordings', () => {
    const out = file('case-hostile');
    const r = cli('rid-case', ['export', '--uas', HOSTILE_ID, '--json', sim, hostile, out]);
    expect(r.status, r.stderr).toBe(0);
    const summary = JSON.parse(r.stdout) as { tracks: string[]; messages: number; verifications: { name: string; verified: boolean }[] };
    expect(summary.tracks).toHaveLength(1);
    expect(summary.messages).toBe(80);
    expect(summary.verifications.map((v) => [v.name, v.verified])).toEqual([['sim.cbor', true], ['hostile.cbor', true]]);
    const html = readFileSync(path.join(out, 'report.html'), 'utf8');
    expect(html).toContain(HOSTILE_ID);
    expect(html).toContain(HOSTILE_SHOWN);
    expect(html).not.toContain('<script>');
    // eslint-disable-next-line no-control-regex
    expect(html).not.toMatch(/[\x00-\x09\x0b-\x1f\x7f]/);
    expect(withoutHostile(html)).not.toMatch(/https?:\/\//);
    // The JSON keeps the exact text.
    const track = JSON.parse(readFileSync(path.join(out, 'drone-track.json'), 'utf8')) as { tracks: { selfId: string }[] };
    expect(track.tracks[0]!.selfId).toBe(HOSTILE_SELF_ID);
    const frames = (new Decoder(RECORDING_DECODER_OPTIONS).decodeMultiple(readFileSync(path.join(out, 'records.cbor'))) as Record<string, any>[]).slice(1);
    expect(new Set(frames.map((f) => f.recording))).toEqual(new Set([1]));
  });

  it('a tampered recording is packed, its verdict "altered" in verification.json and the report', () => {
    const bytes = readFileSync(sim);
    const values = new Decoder(RECORDING_DECODER_OPTIONS).decodeMultiple(bytes) as Record<string, unknown>[];
    const enc = new Encoder(RECORDING_ENCODER_OPTIONS);
    let offset = 0;
    const items = values.map((v) => {
      const b = Buffer.from(enc.encode(v));
      const item = { offset, bytes: b, value: v };
      offset += b.length;
      return item;
    });
    expect(offset).toBe(bytes.length);
    const k = items.findIndex((it, i) => i > items.length / 2 && it.value.kind === undefined);
    const tampered = Buffer.from(bytes);
    // The frame's last data byte (the chain fields follow the data).
    tampered[items[k]!.offset + items[k]!.bytes.indexOf(Buffer.from('seq')) - 2]! ^= 0x01;
    const rec = file('tampered.cbor');
    writeFileSync(rec, tampered);
    const out = file('case-tampered');
    const r = cli('rid-case', ['export', '--uas', SIM_ID, rec, out]);
    expect(r.status, r.stderr).toBe(3);
    expect(r.stderr).toMatch(/rid-case: WARNING: tampered\.cbor: ALTERED: /);
    const v = JSON.parse(readFileSync(path.join(out, 'verification.json'), 'utf8')) as Record<string, any>;
    expect(v.allVerified).toBe(false);
    expect(v.recordings[0]).toMatchObject({ name: 'tampered.cbor', status: 'altered', verified: false, sha256: sha256(rec), report: { problem: { record: k } } });
    const html = readFileSync(path.join(out, 'report.html'), 'utf8');
    expect(html).toMatch(/class="bad">WARNING: 1 of 1 recordings did NOT verify/);
    expect(html).toContain('ALTERED: ');
    expect(html).not.toContain('Every recording verified');
    expect(existsSync(path.join(out, 'records.cbor'))).toBe(true);
  });

  it('an unknown ID exits 1 naming the IDs heard, and makes no directory; an existing OUT needs --force', () => {
    const out = file('case-none');
    const r = cli('rid-case', ['export', '--uas', 'NO-SUCH-DRONE', sim, out]);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/^rid-case: no drone with the UAS ID NO-SUCH-DRONE in the recording\. Fix: give one of the IDs heard: .*4AB9AHKQ7A05LP8/);
    expect(existsSync(out)).toBe(false);

    const again = cli('rid-case', ['export', '--uas', SIM_ID, sim, simCase]);
    expect(again.status).toBe(2);
    expect(again.stderr).toMatch(/case-sim: it exists already: a case goes into a new directory\. Fix: .*--force/);
    const forced = cli('rid-case', ['export', '--uas', SIM_ID, '--force', sim, simCase]);
    expect(forced.status, forced.stderr).toBe(0);
    expect(spawnSync('sha256sum', ['-c', 'MANIFEST.sha256'], { cwd: simCase }).status).toBe(0);
    // --force never replaces an input.
    const self = cli('rid-case', ['export', '--uas', SIM_ID, '--force', path.join(simCase, 'records.cbor'), simCase]);
    expect(self.status).toBe(2);
    expect(self.stderr).toMatch(/records\.cbor: it is one of the files a case in .*case-sim replaces/);
    expect(spawnSync('sha256sum', ['-c', 'MANIFEST.sha256'], { cwd: simCase }).status).toBe(0);
    // An extract is a plain recording: it exports again, its verdict "not evidence" (exit 3).
    const reExport = cli('rid-case', ['export', '--uas', SIM_ID, '--json', path.join(simCase, 'records.cbor'), file('case-of-extract')]);
    expect(reExport.status, reExport.stderr).toBe(3);
    expect(reExport.stderr).toMatch(/rid-case: WARNING: records\.cbor: NOT EVIDENCE: /);
    expect((JSON.parse(reExport.stdout) as { verifications: { status: string }[] }).verifications[0]!.status).toBe('not-evidence');

    const missing = cli('rid-case', ['export', '--uas', SIM_ID, file('nothing.cbor'), file('case-x')]);
    expect(missing.status).toBe(2);
    expect(missing.stderr).toMatch(/rid-case: cannot open .*nothing\.cbor: no such file/);
  });
});
