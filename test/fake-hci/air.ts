/**
 * The shared "air" between fake controllers. On `tick(nowMs)` every enabled advert whose next advertising
 * event is due goes out, and every other controller that is scanning on that PHY hears it as a real
 * controller would report it: LE Advertising Report (0x3E/0x02) to a legacy-command scanner, which only sees
 * legacy PDUs; LE Extended Advertising Report (0x3E/0x0D) to an extended scanner, legacy bit set for legacy
 * PDUs, and long extended data split into fragments ("more" ... "complete") that the host must reassemble.
 *
 * Time is the test's: adverts go out at each one's interval (Interval_Max, without the random advDelay), the
 * first one on the first tick after it was enabled.
 */

import { buildHciLeAdvertisingReport, buildHciLeExtAdvertisingReport, type HciExtReport } from '../../packages/codec/src/index.js';
import { leToMac, type FakeController } from './controller.js';
import {
  LEGACY_REPORT_PROPS,
  PHY_CODED,
  SUBEVT_ADVERTISING_REPORT,
  SUBEVT_EXT_ADVERTISING_REPORT,
  type LegacyPdu,
} from './spec.js';

/** One advert a controller is sending: what the air needs to carry it. */
export interface Advertisement {
  /** Stable per advertiser: "hci0/legacy", "hci0/set1". */
  key: string;
  /** Set for legacy PDUs (from legacy commands, or an extended set with the legacy property). */
  legacyPdu?: LegacyPdu;
  intervalMs: number;
  /** Little-endian AdvA; undefined = anonymous. */
  address: Uint8Array | undefined;
  addressType: number;
  data: Uint8Array;
  primaryPhy: number;
  /** 0 for legacy PDUs. */
  secondaryPhy: number;
  /** Extended sets: connectable/scannable/directed bits as reported. */
  properties?: number;
  sid?: number;
  txPower?: number;
}

/** What one scanner got from one advertising event. */
export interface Reception {
  from: string;
  to: string;
  /** H4 event packets, in order (several for a fragmented extended advert). */
  events: Uint8Array[];
}

export interface FakeAirOptions {
  /** dBm every scanner measures unless setRssi says otherwise; default -60. */
  rssi?: number;
}

const PHY_NAMES: Readonly<Record<number, '1M' | '2M' | 'coded'>> = { 1: '1M', 2: '2M', 3: 'coded' };
/** Guard against a test that jumps the clock by days with a 20 ms advert. */
const MAX_EVENTS_PER_TICK = 100_000;

export class FakeAir {
  private readonly controllers = new Set<FakeController>();
  private readonly nextDue = new Map<string, number>();
  private readonly rssiTable = new Map<string, number>();
  private readonly defaultRssi: number;
  /** Every delivery, oldest first. */
  readonly receptions: Reception[] = [];
  /** Advertising events sent per advertiser key. */
  readonly eventsSent = new Map<string, number>();

  constructor(opts: FakeAirOptions = {}) {
    this.defaultRssi = opts.rssi ?? -60;
  }

  attach(c: FakeController): void {
    this.controllers.add(c);
    c.air = this;
  }

  detach(c: FakeController): void {
    this.controllers.delete(c);
    c.air = undefined;
  }

  /** What `to` measures when `from` transmits. */
  setRssi(from: FakeController, to: FakeController, dBm: number): void {
    if (!Number.isInteger(dBm) || dBm < -127 || dBm > 20) throw new RangeError(`RSSI must be an integer -127..20 dBm, got ${dBm}`);
    this.rssiTable.set(`${from.name}>${to.name}`, dBm);
  }

  /** Sends every advertising event due at or before `nowMs`; returns how many events went out. */
  tick(nowMs: number): number {
    let sent = 0;
    const live = new Set<string>();
    for (const tx of this.controllers) {
      for (const ad of tx.advertisements()) {
        live.add(ad.key);
        let due = this.nextDue.get(ad.key) ?? nowMs;
        for (let n = 0; due <= nowMs && n < MAX_EVENTS_PER_TICK; n++) {
          this.transmit(tx, ad);
          sent++;
          due += ad.intervalMs;
        }
        this.nextDue.set(ad.key, due);
      }
    }
    // An advert that stopped starts afresh when enabled again.
    for (const key of this.nextDue.keys()) if (!live.has(key)) this.nextDue.delete(key);
    return sent;
  }

  private transmit(tx: FakeController, ad: Advertisement): void {
    this.eventsSent.set(ad.key, (this.eventsSent.get(ad.key) ?? 0) + 1);
    for (const rx of this.controllers) {
      if (rx === tx) continue;
      const events = this.reportsFor(rx, ad, this.rssiTable.get(`${tx.name}>${rx.name}`) ?? this.defaultRssi);
      if (events.length === 0) continue;
      this.receptions.push({ from: tx.name, to: rx.name, events });
      for (const e of events) rx.emitEvent(e);
    }
  }

  /** The report events `rx` generates for `ad`, or none when it is not listening for it. */
  private reportsFor(rx: FakeController, ad: Advertisement, rssi: number): Uint8Array[] {
    const scan = rx.state.scan;
    if (!scan.enabled || !scan.phys.some((p) => p.phy === ad.primaryPhy)) return [];
    const address = ad.address === undefined ? undefined : leToMac(ad.address);
    if (scan.style === 'legacy') {
      // A scanner driven by the legacy commands sees legacy PDUs only (Vol 4 Part E §3.1.1).
      if (ad.legacyPdu === undefined || address === undefined || !rx.wantsLeEvent(SUBEVT_ADVERTISING_REPORT)) return [];
      if (!rx.firstReport(`${ad.key}:${Buffer.from(ad.data).toString('hex')}`)) return [];
      return [buildHciLeAdvertisingReport([{ pdu: ad.legacyPdu, address, addressType: ad.addressType, data: ad.data, rssi }])];
    }
    if (!rx.wantsLeEvent(SUBEVT_EXT_ADVERTISING_REPORT)) return [];
    if (!rx.firstReport(`${ad.key}:${Buffer.from(ad.data).toString('hex')}`)) return [];
    const base: Omit<HciExtReport, 'data'> = { rssi, primaryPhy: ad.primaryPhy === PHY_CODED ? 'coded' : '1M' };
    if (address !== undefined) {
      base.address = address;
      base.addressType = ad.addressType;
    }
    if (ad.legacyPdu !== undefined) {
      // §7.7.65.13: a legacy PDU has no secondary PHY, no SID (0xFF) and is never fragmented.
      return [buildHciLeExtAdvertisingReport([{ ...base, primaryPhy: '1M', properties: LEGACY_REPORT_PROPS[ad.legacyPdu], data: ad.data }])];
    }
    const ext: Omit<HciExtReport, 'data'> = { ...base, properties: ad.properties ?? 0, sid: ad.sid ?? 0 };
    const phy = PHY_NAMES[ad.secondaryPhy];
    if (phy !== undefined) ext.secondaryPhy = phy;
    if (ad.txPower !== undefined) ext.txPower = ad.txPower;
    // Data longer than one report goes out in several, all but the last flagged "more data to come".
    const size = rx.reportFragmentLength;
    const out: Uint8Array[] = [];
    for (let o = 0; o === 0 || o < ad.data.length; o += size) {
      const last = o + size >= ad.data.length;
      out.push(buildHciLeExtAdvertisingReport([{ ...ext, fragment: last ? 'complete' : 'more', data: ad.data.subarray(o, o + size) }]));
    }
    return out;
  }
}
