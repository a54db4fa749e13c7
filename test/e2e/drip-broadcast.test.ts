/**
 * DRIP end to end, as users run it: `rid-keys` makes a registry (Apex -> RAA -> HDA -> UA) and a receiver's
 * trust store; `rid-broadcast --drip-key --drip-endorsement` signs into a pcapng on all four transports (the
 * simulated radios); `rid-scan --replay --trust` verifies offline — with every network entry point of Node
 * blocked. Forged Wrappers (a signature over other bytes than carried; a pack member altered after signing)
 * are forged with the reason; an unknown HDA is unverified; a BLE 4 page dropped from the capture with
 * editcap is rebuilt by FEC; garbage, mixed and truncated pages never crash rid-scan and never verify.
 * Captures that a transmitter could not make with its CLI (forgeries, damage) are made here with its parts.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, copyFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Ajv2020 from 'ajv/dist/2020.js';
import { decodeMessage, detToText, encodeMessage, type AuthMessage, type BroadcastTransport, type MessagePack } from '@odid/codec';
import { ManualClock, SimulatedFlightSource } from '@odid/position';
import { DEMO_IDENTITY_CONFIG, Scheduler, loadIdentity, withDripDet, type Transmission } from '@odid/transmitter';
import { loadUaSigner, readIdentity, type UaSigner } from '@odid/trust';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PcapngSink } from '../../packages/broadcaster/src/radios/pcapng-sink.js';
import { repoRoot } from '../support/fixtures.js';
import { guardedPage, launchBrowser, pageTracks, startMapServer, waitFor, type MapServer } from '../web/browser.js';
import { Random } from '../support/random.js';
import { TSX_NODE_ARGS, odid, runCli, runCliBinary } from '../support/run-cli.js';

const ALL: BroadcastTransport[] = ['ble-legacy', 'ble-extended', 'wifi-beacon', 'wifi-nan'];
const START = '2026-11-25T10:00:00Z';
const START_MS = Date.parse(START);
const dir = mkdtempSync(path.join(tmpdir(), 'odid-drip-e2e-'));
const keys = path.join(dir, 'keys');
const key = (name: string): string => path.join(keys, name);

interface TrackOut {
  uasId: string;
  flags: string[];
  drip?: { state: string; reason: string; det?: string; chain: string[]; evidence: Record<string, number>; link: string; linkStates: Record<string, string>; recoveredPages: number };
}

const ridKeys = (args: string[]): void => {
  const r = runCli('packages/trust/src/cli/rid-keys.ts', args);
  expect(r.status, r.stderr).toBe(0);
};

/** A trust store: these identity files as roots, these endorsements provisioned. */
function store(name: string, roots: string[], endorsements: string[]): string {
  const d = path.join(dir, name);
  mkdirSync(path.join(d, 'roots'), { recursive: true });
  mkdirSync(path.join(d, 'endorsements'), { recursive: true });
  for (const r of roots) copyFileSync(r, path.join(d, 'roots', path.basename(r)));
  for (const e of endorsements) copyFileSync(e, path.join(d, 'endorsements', path.basename(e)));
  return d;
}

let trusted: string;
let unknownHda: string;

beforeAll(() => {
  mkdirSync(keys);
  for (const [name, raa, hda] of [['apex', 0, 0], ['raa', 16376, 0], ['hda', 16376, 1], ['ua', 16376, 1]] as const) {
    ridKeys(['create', '--raa', String(raa), '--hda', String(hda), '--out', keys, '--name', name]);
  }
  const endorse = (parent: string, child: string, valid: string): void =>
    ridKeys(['endorse', '--parent', key(`${parent}.key.pem`), '--child', key(`${child}.id.json`), '--start', '2026-11-01T00:00:00Z', '--valid', valid, '--out', key(`${parent}-${child}.json`)]);
  endorse('apex', 'raa', '365d');
  endorse('raa', 'hda', '365d');
  endorse('hda', 'ua', '30d');
  trusted = store('trusted', [key('apex.id.json')], [key('apex-raa.json'), key('raa-hda.json')]);
  // Nobody in this store vouches for the HDA.
  unknownHda = store('unknown-hda', [key('apex.id.json')], [key('apex-raa.json')]);
}, 120_000);

