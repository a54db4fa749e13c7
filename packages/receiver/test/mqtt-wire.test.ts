/**
 * The MQTT pieces that need no broker: the CBOR messages (round trip, and hostile input refused with a
 * typed error), topic IDs, the spool (bounded, in order, on disk across a restart, a torn record cut off),
 * the clock-offset estimate, a transmission's identity across capture formats, and the hub's batch
 * bookkeeping (resends, gaps, runs).
 */

import { mkdtempSync, readdirSync, rmSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Encoder } from 'cbor-x';
import { buildAirFrames, encodeMessage, LINKTYPE, ToolkitError } from '@odid/codec';
import { UsageError } from '@odid/commands';
import { ClockOffset } from '../src/hub/clock-offset.js';
import { FirstCopies, transmissionOf } from '../src/hub/duplicates.js';
import { HubReceivers } from '../src/hub/receivers.js';
import { renderReceivers } from '../src/hub/receivers-table.js';
import { loadMqttSecurity, parseBrokerUrl } from '../src/outputs/mqtt-connect.js';
import { publishPlan } from '../src/outputs/mqtt-publish.js';
import { decodeFrameBatch, decodeStatus, encodeFrameBatch, encodeStatus, MAX_BATCH_BYTES, MqttWireError, stampSent } from '../src/outputs/mqtt-schema.js';
import { DiskSpool, MemorySpool, parseByteSize } from '../src/outputs/mqtt-spool.js';
import { checkTopicLevel, parseTopic, receiverIdFrom, siteFilter, topicOf } from '../src/outputs/mqtt-topics.js';

