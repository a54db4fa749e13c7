/**
 * One error base for the whole toolkit: every error class in every package is a ToolkitError with a stable
 * code, a reason, and (where the user can act) a fix, its message composed from them. Each package's errors
 * are made here as the package makes them; and every `class …Error extends` in the sources must be one of
 * them, so an ad-hoc error class cannot come back unnoticed.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { DecodeError, DecompressError, EncodeError, ToolkitError } from '@odid/codec';
import { FileTooLargeError, OutputPathError, UsageError } from '@odid/commands';
import { createPositionSource, ManualClock, NmeaError, PositionSourceError, PositionSpecError, RouteError } from '@odid/position';
import { IdentityError } from '@odid/transmitter';
import { TrustError } from '@odid/trust';
import { RadioError } from '@odid/broadcaster';
import { AllowListError, BleSourceError, CaseError, ReceiverKeyError, MqttError, MqttWireError, RecordingError, SpoolError, WifiSourceError, ZonesError, findOutputScheme } from '@odid/receiver';
import { HciCapabilityError, HciError, HciOpenError, HciParameterError } from '../../packages/broadcaster/src/radios/hci/errors.js';
import { ReturnParametersError } from '../../packages/broadcaster/src/radios/hci/events.js';
import { CborItemError } from '../../packages/receiver/src/outputs/cbor-items.js';
import { repoRoot } from '../support/fixtures.js';

/** One of each, made with the arguments its package gives it. */
const samples: Record<string, ToolkitError> = {
  ToolkitError: new ToolkitError('no-transport', 'no transport could start', { fix: 'use --pcapng FILE' }),
  DecodeError: new DecodeError('truncated', 3, 'need 25 bytes', 'pack[1]'),
  EncodeError: new EncodeError('out-of-range', 'location.speedHorizontal', 300, '0..254.25'),
  DecompressError: new DecompressError('corrupt', 'gzip', 1234, 'bad block type 3'),
  CborItemError: new CborItemError(17, 'reserved additional information 28 for major type 0'),
  ReceiverKeyError: new ReceiverKeyError('no-key', '/var/lib/odid/receiver-key.pem', 'no key file there', 'give --key FILE'),
  UsageError: new UsageError('bad-value', '--speed must be a number > 0 (got "0")'),
  OutputPathError: new OutputPathError('exists', '--record x.cbor', 'already exists (9 bytes)', 'give --force to overwrite it, or another name'),
  FileTooLargeError: new FileTooLargeError(1 << 20, 'configs are a few hundred bytes'),
  NmeaError: new NmeaError('bad checksum', '$GPGGA,*00'),
  RouteError: new RouteError('route.speed', 'must be > 0'),
  PositionSourceError: new PositionSourceError('unreachable', 'gpsd not reachable at 127.0.0.1:2947', 'start gpsd'),
  PositionSpecError: new PositionSpecError('unknown-scheme', 'gps:x', 'unknown kind of source', { fix: 'use one of sim' }),
  IdentityError: new IdentityError('ids', 'at least one UAS ID is required'),
  RadioError: new RadioError('permission', 'ble-legacy', 'no permission to open hci0', 'run as root'),
  HciError: new HciError('timeout', 0x1001, undefined, 'no answer within 500 ms'),
  HciParameterError: new HciParameterError('LE Set Advertising Parameters', 'Advertising_Interval_Min', 1, '0x20..0x4000'),
  HciOpenError: new HciOpenError('EPERM', 'hci0', 'no permission to open hci0', 'run as root'),
  HciCapabilityError: new HciCapabilityError('no-coded-phy', 'hci0 has no LE Coded PHY', 'use a Bluetooth 5 adapter'),
  ReturnParametersError: new ReturnParametersError('Read BD_ADDR: expected 6 return octets after Status, got 2'),
  BleSourceError: new BleSourceError('permission', 'no permission to open hci0', 'run as root'),
  WifiSourceError: new WifiSourceError('not-installed', 'tcpdump is not installed', 'apt-get install tcpdump'),
  ZonesError: new ZonesError('not-json', 'zones.geojson', 'not valid JSON: line 1, column 1: unexpected end'),
  AllowListError: new AllowListError('invalid', 'allow.csv', 'line 2: a quoted cell is not closed'),
  RecordingError: new RecordingError('unsupported-version', 0, 'recording version 9 is newer than this reader (1)', 'update the receiver'),
  MqttError: new MqttError('bad-credentials', 'the broker refused user "rx": wrong user name or password', { subject: 'mqtt://127.0.0.1:1883', fix: 'check --mqtt-user and the password' }),
  MqttWireError: new MqttWireError('unsupported-version', 'frames message has schema version 2; this hub reads version 1'),
  SpoolError: new SpoolError('write-failed', 'cannot write to the spool (ENOSPC): its frames are dropped and counted', '/var/spool/odid'),
  CaseError: new CaseError('out-exists', 'it exists already: a case goes into a new directory', { subject: 'case-1', fix: 'name a new directory, or give --force' }),
  TrustError: new TrustError('exists', 'keys/ua.key.pem', 'already exists', 'give --force to replace it, or another name'),
};

