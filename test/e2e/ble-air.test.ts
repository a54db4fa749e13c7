/**
 * Everything over the fake Bluetooth air, no OS Bluetooth involved: the broadcaster (Scheduler + the BLE
 * legacy and long-range radios, through its own HCI layer on hci0) -> FakeAir -> the receiver's adapter
 * hci1 -> real noble -> BleSource -> Pipeline/Tracker. The track holds the identity and the position
 * that were broadcast, and every message pack arrives, although hci1 splits each one in two fragments.
 */

import { describe, expect, it } from 'vitest';
import { decodeMessage, type LocationMessage, type MessagePack, type ReceivedMessage } from '../../packages/codec/src/index.js';
import { Broadcaster } from '../../packages/broadcaster/src/index.js';
import { DEMO_IDENTITY_CONFIG, Scheduler, loadIdentity, type Transmission } from '@odid/transmitter';
import { ManualClock, type Fix } from '@odid/position';
import { BleExtendedRadio } from '../../packages/broadcaster/src/radios/ble-extended.js';
import { BleLegacyRadio } from '../../packages/broadcaster/src/radios/ble-legacy.js';
import { sharedBleController } from '../../packages/broadcaster/src/radios/hci/ble-radio.js';
import { Pipeline } from '../../packages/receiver/src/pipeline.js';
import { BleSource } from '../../packages/receiver/src/sources/ble.js';
import type { TrackUpdate } from '../../packages/receiver/src/tracker/types.js';
import { FakeAir, FakeHost, withFakeHci } from '../fake-hci/index.js';

const air = new FakeAir();
const host = new FakeHost();
const drone = host.addController({ air, adapterUp: false }); // hci0, user channel
// hci1, up as bluetoothd leaves it; 100-octet reports split each 134-octet pack advert in two.
const receiver = host.addController({ air, version: '5.0', codedPhy: true, extendedAdvertising: true, reportFragmentLength: 100 });
withFakeHci({ host, air });

const ADDRESS = 'C0:5A:11:22:33:44';
const START = Date.UTC(2026, 10, 25, 10, 0, 0);
const DURATION_MS = 20_000;
const STEP_MS = 25;

describe('broadcaster -> fake air -> noble -> BleSource -> tracker', () => {
  it('the track carries the broadcast identity and the latest broadcast position, over both BLE transports', async () => {
    const clock = new ManualClock(START);
    // A drone flying east at about 7 m/s.
    const position = {
      latest: (): Fix => {
        const s = (clock.now() - START) / 1000;
        return { time: clock.now(), latitude: 50.0755, longitude: 14.4378 + s * 1e-4, altitudeGeo: 310, height: 80, speedHorizontal: 7.1, direction: 90, status: 'airborne', fixType: '3d' };
      },
    };
    const identity = loadIdentity(DEMO_IDENTITY_CONFIG);
    const scheduler = new Scheduler({ identity, transports: ['ble-legacy', 'ble-extended'], position, clock });
    const controller = sharedBleController({ clock, socketFactory: () => host.createSocket(), address: ADDRESS });
    const legacy = new BleLegacyRadio({ clock, controller });
    // One pack advert per scheduled pack (2 Hz), as the radio's documentation asks for faster rates.
    const longRange = new BleExtendedRadio({ clock, controller, intervalMs: 500 });
    const sent: Transmission[] = [];
    const broadcaster = new Broadcaster({ scheduler, radios: [legacy, longRange], clock, onTransmit: (t) => sent.push(t) });

    const source = new BleSource({ hciDevice: receiver.devId, timers: { now: () => clock.now(), setTimeout: (cb, ms) => setTimeout(cb, ms), clearTimeout: (h) => clearTimeout(h as NodeJS.Timeout) } });
    const received: ReceivedMessage[] = [];
    const updates: TrackUpdate[] = [];
    const pipeline = new Pipeline({}, { message: (m) => received.push(m), update: (u) => updates.push(u) });
    const errors: Error[] = [];
    source.on('frame', (f) => pipeline.process(f));
    source.on('error', (e) => errors.push(e));

    await source.start();
    expect(source.description).toMatch(/extended scanning on LE 1M \+ LE Coded/);
    expect(await broadcaster.start()).toEqual(['ble-legacy', 'ble-extended']);
    try {
      for (let t = START; t <= START + DURATION_MS; t += STEP_MS) {
        await broadcaster.runSimulated(clock, t);
        air.tick(t);
      }
      // The legacy advert leaves the air, and the next pack advertising event repeats the last pack broadcast,
      // so that pack is the last word (pack adverts go out 25 ms after the start and every 500 ms since).
      await legacy.stop();
      const before = air.receptions.length;
      clock.advance(STEP_MS);
      air.tick(clock.now());
      expect(air.receptions.slice(before).map((r) => r.events.length)).toEqual([2]);
    } finally {
      await broadcaster.stop();
      await source.stop();
    }

    expect(errors).toEqual([]);
    expect(pipeline.stats.dropped).toEqual({});
    const tracks = pipeline.tracker.tracks();
    expect(tracks).toHaveLength(1);
    const track = tracks[0]!;
    expect(track.uasId).toBe(identity.basicIds[0]!.uasId);
    expect(track.uasId).toBe('1581F5FHB229F00202DR');
    expect(track.operatorId?.operatorId).toBe(identity.operatorId!.operatorId);
    expect(track.selfId?.desc).toBe('Demo flight');
    expect([...track.transports].sort()).toEqual(['ble-extended', 'ble-legacy']);
    expect([...track.addresses]).toEqual([ADDRESS.toLowerCase()]);
    expect(track.flags).toEqual([]);

    // The position: exactly the Location of the last pack broadcast.
    const lastPack = decodeMessage(sent.filter((t) => t.transport === 'ble-extended').at(-1)!.payload) as MessagePack;
    const lastLocation = lastPack.messages.find((m) => m.type === 'location') as LocationMessage;
    expect(track.location).toEqual(lastLocation);
    expect(track.location!.longitude).toBeGreaterThan(14.4378 + 0.0015); // it moved

    // Every Location heard is one that was broadcast, on either transport.
    const broadcastLocations = new Set(
      sent.flatMap((t) => {
        const m = decodeMessage(t.payload);
        return (m.type === 'messagePack' ? m.messages : [m]).filter((x) => x.type === 'location').map((x) => JSON.stringify(x));
      }),
    );
    const heard = received.filter((m) => m.message.type === 'location');
    expect(heard.filter((m) => m.transport === 'ble-legacy').length).toBeGreaterThan(20);
    expect(heard.every((m) => broadcastLocations.has(JSON.stringify(m.message)))).toBe(true);

    // No pack was lost to fragmentation: each long-range advertising event gave its whole pack.
    const packEvents = air.receptions.filter((r) => r.to === receiver.name && r.events.length === 2);
    expect(packEvents.length).toBe((2 * DURATION_MS) / 1000 + 1);
    expect(received.filter((m) => m.transport === 'ble-extended')).toHaveLength(packEvents.length * lastPack.messages.length);
    expect(updates.some((u) => u.reason === 'created')).toBe(true);
    expect(drone.log.every((r) => r.status === 0)).toBe(true);
  });
});
