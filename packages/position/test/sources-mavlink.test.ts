import { createSocket, type Socket } from 'node:dgram';
import { common, minimal, MavLinkProtocolV2, type MavLinkData } from 'node-mavlink';
import { SerialPortMock } from 'serialport';
import { afterEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../src/clock.js';
import { MavlinkSource, parseMavlinkEndpoint, type Fix, type OdidMavlinkMessage, type SerialPortCtor } from '../src/index.js';

async function waitFor(cond: () => boolean, ms = 3000, what = 'condition'): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`${what} not met within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 2));
  }
}

describe('parseMavlinkEndpoint', () => {
  it('accepts UDP listen and serial forms', () => {
    expect(parseMavlinkEndpoint('udp://:14550')).toEqual({ kind: 'udp', host: '0.0.0.0', port: 14550 });
    expect(parseMavlinkEndpoint('udp://127.0.0.1:14551')).toEqual({ kind: 'udp', host: '127.0.0.1', port: 14551 });
    expect(parseMavlinkEndpoint('udp://[::1]:14552')).toEqual({ kind: 'udp', host: '::1', port: 14552 });
    expect(parseMavlinkEndpoint('udp://')).toEqual({ kind: 'udp', host: '0.0.0.0', port: 14550 });
    expect(parseMavlinkEndpoint('serial:/dev/ttyACM0?baud=115200')).toEqual({ kind: 'serial', path: '/dev/ttyACM0', baudRate: 115200 });
    expect(parseMavlinkEndpoint('serial:/dev/serial0')).toEqual({ kind: 'serial', path: '/dev/serial0', baudRate: 57600 });
  });

  it('rejects the rest with the accepted forms', () => {
    expect(() => parseMavlinkEndpoint('tcp://1.2.3.4:5760')).toThrow(/accepted: udp:\/\/:14550 .*serial:\/dev\/ttyACM0\?baud=57600/);
    expect(() => parseMavlinkEndpoint('udp://:70000')).toThrow(/bad UDP port/);
    expect(() => parseMavlinkEndpoint('serial:/dev/ttyACM0?baud=12345')).toThrow(/baud rate 12345 is not a standard rate/);
    expect(() => parseMavlinkEndpoint('serial:/dev/ttyACM0?speed=9600')).toThrow(/unknown option 'speed'/);
  });
});

/** Sends real MAVLink 2 frames, serialized by node-mavlink, to the source over loopback UDP. */
class Autopilot {
  private seq = 0;
  readonly sock: Socket = createSocket('udp4');
  constructor(
    readonly port: number,
    readonly sysid = 1,
    readonly compid = 1,
  ) {}

  frame(msg: MavLinkData): Buffer {
    return new MavLinkProtocolV2(this.sysid, this.compid).serialize(msg, this.seq++ & 0xff);
  }

  send(...msgs: MavLinkData[]): Promise<void> {
    return msgs.reduce<Promise<void>>((p, m) => p.then(() => this.raw(this.frame(m))), Promise.resolve());
  }

  raw(buf: Buffer): Promise<void> {
    return new Promise((resolve, reject) => this.sock.send(buf, this.port, '127.0.0.1', (e) => (e ? reject(e) : resolve())));
  }

  close(): void {
    this.sock.close();
  }
}

const make = <T extends MavLinkData>(C: new () => T, fields: Partial<T>): T => Object.assign(new C(), fields);

const T_UNIX = Date.UTC(2025, 5, 1, 12, 0, 0);
const heartbeat = (armed = true, systemStatus = 4): minimal.Heartbeat =>
  make(minimal.Heartbeat, { type: 2, autopilot: 3, baseMode: armed ? 128 | 1 : 1, customMode: 0, systemStatus, mavlinkVersion: 3 });
const gpi = (over: Partial<common.GlobalPositionInt> = {}): common.GlobalPositionInt =>
  make(common.GlobalPositionInt, { timeBootMs: 600_000, lat: 471234567, lon: 75432100, alt: 550_250, relativeAlt: 100_500, vx: 300, vy: -400, vz: -150, hdg: 9000, ...over });
const gpsRaw = (over: Partial<common.GpsRawInt> = {}): common.GpsRawInt =>
  make(common.GpsRawInt, {
    timeUsec: BigInt(T_UNIX) * 1000n, fixType: 3, lat: 471234500, lon: 75432000, alt: 550_000, eph: 80, epv: 120, vel: 500, cog: 30_687,
    satellitesVisible: 14, altEllipsoid: 598_300, hAcc: 1_200, vAcc: 2_500, velAcc: 300, hdgAcc: 0, yaw: 0, ...over,
  });

describe('MavlinkSource over UDP', () => {
  const cleanups: (() => unknown)[] = [];
  afterEach(async () => {
    for (const c of cleanups.splice(0).reverse()) await c();
  });

  async function setup(opts: { systemId?: number } = {}): Promise<{ src: MavlinkSource; ap: Autopilot; clock: ManualClock; fixes: Fix[]; odid: OdidMavlinkMessage[] }> {
    const clock = new ManualClock(T_UNIX + 50);
    // Port 0: the OS picks a free one (only through the object form; the string form wants a real port).
    const src = new MavlinkSource({ endpoint: { kind: 'udp', host: '127.0.0.1', port: 0 }, clock, ...opts });
    await src.start();
    cleanups.push(() => src.stop());
    const ap = new Autopilot(src.address()!.port);
    cleanups.push(() => ap.close());
    const fixes: Fix[] = [];
    const odid: OdidMavlinkMessage[] = [];
    src.on('fix', (f) => fixes.push(f));
    src.on('odid', (m) => odid.push(m));
    return { src, ap, clock, fixes, odid };
  }

  it('builds fixes from GLOBAL_POSITION_INT, completed by GPS_RAW_INT, SYSTEM_TIME, baro and landed state', async () => {
    const { src, ap, fixes } = await setup();
    await ap.send(
      heartbeat(),
      make(common.SystemTime, { timeUnixUsec: BigInt(T_UNIX - 600_000) * 1000n, timeBootMs: 0 }), // booted at T_UNIX - 10 min
      gpsRaw(),
      make(common.ScaledPressure, { timeBootMs: 600_000, pressAbs: 954.6, pressDiff: 0, temperature: 2000 }),
      make(common.ExtendedSysState, { vtolState: 0, landedState: 2 }),
      gpi(),
    );
    await waitFor(() => fixes.length === 2, 3000, 'two fixes');
    // The first came from GPS_RAW_INT alone (no GLOBAL_POSITION_INT heard yet).
    expect(fixes[0]).toMatchObject({ time: T_UNIX, latitude: 47.12345, longitude: 7.5432, altitudeGeo: 598.3, fixType: '3d' });
    const f = fixes[1]!;
    expect(f.time).toBe(T_UNIX); // boot offset + time_boot_ms
    expect(f.latitude).toBeCloseTo(47.1234567, 9);
    expect(f.longitude).toBeCloseTo(7.54321, 9);
    // MSL 550.25 + (598.3 - 550.0) geoid separation from the GNSS.
    expect(f.altitudeGeo).toBeCloseTo(598.55, 6);
    expect(f.height).toBeCloseTo(100.5, 9);
    expect(f.speedHorizontal).toBeCloseTo(5, 9);
    expect(f.direction).toBeCloseTo(360 - 53.130102, 5); // vx north 3, vy east -4
    expect(f.speedVertical).toBeCloseTo(1.5, 9); // NED vz -1.5 = climbing
    expect(f).toMatchObject({ horizontalAccuracy: 1.2, verticalAccuracy: 2.5, speedAccuracy: 0.3, fixType: '3d', status: 'airborne' });
    // ISA pressure altitude for 954.6 hPa is about 500 m.
    expect(f.altitudeBaro).toBeCloseTo(44330.77 * (1 - (954.6 / 1013.25) ** 0.190263), 3);
    expect(f.altitudeBaro).toBeGreaterThan(495);
    expect(f.altitudeBaro).toBeLessThan(505);
    expect(src.latest()).toEqual(f);
    expect(src.stats.byMsgId[33]).toBe(1);
  });

  it('uses the heading when hovering, the heartbeat for ground/emergency, and HDOP when h_acc is missing', async () => {
    const { ap, fixes } = await setup();
    await ap.send(heartbeat(false), gpsRaw({ hAcc: 0, vAcc: 0, velAcc: 0 }), gpi({ vx: 5, vy: 5, vz: 0, hdg: 27_000 }));
    await waitFor(() => fixes.length === 2);
    expect(fixes[1]).toMatchObject({ direction: 270, status: 'ground', horizontalAccuracy: 2 * 0.8 * 3.5, verticalAccuracy: 1.96 * 1.2 * 3.5 });
    expect(fixes[1]!.speedAccuracy).toBeUndefined();
    await ap.send(heartbeat(true, 6), gpi());
    await waitFor(() => fixes.length === 3);
    expect(fixes[2]!.status).toBe('emergency');
  });

  it('prefers OPEN_DRONE_ID_LOCATION from the autopilot and keeps its status and accuracy classes', async () => {
    const { src, ap, clock, fixes, odid } = await setup();
    const loc = make(common.OpenDroneIdLocation, {
      targetSystem: 0, targetComponent: 0, idOrMac: new Array(20).fill(0), status: 3, direction: 18_050, speedHorizontal: 1_275, speedVertical: -250,
      latitude: 471111111, longitude: 75555555, altitudeBarometric: 480.5, altitudeGeodetic: 530.25, heightReference: 0, height: 42.5,
      horizontalAccuracy: 10, verticalAccuracy: 4, barometerAccuracy: 3, speedAccuracy: 3, timestamp: 1.5, timestampAccuracy: 1,
    });
    await ap.send(loc);
    await waitFor(() => fixes.length === 1);
    expect(fixes[0]).toEqual({
      time: T_UNIX + 1500, // 1.5 s after the hour nearest to the clock
      latitude: 47.1111111, longitude: 7.5555555, altitudeGeo: 530.25, altitudeBaro: 480.5, height: 42.5,
      speedHorizontal: 12.75, direction: 180.5, speedVertical: -2.5,
      horizontalAccuracy: 9.9, verticalAccuracy: 9.9, speedAccuracy: 0.99, // "< 10 m", "< 10 m", "< 1 m/s"
      status: 'emergency', fixType: '3d',
    });
    expect(odid[0]).toMatchObject({ type: 'location', msgId: 12901, sysid: 1, compid: 1, status: 3, horizontalAccuracy: 10, timestamp: 1.5 });

    // While the autopilot sends Remote ID locations, GLOBAL_POSITION_INT does not drive the broadcast...
    await ap.send(gpi());
    await waitFor(() => src.stats.byMsgId[33] === 1, 3000, 'GLOBAL_POSITION_INT received');
    expect(fixes).toHaveLength(1);
    // ...until they stop for 3 s.
    clock.advance(3_100);
    await ap.send(gpi());
    await waitFor(() => fixes.length === 2);
    expect(fixes[1]!.latitude).toBeCloseTo(47.1234567, 9);

    // Unknown values are left out, not turned into numbers.
    await ap.send(make(common.OpenDroneIdLocation, { ...loc, direction: 36_100, speedHorizontal: 25_500, speedVertical: 6_300, altitudeBarometric: -1000, altitudeGeodetic: -1000, height: -1000, horizontalAccuracy: 0, verticalAccuracy: 0, speedAccuracy: 0, status: 0, timestamp: 0xffff }));
    await waitFor(() => fixes.length === 3);
    expect(fixes[2]).toEqual({ time: clock.now(), latitude: 47.1111111, longitude: 7.5555555, fixType: '2d' });
  });

  it('ignores a location relayed from another aircraft (id_or_mac set) for fixes but still reports it', async () => {
    const { ap, fixes, odid } = await setup();
    const relayed = make(common.OpenDroneIdLocation, { idOrMac: [0xaa, 0xbb, 0xcc, 1, 2, 3, ...new Array(14).fill(0)], latitude: 1, longitude: 1, status: 2, timestamp: 0xffff });
    await ap.send(relayed);
    await waitFor(() => odid.length === 1);
    expect(fixes).toHaveLength(0);
    expect(odid[0]!.idOrMac.slice(0, 3)).toEqual([0xaa, 0xbb, 0xcc]);
  });

  it('emits the other OPEN_DRONE_ID messages as plain objects', async () => {
    const { ap, odid } = await setup();
    const gcs = new Autopilot(ap.port, 255, 190); // identity usually comes from the ground station
    cleanups.push(() => gcs.close());
    const zero20 = new Array(20).fill(0);
    await gcs.send(
      make(common.OpenDroneIdBasicId, { targetSystem: 1, targetComponent: 1, idOrMac: zero20, idType: 1, uaType: 2, uasId: [...Buffer.from('1596F1234567890')] }),
      make(common.OpenDroneIdSelfId, { targetSystem: 1, targetComponent: 1, idOrMac: zero20, descriptionType: 0, description: 'Survey flight' }),
      make(common.OpenDroneIdSystem, {
        targetSystem: 1, targetComponent: 1, idOrMac: zero20, operatorLocationType: 1, classificationType: 1, operatorLatitude: 470000000, operatorLongitude: 75000000,
        areaCount: 1, areaRadius: 0, areaCeiling: -1000, areaFloor: -1000, categoryEu: 1, classEu: 2, operatorAltitudeGeo: 520.5, timestamp: 202_000_000,
      }),
      make(common.OpenDroneIdOperatorId, { targetSystem: 1, targetComponent: 1, idOrMac: zero20, operatorIdType: 0, operatorId: 'FIN87astrdge12k8' }),
    );
    await waitFor(() => odid.length === 4);
    expect(odid.map((m) => m.type)).toEqual(['basicId', 'selfId', 'system', 'operatorId']);
    for (const m of odid) {
      expect(Object.getPrototypeOf(m)).toBe(Object.prototype);
      expect(JSON.parse(JSON.stringify(m))).toEqual(m); // plain data all the way down
      expect(m).toMatchObject({ sysid: 255, compid: 190, targetSystem: 1 });
    }
    expect(odid[0]).toMatchObject({ msgId: 12900, idType: 1, uaType: 2, uasIdText: '1596F1234567890' });
    expect((odid[0] as { uasId: number[] }).uasId).toHaveLength(20);
    expect(odid[1]).toMatchObject({ msgId: 12903, descriptionType: 0, description: 'Survey flight' });
    expect(odid[2]).toMatchObject({ msgId: 12904, operatorLatitude: 470000000, operatorLongitude: 75000000, classEu: 2, operatorAltitudeGeo: 520.5, timestamp: 202_000_000 });
    expect(odid[3]).toMatchObject({ msgId: 12905, operatorIdType: 0, operatorId: 'FIN87astrdge12k8' });
  });

  it('counts corrupted frames and takes positions only from the locked system', async () => {
    const { src, ap, fixes } = await setup({ systemId: 1 });
    const frame = ap.frame(gpi());
    frame.writeUInt8(frame.readUInt8(frame.length - 1) ^ 0xff, frame.length - 1); // break the CRC
    await ap.raw(frame);
    const other = new Autopilot(ap.port, 7);
    cleanups.push(() => other.close());
    await other.send(gpi({ lat: 100000000 }));
    await ap.send(gpi());
    await waitFor(() => fixes.length === 1);
    await new Promise((r) => setTimeout(r, 30));
    expect(fixes).toHaveLength(1);
    expect(fixes[0]!.latitude).toBeCloseTo(47.1234567, 9);
    expect(src.stats.crcErrors).toBe(1);
  });

  it('says what to do when the UDP port is taken', async () => {
    const taken = createSocket('udp4');
    await new Promise<void>((r) => taken.bind(0, '127.0.0.1', r));
    cleanups.push(() => taken.close());
    const port = taken.address().port;
    const src = new MavlinkSource({ endpoint: `udp://127.0.0.1:${port}`, clock: new ManualClock() });
    await expect(src.start()).rejects.toThrow(new RegExp(`cannot listen on UDP 127\\.0\\.0\\.1:${port}: EADDRINUSE \\(the port is in use: another GCS, MAVProxy or mavlink-router.*\\)\\. Fix: listen on a free port`));
  });
});