/** Every `class NameError extends Base` in the packages' sources. */
function declaredErrorClasses(): string[] {
  const names: string[] = [];
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const p = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(p);
      else if (entry.name.endsWith('.ts')) for (const m of readFileSync(p, 'utf8').matchAll(/\bclass\s+(\w+Error)\s+extends\b/g)) names.push(m[1]!);
    }
  };
  for (const pkg of readdirSync(path.join(repoRoot, 'packages'))) walk(path.join(repoRoot, 'packages', pkg, 'src'));
  return names;
}

describe('every error is a ToolkitError', () => {
  it.each(Object.entries(samples))('%s: instance of ToolkitError, with its name, a code and a reason', (name, e) => {
    expect(e).toBeInstanceOf(ToolkitError);
    expect(e).toBeInstanceOf(Error);
    expect(e.name).toBe(name);
    expect(e.code).toMatch(/^[a-zA-Z][\w-]*$/);
    expect(e.reason.length).toBeGreaterThan(0);
    expect(e.message).toContain(e.reason);
    if (e.fix) expect(e.message).toContain(e.fix);
    expect(e.message).toContain(e.headline);
  });

  it('every error class declared in the packages is among them', () => {
    const declared = declaredErrorClasses();
    expect(declared.length).toBeGreaterThan(0);
    expect(declared.filter((n) => !(n in samples))).toEqual([]);
  });

  it('the message is "SUBJECT: REASON. Fix: FIX", or "SUBJECT: REASON; FIX" for what the user typed', () => {
    expect(samples.RadioError!.message).toBe('ble-legacy: no permission to open hci0. Fix: run as root');
    expect(samples.BleSourceError!.message).toBe('ble: no permission to open hci0. Fix: run as root');
    expect(samples.OutputPathError!.message).toBe('--record x.cbor: already exists (9 bytes); give --force to overwrite it, or another name');
    // The codec's own wording stays: decode errors end with the byte offset.
    expect(samples.DecodeError!.message).toBe('pack[1]: need 25 bytes (byte 3)');
    expect(samples.EncodeError!.message).toBe('location.speedHorizontal: 300 is not allowed; expected 0..254.25');
    expect(samples.IdentityError!.message).toBe('identity: ids: at least one UAS ID is required');
  });

  it('what the registries refuse are coded usage errors', () => {
    const thrown = (f: () => unknown): unknown => {
      try {
        f();
      } catch (e) {
        return e;
      }
      throw new Error('nothing thrown');
    };
    const position = thrown(() => createPositionSource('gps:/dev/ttyUSB0', { clock: new ManualClock() }));
    expect(position).toBeInstanceOf(PositionSpecError);
    expect(position).toBeInstanceOf(UsageError);
    expect((position as ToolkitError).code).toBe('unknown-scheme');
    const output = thrown(() => findOutputScheme('--out', 'tracks.txt'));
    expect(output).toBeInstanceOf(UsageError);
    expect((output as ToolkitError).code).toBe('unknown-scheme');
  });
});