/** rid-broadcast with the UA's key into a pcapng (simulated clock), written to `file`. */
function broadcast(file: string, transports: string[], extra: string[] = [], seconds = 60): string {
  const r = runCliBinary('packages/broadcaster/src/cli/rid-broadcast.ts', [
    '--config', path.join(repoRoot, 'packages/broadcaster/examples/eu-open.yaml'), '--position', 'sim', '--transport', transports.join(','),
    '--drip-key', key('ua.key.pem'), '--drip-endorsement', key('hda-ua.json'),
    '--pcapng', '-', '--duration', String(seconds), '--clock', 'simulated', '--start', START, ...extra,
  ]);
  expect(r.status, r.stderr).toBe(0);
  writeFileSync(file, r.stdout);
  return r.stderr;
}

/** rid-scan --replay FILE --trust STORE --json, with every network call blocked; its tracks and stderr. */
function scan(file: string, trust: string | undefined): { tracks: TrackOut[]; stderr: string; raw: unknown } {
  const r = spawnSync(
    process.execPath,
    [...TSX_NODE_ARGS, '--import', path.join(repoRoot, 'test/e2e/drip-no-network.ts'), path.join(repoRoot, 'packages/receiver/src/cli/rid-scan.ts'), '--replay', file, '--fast', '--once', '--json', ...(trust ? ['--trust', trust] : [])],
    { cwd: repoRoot, encoding: 'utf8', maxBuffer: 256 * 1024 * 1024, timeout: 120_000 },
  );
  expect(r.status, r.stderr).toBe(0);
  expect(r.stderr).toContain('network attempts: []; probe blocked: true');
  const raw = JSON.parse(r.stdout) as unknown;
  return { tracks: raw as TrackOut[], stderr: r.stderr, raw };
}

/** The scheduler's transmissions for `seconds`, signed by `signer`, edited, into a pcapng at `file`. */
async function capture(file: string, opts: { transports?: BroadcastTransport[]; signer?: UaSigner; edit?: (list: Transmission[]) => Transmission[]; seconds?: number } = {}): Promise<void> {
  const signer = opts.signer ?? loadUaSigner(key('ua.key.pem'), key('hda-ua.json'));
  const clock = new ManualClock(START_MS);
  const sim = new SimulatedFlightSource({ clock, intervalMs: 0 });
  await sim.start();
  const transports = opts.transports ?? ALL;
  const scheduler = new Scheduler({ identity: withDripDet(loadIdentity(DEMO_IDENTITY_CONFIG), signer.uaDet), transports, position: sim, clock, drip: { signer } });
  const list: Transmission[] = [];
  for (let next = scheduler.nextDue(); next <= START_MS + (opts.seconds ?? 60) * 1000; next = scheduler.nextDue()) {
    clock.set(next);
    list.push(...scheduler.due());
  }
  const chunks: Uint8Array[] = [];
  const sink = new PcapngSink({ write: (b) => void chunks.push(b) }, { ble: 'c4:11:22:33:44:55', wifi: '02:11:22:33:44:55' });
  const radios = new Map(transports.map((t) => [t, sink.radio(t)]));
  for (const r of radios.values()) await r.start();
  for (const t of opts.edit ? opts.edit(list) : list) await radios.get(t.transport)!.transmit(t);
  writeFileSync(file, Buffer.concat(chunks));
}

const only = (tracks: TrackOut[]): TrackOut => {
  expect(tracks).toHaveLength(1);
  return tracks[0]!;
};