const scratch = mkdtempSync(join(tmpdir(), 'odid-mqtt-wire-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

const PACK = encodeMessage({ type: 'messagePack', messages: [{ type: 'basicId', idType: 1, uaType: 2, uasId: '1596F0123456789A' }] });
const beacon = (rssi: number, counter = 7): Uint8Array => buildAirFrames({ transport: 'wifi-beacon', address: '02:00:00:00:00:01', counter, payload: PACK, rssi })[0]!.data;
const plain = new Encoder({ useRecords: false, tagUint8Array: false });

describe('frames and status messages', () => {
  it('a batch round-trips, and its `sent` can be restamped in place', () => {
    const data = beacon(-60);
    const bytes = encodeFrameBatch({ rx: 'north-gate', boot: 1_750_000_000_000, seq: 41, frames: [{ t: 1750000001.25, linkType: 127, data, transport: 'wifi-beacon', address: '02:00:00:00:00:01', rssi: -60, channel: 6 }, { t: 1750000001.5, linkType: 127, data }] }, 1750000001.75);
    const batch = decodeFrameBatch(bytes);
    expect(batch).toMatchObject({ rx: 'north-gate', boot: 1_750_000_000_000, seq: 41, sent: 1750000001.75 });
    expect(batch.frames[0]).toEqual({ t: 1750000001.25, linkType: 127, data: expect.any(Uint8Array), transport: 'wifi-beacon', address: '02:00:00:00:00:01', rssi: -60, channel: 6 });
    expect([...batch.frames[0]!.data]).toEqual([...data]);
    expect(batch.frames[1]).toEqual({ t: 1750000001.5, linkType: 127, data: expect.any(Uint8Array) });
    stampSent(bytes, 1750000099.5);
    expect(decodeFrameBatch(bytes).sent).toBe(1750000099.5);
  });

  it('a status round-trips; unknown keys from a newer receiver are ignored', () => {
    const s = { rx: 'r', boot: 1, sent: 2.5, online: true, position: { lat: 52.5, lon: 13.4, alt: 40 }, frames: 10, rate: 2.5, dropped: { overload: 1, spool: 2 }, spool: { frames: 3, bytes: 400, max: 1000 } };
    expect(decodeStatus(encodeStatus(s))).toEqual(s);
    expect(decodeStatus(plain.encode({ v: 1, rx: 'r', boot: 1, sent: 2, online: false, futureField: [1, 2] }))).toEqual({ rx: 'r', boot: 1, sent: 2, online: false });
  });

  const refused: [string, Uint8Array, string][] = [
    ['not CBOR', Uint8Array.of(0xff, 0x00), 'not-cbor'],
    ['a CBOR array', plain.encode([1, 2]), 'bad-field'],
    ['another schema version', plain.encode({ v: 2, rx: 'r', boot: 1, seq: 0, sent: 1, frames: [] }), 'unsupported-version'],
    ['a receiver ID with a wildcard', plain.encode({ v: 1, rx: 'r/#', boot: 1, seq: 0, sent: 1, frames: [] }), 'bad-field'],
    ['a negative batch number', plain.encode({ v: 1, rx: 'r', boot: 1, seq: -1, sent: 1, frames: [] }), 'bad-field'],
    ['frames that are not a list', plain.encode({ v: 1, rx: 'r', boot: 1, seq: 0, sent: 1, frames: 'x' }), 'bad-field'],
    ['a frame without bytes', plain.encode({ v: 1, rx: 'r', boot: 1, seq: 0, sent: 1, frames: [[1, 127, 'text']] }), 'bad-field'],
    ['a frame time that is not finite', plain.encode({ v: 1, rx: 'r', boot: 1, seq: 0, sent: 1, frames: [[NaN, 127, new Uint8Array(3)]] }), 'bad-field'],
    ['a frame of 9000 bytes', plain.encode({ v: 1, rx: 'r', boot: 1, seq: 0, sent: 1, frames: [[1, 127, new Uint8Array(9000)]] }), 'bad-field'],
    ['a message over the size bound', new Uint8Array(MAX_BATCH_BYTES + 1), 'too-large'],
  ];
  it.each(refused)('refuses %s with a typed MqttWireError', (_name, bytes, code) => {
    let err: unknown;
    try {
      decodeFrameBatch(bytes);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(MqttWireError);
    expect(err).toBeInstanceOf(ToolkitError);
    expect((err as MqttWireError).code).toBe(code);
  });

  it("keeps a receiver's decoded extras only when well formed (the hub decodes the bytes itself)", () => {
    const b = decodeFrameBatch(plain.encode({ v: 1, rx: 'r', boot: 1, seq: 0, sent: 1, frames: [[1, 127, new Uint8Array(4), 'smoke-signal', 'not a mac', 999, -3]] }));
    expect(b.frames[0]).toEqual({ t: 1, linkType: 127, data: expect.any(Uint8Array) });
  });
});

describe('topics and options', () => {
  it('builds and reads the topic tree; only our own topics are taken', () => {
    expect(topicOf('stadium', 'north-gate', 'frames')).toBe('rid/stadium/north-gate/frames');
    expect(siteFilter('stadium')).toBe('rid/stadium/+/+');
    expect(parseTopic('rid/stadium/north-gate/status')).toEqual({ site: 'stadium', receiver: 'north-gate', kind: 'status' });
    for (const t of ['rid/stadium/north-gate', 'rid/stadium/a/b/frames', 'other/stadium/a/frames', 'rid/stadium/a/config', 'rid/st adium/a/frames']) expect(parseTopic(t), t).toBeUndefined();
  });

  it('refuses site and receiver IDs that would change the tree', () => {
    for (const bad of ['', 'a/b', 'a+', '#', '$SYS', 'a b', 'é', 'x'.repeat(65)]) expect(() => checkTopicLevel('--site', bad), bad).toThrow(UsageError);
    expect(checkTopicLevel('--site', 'Stadium_2.north-A')).toBe('Stadium_2.north-A');
    expect(receiverIdFrom('rx 01.local')).toBe('rx-01.local');
    expect(receiverIdFrom('###')).toBe('rx');
  });

  it('takes mqtt:// and mqtts:// with their default ports; nothing else', () => {
    expect(parseBrokerUrl('--publish', 'mqtt://broker')).toEqual({ protocol: 'mqtt', host: 'broker', port: 1883 });
    expect(parseBrokerUrl('--publish', 'mqtts://[::1]')).toEqual({ protocol: 'mqtts', host: '::1', port: 8883 });
    for (const bad of ['broker:1883', 'http://broker', 'mqtt://u:p@broker', 'mqtt://broker/path', 'mqtt://broker:0']) expect(() => parseBrokerUrl('--publish', bad), bad).toThrow(UsageError);
  });

  it('reads the password from the environment or a file, never an option; TLS files only with mqtts://', () => {
    const t = parseBrokerUrl('--publish', 'mqtt://b');
    expect(loadMqttSecurity(t, { mqttUser: 'rx' }, { ODID_MQTT_PASSWORD: 's3cret' })).toEqual({ username: 'rx', password: 's3cret' });
    const file = join(scratch, 'password');
    writeFileSync(file, 'from-file\nignored\n');
    expect(loadMqttSecurity(t, { mqttUser: 'rx', mqttPasswordFile: file }, {})).toEqual({ username: 'rx', password: 'from-file' });
    expect(() => loadMqttSecurity(t, { mqttUser: 'rx' }, {})).toThrow(/never taken from the command line/);
    expect(() => loadMqttSecurity(t, { mqttCa: file }, {})).toThrow(/TLS files need an mqtts:\/\/ broker/);
    expect(() => loadMqttSecurity(parseBrokerUrl('--publish', 'mqtts://b'), { mqttCert: file }, {})).toThrow(/needs its key/);
  });

  it('checks the --publish options together, sizes as people write them', () => {
    expect(parseByteSize('100MB')).toBe(100_000_000);
    expect(parseByteSize('512 KiB')).toBe(512 * 1024);
    expect(parseByteSize('1.5g')).toBe(1_500_000_000);
    expect(parseByteSize('lots')).toBeUndefined();
    const plan = publishPlan({ publish: 'mqtt://b', site: 's', receiverId: 'r', spoolMax: '1MiB', spool: join(scratch, 'new-spool') }, {});
    expect(plan).toMatchObject({ site: 's', receiver: 'r', spoolMaxBytes: 1 << 20, spoolDir: join(scratch, 'new-spool') });
    expect(() => publishPlan({ publish: 'mqtt://b', spoolMax: '1KB' }, {})).toThrow(/--spool-max/);
    expect(() => publishPlan({ spool: scratch }, {})).toThrow(/goes with --publish/);
    expect(() => publishPlan({ publish: 'mqtt://b', spool: file('not-a-dir') }, {})).toThrow(/not a directory/);
  });
});

function file(name: string): string {
  const p = join(scratch, name);
  writeFileSync(p, 'x');
  return p;
}

const record = (i: number, size = 100): { bytes: Uint8Array; frames: number } => ({ bytes: new Uint8Array(size).fill(i & 0xff), frames: i + 1 });

describe('the spool', () => {
  it('in memory: first in, first out; past its bound the oldest go, counted', () => {
    const s = new MemorySpool(1000);
    for (let i = 0; i < 15; i++) s.push(record(i));
    expect(s.bytes).toBe(1000);
    // Records 0..4 (1+2+3+4+5 frames) made room.
    expect(s.droppedFrames).toBe(15);
    const out: number[] = [];
    for (let r = s.peek(); r; r = s.peek()) {
      out.push(r.bytes[0]!);
      s.shift();
    }
    expect(out).toEqual([5, 6, 7, 8, 9, 10, 11, 12, 13, 14]);
    expect(s.frames).toBe(0);
  });

  it('on disk: in order, bounded, and what a run left is sent by the next; a record cut by a crash is cut off', () => {
    const dir = join(scratch, 'disk');
    const a = new DiskSpool(dir, 64 * 1024);
    for (let i = 0; i < 40; i++) a.push(record(i, 1000));
    expect(a.frames).toBe((40 * 41) / 2);
    a.shift();
    a.shift();
    a.close();
    // A crash while appending: the last record is cut short.
    const last = readdirSync(dir).sort().pop()!;
    truncateSync(join(dir, last), statSync(join(dir, last)).size - 10);
    const b = new DiskSpool(dir, 64 * 1024);
    const got: number[] = [];
    for (let r = b.peek(); r; r = b.peek()) {
      got.push(r.bytes[0]!);
      b.shift();
    }
    // Records 0 and 1 were sent before the restart: they may come again, which the hub recognises; the
    // torn record 39 is gone. Whole segments read to their end are removed.
    expect(got.slice(-3)).toEqual([36, 37, 38]);
    expect(got).toEqual([...got].sort((x, y) => x - y));
    expect(got).not.toContain(39);
    expect(readdirSync(dir)).toEqual([]);
    b.close();
  });

  it('on disk: past its bound the oldest segments go, their frames counted', () => {
    const s = new DiskSpool(join(scratch, 'bounded'), 64 * 1024);
    for (let i = 0; i < 200; i++) s.push({ bytes: new Uint8Array(1000), frames: 1 });
    expect(s.bytes).toBeLessThanOrEqual(64 * 1024);
    expect(s.droppedFrames + s.frames).toBe(200);
    expect(s.droppedFrames).toBeGreaterThan(100);
    s.close();
  });
});

describe("the hub's bookkeeping", () => {
  it('the clock offset is the smallest difference over the window: a message that waited does not move it', () => {
    const c = new ClockOffset(60_000);
    expect(c.offsetMs).toBeUndefined();
    // The receiver's clock is 3 s behind; trips take 5..50 ms, one resend waited 4 s.
    c.add(1_000_000, 1_003_020);
    c.add(1_001_000, 1_004_005);
    c.add(1_002_000, 1_009_050);
    c.add(1_003_000, 1_006_050);
    expect(c.offsetMs).toBe(3005);
    // A minute later the old samples are gone: the clock was corrected by NTP meanwhile.
    c.add(1_070_000, 1_070_010);
    expect(c.offsetMs).toBe(10);
  });

  it('a batch that comes twice is dropped; gaps are counted until they fill; a new run starts again', () => {
    const r = new HubReceivers();
    const batch = (boot: number, seq: number) => ({ rx: 'a', boot, seq, sent: 1, frames: [{ t: 1, linkType: 127, data: new Uint8Array(1) }] });
    expect(r.batch('a', batch(1, 0), 1000, false)).toBeDefined();
    expect(r.batch('a', batch(1, 0), 1000, false)).toBeUndefined();
    expect(r.batch('a', batch(1, 3), 1000, false)).toBeDefined();
    expect(r.get('a')!.missingBatches).toBe(2);
    r.batch('a', batch(1, 1), 1000, false);
    expect(r.get('a')!.missingBatches).toBe(1);
    r.batch('a', batch(2, 0), 1000, false);
    expect(r.get('a')).toMatchObject({ frames: 4, duplicateBatches: 1, missingBatches: 1 });
    expect(renderReceivers(r.list(), 1000)).toMatch(/^RECEIVER .*\na\s+online\s+4\s/);
  });

  it("a transmission's identity ignores the receiver's radio header, so two receivers' copies are one", () => {
    const near = transmissionOf(LINKTYPE.IEEE802_11_RADIOTAP, beacon(-40))!;
    const far = transmissionOf(LINKTYPE.IEEE802_11_RADIOTAP, beacon(-90))!;
    expect(near.key).toBe(far.key);
    expect([near.rssi, far.rssi]).toEqual([-40, -90]);
    expect(transmissionOf(LINKTYPE.IEEE802_11_RADIOTAP, beacon(-40, 8))!.key).not.toBe(near.key);
    expect(transmissionOf(LINKTYPE.IEEE802_11_RADIOTAP, Uint8Array.of(0, 0, 99))).toBeUndefined();
    const firsts = new FirstCopies(1000);
    firsts.remember(near.key, { receiver: 'a', transport: 'wifi-beacon', address: '02:00:00:00:00:01', messages: 1 }, 0);
    expect(firsts.get(far.key, 900)?.receiver).toBe('a');
    expect(firsts.get(far.key, 2500)).toBeUndefined();
  });
});
