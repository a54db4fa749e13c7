/**
 * Radio addresses against UAS IDs, both ways:
 * - id-cycling: which IDs each address sent lately. One transmitter has one serial (CAA registration, DJI
 *   serial, French ID: the permanent slots) and, per flight, one session or UTM ID; an address that sent a
 *   second permanent ID of one kind, or a third of another kind, within spoofWindowMs is cycling IDs (a
 *   spoofer inventing drones, or two transmitters on one address).
 * - address-crowd: which addresses of one transport a track is heard from at once. BT4, BT5 and Wi-Fi of one
 *   drone use different addresses, but different transports; a BLE address that rotates stops as the next
 *   starts; a dual-band Wi-Fi transmitter may beacon on 2.4 and 5 GHz from two addresses (told apart by
 *   channel). Two addresses are "at once" when each was heard while the other was, for longer than
 *   addressOverlapMs, and both within staleAfterMs.
 * Everything here comes from the air: the memory is bounded (addresses, and IDs per address).
 */

import { isPermanentSlot, type IdSlot, type TrackIdentity } from './identity.js';
import type { RadioLink } from './link.js';
import type { TrackRecord } from './record.js';

/** Addresses remembered (see evict). */
const MAX_ADDRESSES = 4_096;
/** IDs remembered per address: enough to show cycling, bounded however fast a spoofer cycles. */
const MAX_IDS_PER_ADDRESS = 32;
/** A second permanent ID of one kind from one address is one too many; session and UTM IDs change per flight. */
const allowedPerSlot = (slot: IdSlot): number => (isPermanentSlot(slot) ? 1 : 2);

interface HeardId {
  slot: IdSlot;
  value: string;
  /** When first and last heard from the address, ms. */
  first: number;
  last: number;
}

/** What an address gave away: more IDs of one kind than one transmitter has. */
export interface Cycling {
  slot: IdSlot;
  /** The distinct IDs of that kind, first heard first (the latest up to MAX_IDS_PER_ADDRESS). */
  ids: TrackIdentity[];
  /** From the first of them to now, ms. */
  spanMs: number;
}

interface AddressEntry {
  ids: HeardId[];
  /** When the address last sent an ID, ms. */
  last: number;
  /** The last look found cycling: while it lasts every reception renews the finding. */
  cycling: boolean;
}

export class AddressIds {
  private readonly byAddress = new Map<string, AddressEntry>();

  constructor(private readonly windowMs: number) {}

  /** `address` sent `ids` at `now`; returns the kinds of ID it has sent too many of lately. */
  heard(address: string, ids: readonly TrackIdentity[], now: number): Cycling[] | undefined {
    if (ids.length === 0) return undefined;
    let entry = this.byAddress.get(address);
    if (!entry) {
      if (this.byAddress.size >= MAX_ADDRESSES) this.evict(now);
      this.byAddress.set(address, (entry = { ids: [], last: now, cycling: false }));
    }
    entry.last = Math.max(entry.last, now);
    const list = entry.ids;
    let k = 0;
    for (const h of list) if (now - h.last <= this.windowMs) list[k++] = h;
    list.length = k;
    let grown = false;
    for (const id of ids) {
      let h: HeardId | undefined;
      for (const x of list) {
        if (x.slot === id.slot && x.value === id.value) {
          h = x;
          break;
        }
      }
      if (h) h.last = Math.max(h.last, now);
      else {
        list.push({ slot: id.slot, value: id.value, first: now, last: now });
        grown = true;
        if (list.length > MAX_IDS_PER_ADDRESS) list.shift();
      }
    }
    // The usual case, an address repeating its own IDs: nothing new to look at.
    if (!grown && !entry.cycling) return undefined;
    let out: Cycling[] | undefined;
    for (const slot of new Set(ids.map((id) => id.slot))) {
      const same = list.filter((h) => h.slot === slot);
      if (same.length <= allowedPerSlot(slot)) continue;
      const first = Math.min(...same.map((h) => h.first));
      (out ??= []).push({ slot, ids: same.map((h) => ({ slot, value: h.value })), spanMs: now - first });
    }
    entry.cycling = out !== undefined;
    return out;
  }

  /**
   * Full: the addresses silent for longer than the window go, and if that leaves it over three quarters full,
   * the quarter first heard (a flood of invented addresses must not make every new one cost a full scan).
   */
  private evict(now: number): void {
    for (const [address, e] of this.byAddress) if (now - e.last > this.windowMs) this.byAddress.delete(address);
    if (this.byAddress.size < (MAX_ADDRESSES * 3) / 4) return;
    let drop = MAX_ADDRESSES / 4;
    for (const address of this.byAddress.keys()) {
      if (drop-- <= 0) break;
      this.byAddress.delete(address);
    }
  }
}

/** The Wi-Fi band of a link heard on a known channel (2.4 or 5 GHz); undefined otherwise (BLE channels are not bands). */
const bandOf = (l: RadioLink): number | undefined => (l.transport.startsWith('wifi') && l.channel !== undefined ? (l.channel > 14 ? 5 : 2.4) : undefined);

/** The links of `track` on `link`'s transport heard at once with it (see above), `link` first; undefined when it is alone. */
export function concurrentLinks(track: TrackRecord, link: RadioLink, now: number, overlapMs: number, staleAfterMs: number): RadioLink[] | undefined {
  // A link heard for less than the overlap cannot overlap anything by more.
  if (link.lastSeen - link.firstSeen <= overlapMs) return undefined;
  let out: RadioLink[] | undefined;
  for (const other of track.links.values()) {
    if (other === link || other.transport !== link.transport || now - other.lastSeen > staleAfterMs) continue;
    const a = bandOf(other);
    const b = bandOf(link);
    if (a !== undefined && b !== undefined && a !== b) continue;
    const overlap = Math.min(link.lastSeen, other.lastSeen) - Math.max(link.firstSeen, other.firstSeen);
    if (overlap > overlapMs) (out ??= [link]).push(other);
  }
  return out;
}
