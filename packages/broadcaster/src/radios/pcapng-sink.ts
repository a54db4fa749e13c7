/**
 * A pcapng in place of radios: every selected transport writes exactly the frames it would put on the
 * air, with their scheduled times — radiotap Wi-Fi frames, BLE LL frames behind the LE pseudo-header
 * (extended adverts as their AUX_ADV_IND on the coded PHY), one record per advertising event. This is
 * how the broadcaster runs with no radio, and how the receiver and tests are fed.
 */

import { LINKTYPE, PcapngWriter, buildAirFrames } from '@odid/codec';
import { RadioError, type Radio } from './types.js';
import type { Transmission } from '@odid/transmitter';
import type { BroadcastTransport } from '@odid/codec';

export interface ByteSink {
  write(bytes: Uint8Array): void | Promise<void>;
}

export interface SinkAddresses {
  /** BLE random static address (shared by the legacy and the long-range set, as real transmitters do). */
  ble: string;
  /** Wi-Fi transmitter address. */
  wifi: string;
}

/** A random static BLE address (two top bits set) and a locally administered unicast Wi-Fi address. */
export function randomAddresses(random: () => number = Math.random): SinkAddresses {
  const bytes = (first: number): string =>
    [first, ...Array.from({ length: 5 }, () => Math.floor(random() * 256))].map((b) => b.toString(16).padStart(2, '0')).join(':');
  return { ble: bytes(0xc0 | Math.floor(random() * 64)), wifi: bytes((Math.floor(random() * 64) << 2) | 0x02) };
}

export class PcapngSink {
  private readonly writer = new PcapngWriter({ application: 'rid-broadcast' });
  private readonly interfaces = new Map<number, number>();
  private sequence = 0;
  private started = false;

  constructor(
    private readonly out: ByteSink,
    readonly addresses: SinkAddresses,
  ) {}

  /**
   * The radio for one transport; all of them write into this one file. Like every radio it sends only
   * between start() and stop(): a packet before the section header, or after the run, is refused.
   */
  radio(transport: BroadcastTransport): Radio {
    let started = false;
    return {
      transport,
      description: `pcapng sink (${transport})`,
      start: async () => {
        await this.begin();
        started = true;
      },
      transmit: async (t) => {
        if (!started) throw new RadioError('not-started', transport, 'transmit() before start() or after stop()', 'start the radio first');
        await this.write(t);
      },
      stop: async () => {
        started = false;
      },
    };
  }

  private async begin(): Promise<void> {
    if (this.started) return;
    this.started = true;
    await this.out.write(this.writer.header());
  }

  private async write(t: Transmission): Promise<void> {
    const address = t.transport.startsWith('ble') ? this.addresses.ble : this.addresses.wifi;
    const frames = buildAirFrames({
      transport: t.transport,
      address,
      counter: t.counter,
      payload: t.payload,
      timestampUs: t.timeMs * 1000,
      sequence: this.sequence,
      beaconIntervalTU: 100,
    });
    this.sequence = (this.sequence + frames.length) & 0xfff;
    for (const f of frames) await this.out.write(this.writer.packet(await this.iface(f.linkType), t.timeMs / 1000, f.data));
  }

  private async iface(linkType: number): Promise<number> {
    let id = this.interfaces.get(linkType);
    if (id === undefined) {
      const name = linkType === LINKTYPE.IEEE802_11_RADIOTAP ? 'wifi (radiotap)' : 'ble (LE LL with pseudo-header)';
      const added = this.writer.addInterface({ linkType, name, tsresol: 6 });
      await this.out.write(added.bytes);
      id = added.id;
      this.interfaces.set(linkType, id);
    }
    return id;
  }
}
