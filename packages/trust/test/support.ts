/**
 * What the trust tests share: rid-keys run in-process, a test registry (Apex -> RAA -> HDA -> UA) built with
 * it in a temporary directory, and a drone that broadcasts clear messages and DRIP structures signed with the
 * UA's key from that registry.
 */
import { mkdirSync, mkdtempSync, copyFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  dripTime,
  encodeDripAuth,
  encodeMessage,
  signDrip,
  toHex,
  type DripLink,
  type DripManifest,
  type DripWrapper,
  type SingleMessageInput,
} from '@odid/codec';
import { dripHash, linkHash, loadKeyPair, makeManifest, nodeEd25519, readEndorsement, runRidKeys, type DripKeyPair } from '../src/index.js';

export const tempDir = (label: string): string => mkdtempSync(path.join(tmpdir(), `odid-trust-${label}-`));

export interface CliRun {
  status: number;
  out: string[];
  err: string[];
}

/** rid-keys in this process, with its clock at `nowMs`. */
export async function ridKeys(args: string[], nowMs = Date.now()): Promise<CliRun> {
  const out: string[] = [];
  const err: string[] = [];
  const status = await runRidKeys(args, { out: (l) => out.push(l), err: (l) => err.push(l), now: () => nowMs });
  return { status, out, err };
}

async function ok(args: string[], nowMs: number): Promise<CliRun> {
  const r = await ridKeys(args, nowMs);
  if (r.status !== 0) throw new Error(`rid-keys ${args.join(' ')} -> ${r.status}: ${r.err.join(' / ')}`);
  return r;
}

export interface Registry {
  dir: string;
  /** The key and identity files of each level. */
  files: Record<'apex' | 'raa' | 'hda' | 'ua', { key: string; id: string }>;
  /** Endorsement files. */
  apexRaa: string;
  raaHda: string;
  hdaUa: string;
  ua: DripKeyPair;
  /** The UA's Broadcast Endorsement as the drone sends it. */
  uaLink: DripLink;
}

/**
 * Apex (RAA 0, HDA 0) -> RAA (16376, 0) -> HDA (16376, 1) -> UA (16376, 1), all made with rid-keys at
 * `nowMs`; `hdaUa` lets the UA's endorsement start and last as a test needs.
 */
export async function buildRegistry(nowMs: number, hdaUa: { start?: string; valid?: string } = {}): Promise<Registry> {
  const dir = tempDir('registry');
  const levels = { apex: [0, 0], raa: [16376, 0], hda: [16376, 1], ua: [16376, 1] } as const;
  const files = {} as Registry['files'];
  for (const [name, [raa, hda]] of Object.entries(levels)) {
    await ok(['create', '--raa', String(raa), '--hda', String(hda), '--out', dir, '--name', name], nowMs);
    files[name as keyof typeof levels] = { key: path.join(dir, `${name}.key.pem`), id: path.join(dir, `${name}.id.json`) };
  }
  const endorse = async (parent: 'apex' | 'raa' | 'hda', child: 'raa' | 'hda' | 'ua', out: string, valid = '365d', start?: string): Promise<string> => {
    const file = path.join(dir, out);
    await ok(['endorse', '--parent', files[parent].key, '--child', files[child].id, '--valid', valid, ...(start ? ['--start', start] : []), '--out', file], nowMs);
    return file;
  };
  const apexRaa = await endorse('apex', 'raa', 'apex-raa.json');
  const raaHda = await endorse('raa', 'hda', 'raa-hda.json');
  const hdaUaFile = await endorse('hda', 'ua', 'hda-ua.json', hdaUa.valid ?? '30d', hdaUa.start);
  return { dir, files, apexRaa, raaHda, hdaUa: hdaUaFile, ua: loadKeyPair(files.ua.key), uaLink: readEndorsement(hdaUaFile) };
}

/** A trust store directory: these identity files as roots, these endorsement files provisioned. */
export function storeDir(roots: string[], endorsements: string[]): string {
  const dir = tempDir('store');
  mkdirSync(path.join(dir, 'roots'));
  mkdirSync(path.join(dir, 'endorsements'));
  for (const r of roots) copyFileSync(r, path.join(dir, 'roots', path.basename(r)));
  for (const e of endorsements) copyFileSync(e, path.join(dir, 'endorsements', path.basename(e)));
  return dir;
}

/** The clear messages of a drone whose Basic ID announces `det` (session ID type 1). */
export function clearMessages(det: Uint8Array, lat = 52.52): Uint8Array[] {
  const msgs: SingleMessageInput[] = [
    { type: 'basicId', idType: 4, uaType: 2, uasIdHex: `01${toHex(det)}000000` },
    { type: 'location', status: 2, direction: 90, speedHorizontal: 5, speedVertical: 0, latitude: lat, longitude: 13.4, altitudeBaro: 100, altitudeGeo: 110, heightType: 0, height: 50, horizAccuracy: 10, vertAccuracy: 4, baroAccuracy: 3, speedAccuracy: 2, tsAccuracy: 1, timestamp: 1200 },
    { type: 'system', operatorLocationType: 0, classificationType: 0, operatorLatitude: 52.5, operatorLongitude: 13.4, areaCount: 1, areaRadius: 0, areaCeiling: -1000, areaFloor: -1000, categoryEU: 0, classEU: 0, operatorAltitudeGeo: -1000, timestamp: 230_000_000 },
  ];
  return msgs.map((m) => encodeMessage(m));
}

const uaSign = (ua: DripKeyPair) => (message: Uint8Array): Uint8Array => nodeEd25519.sign!(ua.privateKey, message);

/** A Wrapper of `messages` signed by the UA, valid from `nowMs` for 5 minutes: its authentication data. */
export function wrapperAuth(ua: DripKeyPair, messages: Uint8Array[], nowMs: number, opts: { extended?: boolean } = {}): Uint8Array {
  const vnb = dripTime(nowMs);
  return encodeDripAuth(signDrip<DripWrapper>({ type: 'wrapper', vnb, vna: vnb + 300, messages, extended: opts.extended ?? false, uaDet: ua.identity.det }, uaSign(ua)));
}

/** A Manifest of the hashes of `messages` (and of the UA's endorsement), signed by the UA. */
export function manifestAuth(ua: DripKeyPair, link: DripLink, messages: Uint8Array[], nowMs: number, opts: { linkHashOf?: (l: DripLink) => Uint8Array; hashes?: Uint8Array[] } = {}): Uint8Array {
  const vnb = dripTime(nowMs);
  const m = makeManifest({ vnb, vna: vnb + 300, uaDet: ua.identity.det, previousHash: new Uint8Array(8), linkHash: (opts.linkHashOf ?? linkHash)(link), messageHashes: opts.hashes ?? messages.map(dripHash) });
  return encodeDripAuth(signDrip<DripManifest>(m, uaSign(ua)));
}