describe('sign -> broadcast -> capture -> verify', () => {
  const file = path.join(dir, 'drip.pcapng');
  let logs: string;
  beforeAll(() => {
    logs = broadcast(file, ALL);
  }, 120_000);

  it('verified on all four transports, offline, each link on its own; the JSON is the documented one', () => {
    expect(logs).toMatch(/DRIP: signing as DET 2001:003f:fe00:0105:\S+, endorsed by 2001:003f:fe00:0105:\S+ until 2026-12-01T00:00:00Z/);
    const { tracks, raw } = scan(file, trusted);
    const t = only(tracks);
    const d = t.drip!;
    expect(d.state, d.reason).toBe('verified');
    expect(Object.keys(d.linkStates)).toHaveLength(4);
    expect(new Set(Object.keys(d.linkStates).map((k) => k.split(' ')[0]))).toEqual(new Set(ALL));
    expect(Object.values(d.linkStates)).toEqual(['verified', 'verified', 'verified', 'verified']);
    const ids = ['ua', 'hda', 'raa', 'apex'].map((n) => readIdentity(key(`${n}.id.json`)));
    expect(d.chain).toEqual(ids.map((i) => detToText(i.det)));
    expect(d.det).toBe(d.chain[0]);
    expect(t.flags).toEqual([]);
    // The documented shape (docs/schemas/track.schema.json).
    const ajv = new Ajv2020.default({ strict: true, allErrors: true });
    for (const f of ['message.schema.json', 'received-frame.schema.json', 'track.schema.json']) ajv.addSchema(JSON.parse(readFileSync(path.join(repoRoot, 'docs/schemas', f), 'utf8')) as object);
    const validate = ajv.getSchema('https://odid-toolkit.invalid/schemas/track.schema.json#/$defs/trackList')!;
    expect(validate(raw), JSON.stringify(validate.errors?.slice(0, 3))).toBe(true);
  });

  it('without --trust nothing changes: the same tracks, without drip', () => {
    const withTrust = scan(file, trusted).tracks.map(({ drip, ...rest }) => (expect(drip).toBeDefined(), rest));
    const without = scan(file, undefined).tracks;
    expect(without.some((t) => 'drip' in t)).toBe(false);
    expect(without).toEqual(withTrust);
  });

  it('the table marks it', () => {
    const r = runCli('packages/receiver/src/cli/rid-scan.ts', ['--replay', file, '--fast', '--once', '--trust', trusted]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toContain('DRIP-OK');
  });

  it('an unknown HDA: unverified, saying why', () => {
    const d = only(scan(file, unknownHda).tracks).drip!;
    expect(d.state).toBe('unverified');
    expect(d.reason).toMatch(/chain of trust incomplete: .* is endorsed by .*, whose key is unknown/);
  });

  it('a decoder sees DRIP pages: auth type 5, with FEC on BLE 4', () => {
    const lines = odid(['decode', file]).stdout.trim().split('\n').map((l) => JSON.parse(l) as { transport: string; message: AuthMessage & { type: string } });
    const auth = lines.filter((l) => l.message.type === 'auth');
    expect(new Set(auth.map((l) => l.transport))).toEqual(new Set(ALL));
    expect(auth.every((l) => l.message.authType === 5)).toBe(true);
    const legacyPage0 = auth.filter((l) => l.transport === 'ble-legacy' && l.message.dataPage === 0);
    // Link 137 bytes: 7 pages, 8 with FEC (last page index 7).
    expect(legacyPage0.some((l) => l.message.length === 137 && l.message.lastPageIndex === 7)).toBe(true);
  });
});

describe('the map (rid-scan --replay --trust --web, built)', () => {
  let browser: Browser;
  let server: MapServer;

  beforeAll(async () => {
    const file = path.join(dir, 'map.pcapng');
    broadcast(file, ['ble-legacy', 'wifi-beacon'], [], 30);
    [browser, server] = await Promise.all([launchBrowser(), startMapServer(['--replay', file, '--fast', '--trust', trusted])]);
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  it("the details panel shows the DRIP state and its reason, as text", async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    const { page, guard } = await guardedPage(context, server.origin);
    await page.goto(server.url);
    const track = await waitFor('the drone', async () => (await pageTracks(page))[0]);
    await page.locator(`#track-rows li[data-key="${track.key}"]`).click();
    await waitFor('its details', async () => ((await page.locator('#details-body [data-field="drip.state"]').count()) ? true : undefined));
    const field = (f: string) => page.locator(`#details-body [data-field="${f}"] td`).first().textContent();
    expect(await field('drip.state')).toBe('verified');
    expect(await field('drip.reason')).toMatch(/^signed by DET 2001:003f:fe00:0105:.*endorsed up to trusted root 2001:0030:/);
    expect(await field('drip.det')).toBe(detToText(readIdentity(key('ua.id.json')).det));
    expect(await field('drip.chain')).toBe(['hda', 'raa', 'apex'].map((n) => detToText(readIdentity(key(`${n}.id.json`)).det)).join(' ← '));
    expect(guard.pageErrors).toEqual([]);
    expect(guard.foreign).toEqual([]);
    await context.close();
  }, 60_000);
});

describe('a lost BLE 4 page', () => {
  it('dropped from the capture with editcap, rebuilt by FEC: still verified', () => {
    const file = path.join(dir, 'legacy.pcapng');
    broadcast(file, ['ble-legacy']);
    // The frame numbers of page 1 of every authentication message (a data page, never the parity page).
    const lines = odid(['decode', file]).stdout.trim().split('\n').map((l) => JSON.parse(l) as { frame: number; message: { type: string; dataPage?: number } });
    const drop = lines.filter((l) => l.message.type === 'auth' && l.message.dataPage === 1).map((l) => String(l.frame));
    expect(drop.length).toBeGreaterThan(10);
    const cut = path.join(dir, 'legacy-cut.pcapng');
    const e = spawnSync('editcap', [file, cut, ...drop], { encoding: 'utf8' });
    if (e.error) throw new Error(`editcap could not run (${e.error.message}): run scripts/setup.sh`);
    expect(e.status, e.stderr).toBe(0);
    expect(odid(['decode', cut]).stdout.trim().split('\n')).toHaveLength(lines.length - drop.length);
    const d = only(scan(cut, trusted).tracks).drip!;
    expect(d.state, d.reason).toBe('verified');
    expect(d.recoveredPages).toBeGreaterThanOrEqual(drop.length - 1);
  }, 60_000);
});

describe('forged', () => {
  it('a Wrapper signed over other bytes than it carries (a wrapped message altered after signing): forged, with the reason', async () => {
    const genuine = loadUaSigner(key('ua.key.pem'), key('hda-ua.json'));
    const forging: UaSigner = {
      ...genuine,
      // The signed bytes of a Wrapper of four messages (VNB, VNA, 100 bytes, DET): one bit of a message flipped.
      sign: (m) => genuine.sign(m.length === 124 ? Uint8Array.from(m, (b, i) => (i === 70 ? b ^ 1 : b)) : m),
    };
    const file = path.join(dir, 'forged-signature.pcapng');
    await capture(file, { signer: forging });
    const t = only(scan(file, trusted).tracks);
    expect(t.drip!.state).toBe('forged');
    expect(t.drip!.reason).toMatch(/its DRIP Wrapper \(VNB \d+\) has a signature that does not verify with the key of DET 2001:003f:fe00:0105/);
    expect(t.flags).toContain('drip-forged');
  }, 60_000);

  it('a pack member altered after its extended Wrapper signed it: forged', async () => {
    const file = path.join(dir, 'forged-pack.pcapng');
    await capture(file, {
      transports: ['wifi-beacon'],
      edit: (list) =>
        list.map((t) => {
          const pack = decodeMessage(t.payload) as MessagePack;
          const wrapped = pack.messages.some((m) => m.type === 'auth' && m.dataPage === 0 && m.authData.startsWith('02'));
          if (!wrapped) return t;
          // The System member's operator position moved after signing.
          const messages = pack.messages.map((m) => (m.type === 'system' ? { ...m, operatorLatitude: m.operatorLatitude + 0.001 } : m));
          return { ...t, payload: encodeMessage({ ...pack, messages }) };
        }),
    });
    const d = only(scan(file, trusted).tracks).drip!;
    expect(d.state).toBe('forged');
    expect(d.reason).toMatch(/Wrapper .* signature that does not verify/);
  }, 60_000);
});

describe('hostile pages', () => {
  it('garbage, mixed and truncated pages on every transport: rid-scan ends normally, nothing verifies', async () => {
    const r = new Random(0xe2ed);
    const isAuthPage = (t: Transmission): boolean => t.messageType === 'auth';
    const packAuth = (t: Transmission): AuthMessage[] => (t.messageType ? [] : (decodeMessage(t.payload) as MessagePack).messages.filter((m): m is AuthMessage => m.type === 'auth'));
    const edits: Record<string, (list: Transmission[]) => Transmission[]> = {
      garbage: (list) =>
        list.map((t) => {
          if (isAuthPage(t)) return { ...t, payload: Uint8Array.of(...t.payload.subarray(0, 2), ...r.bytes(23)) };
          if (!packAuth(t).length) return t;
          const pack = decodeMessage(t.payload) as MessagePack;
          return { ...t, payload: encodeMessage({ ...pack, messages: pack.messages.map((m) => (m.type === 'auth' ? { ...m, authData: Buffer.from(r.bytes(m.dataPage === 0 ? 17 : 23)).toString('hex') } : m)) }) };
        }),
      mixed: (list) => {
        // BLE 4 pages dealt out in another order; each pack's pages swapped with another pack's.
        const slots = list.flatMap((t, i) => (isAuthPage(t) ? [i] : []));
        const payloads = r.shuffle(slots.map((i) => list[i]!.payload));
        const packs = list.flatMap((t, i) => (packAuth(t).length ? [i] : []));
        const pages = r.shuffle(packs.map((i) => packAuth(list[i]!)));
        return list.map((t, i) => {
          if (isAuthPage(t)) return { ...t, payload: payloads[slots.indexOf(i)]! };
          const k = packs.indexOf(i);
          if (k < 0) return t;
          const pack = decodeMessage(t.payload) as MessagePack;
          const others = pack.messages.filter((m) => m.type !== 'auth').slice(0, 9 - pages[k]!.length);
          return { ...t, payload: encodeMessage({ ...pack, messages: [...others.slice(0, 1), ...pages[k]!, ...others.slice(1)] }) };
        });
      },
      truncated: (list) =>
        list.flatMap((t) => {
          if (isAuthPage(t)) return (decodeMessage(t.payload) as AuthMessage).dataPage < 3 ? [t] : [];
          if (!packAuth(t).length) return [t];
          const pack = decodeMessage(t.payload) as MessagePack;
          return [{ ...t, payload: encodeMessage({ ...pack, messages: pack.messages.filter((m) => m.type !== 'auth' || m.dataPage < 3) }) }];
        }),
    };
    for (const [name, edit] of Object.entries(edits)) {
      const file = path.join(dir, `hostile-${name}.pcapng`);
      await capture(file, { edit, seconds: 40 });
      const { tracks } = scan(file, trusted);
      for (const t of tracks) {
        expect(t.drip, name).toBeDefined();
        expect(t.drip!.state, `${name}: ${t.drip!.reason}`).not.toBe('verified');
        // (Mixed: a pack may carry another pack's whole, genuine Manifest, whose signature does verify.)
        if (name !== 'mixed') expect(t.drip!.evidence.verifiedSignatures, name).toBe(0);
      }
    }
  }, 180_000);
});

describe('rid-broadcast refuses what would broadcast a forgery', () => {
  it('an expired endorsement, a key it is not of, one of the two options alone; the config names them too', () => {
    const run = (args: string[]) => runCli('packages/broadcaster/src/cli/rid-broadcast.ts', ['--position', 'sim', '--dry-run', '--clock', 'simulated', '--duration', '1', ...args]);
    const late = run(['--start', '2027-06-01T00:00:00Z', '--drip-key', key('ua.key.pem'), '--drip-endorsement', key('hda-ua.json')]);
    expect(late.status).toBe(2);
    expect(late.stderr).toMatch(/hda-ua\.json: the endorsement is expired at 2026-12-01T00:00:00Z .*receivers would take the drone for forged/);
    const wrongKey = run(['--start', START, '--drip-key', key('hda.key.pem'), '--drip-endorsement', key('hda-ua.json')]);
    expect(wrongKey.status).toBe(2);
    expect(wrongKey.stderr).toContain('whose key is not the private key given');
    expect(run(['--drip-key', key('ua.key.pem')]).status).toBe(2);
    // drip: { key, endorsement } in the config, relative to it: the DET announced in the dry run's Basic IDs.
    const config = path.join(keys, 'drone.yaml');
    writeFileSync(config, `regime: eu\nuaType: helicopter-or-multirotor\nids: [{ type: serial, value: 1581F5FJD228400X0S2K }]\ndrip: { key: ua.key.pem, endorsement: hda-ua.json }\n`);
    const ok = run(['--config', config, '--start', START, '--transport', 'ble-legacy']);
    expect(ok.status, ok.stderr).toBe(0);
    const det = readIdentity(key('ua.id.json')).det;
    const hex = Buffer.from(det).toString('hex');
    expect(ok.stdout).toContain(`01${hex}`);
    expect(ok.stdout.split('\n').some((l) => l.includes('"authType":5'))).toBe(true);
  }, 60_000);
});