describe('MavlinkSource on a serial port', () => {
  it('parses frames from the port (serialport mock binding), split anywhere', async () => {
    const path = '/dev/ttyMOCKMAV';
    SerialPortMock.binding.createPort(path, { echo: false, record: false });
    const ports: SerialPortMock[] = [];
    class Recording extends SerialPortMock {
      constructor(o: ConstructorParameters<typeof SerialPortMock>[0]) {
        super(o);
        ports.push(this);
      }
    }
    const src = new MavlinkSource({
      endpoint: `serial:${path}?baud=115200`,
      clock: new ManualClock(T_UNIX),
      serialLoader: async () => Recording as unknown as SerialPortCtor,
      reopen: { initialMs: 5, maxMs: 20 },
    });
    const fixes: Fix[] = [];
    const errors: string[] = [];
    src.on('fix', (f) => fixes.push(f));
    src.on('error', (e) => errors.push(e.message));
    await src.start();
    expect(ports[0]!.baudRate).toBe(115200);
    const p = new MavLinkProtocolV2(1, 1);
    const bytes = Buffer.concat([Buffer.from([0x00, 0x55]), p.serialize(gpsRaw(), 0), p.serialize(gpi(), 1)]);
    for (let i = 0; i < bytes.length; i += 3) ports[0]!.port!.emitData(bytes.subarray(i, i + 3));
    await waitFor(() => fixes.length === 2);
    expect(fixes[1]!.altitudeGeo).toBeCloseTo(598.55, 6);

    // USB cable pulled: serialport closes the port; the source reopens the device.
    ports[0]!.close();
    await waitFor(() => ports.length === 2 && ports[1]!.isOpen, 3000, 'the port reopened');
    expect(errors).toContain(`mavlink: serial port ${path} closed; reopening`);
    ports[1]!.port!.emitData(p.serialize(gpi({ lat: 471000000 }), 2));
    await waitFor(() => fixes.length === 3);
    expect(fixes[2]!.latitude).toBeCloseTo(47.1, 9);
    await src.stop();
    expect(ports[1]!.isOpen).toBe(false);
  });

  it('says what to do when the autopilot port does not exist', async () => {
    const src = new MavlinkSource({ endpoint: 'serial:/dev/ttyNO_SUCH_AUTOPILOT', clock: new ManualClock() });
    await expect(src.start()).rejects.toThrow(/cannot open serial port \/dev\/ttyNO_SUCH_AUTOPILOT: .*\(no such device\)\. Fix: plug in/);
  });
});
