/**
 * The cheap pre-filter: which advertising reports go on to the decoder. A crowded place has hundreds of
 * BLE adverts a second and only Remote ID matters, so reports without Service Data for UUID 0xFFFA stop
 * here, unparsed. What passes keeps every byte.
 *
 * Fragments: a controller splits long extended advertising data over several reports ("more" ... then
 * "complete" or "truncated"), and only the first holds the Service Data header. The gate holds a chain's
 * fragments until its last one and then lets the whole chain through, or none of it.
 */

import type { HciAdvReport } from '@odid/codec';

const AD_SERVICE_DATA_16 = 0x16;
/** UUID 0xFFFA (ASTM Remote ID), least significant octet first. */
const UUID_LO = 0xfa;
const UUID_HI = 0xff;
/** Core Vol 6 Part B §2.3.4.9: the most extended advertising data one advert can carry. */
const MAX_EXT_ADV_DATA = 1650;
const DEFAULT_MAX_CHAINS = 64;

/**
 * Whether AD structures hold 16-bit Service Data for UUID 0xFFFA. Reads only lengths and types, and
 * accepts a structure whose body runs past the end (the first fragment of a long advert).
 */
export function hasOdidServiceData(ad: Uint8Array): boolean {
  for (let o = 0; o + 1 < ad.length; ) {
    const len = ad[o]!;
    if (len === 0) return false; // zero length: the rest is padding (Core Vol 3 Part C §11)
    if (ad[o + 1] === AD_SERVICE_DATA_16 && len >= 3 && ad[o + 2] === UUID_LO && ad[o + 3] === UUID_HI) return true;
    o += len + 1;
  }
  return false;
}

export interface GateOptions {
  /** Fragment chains held at once (one per advertiser and set); the oldest gives way. Default 64. */
  maxChains?: number;
}

interface Chain<T> {
  items: T[];
  data: Uint8Array[];
  bytes: number;
}

export class RemoteIdGate<T> {
  private readonly chains = new Map<string, Chain<T>>();
  private readonly maxChains: number;
  /** Fragment chains given up: longer than any advert can be, or pushed out by newer ones. */
  droppedChains = 0;

  constructor(opts: GateOptions = {}) {
    this.maxChains = opts.maxChains ?? DEFAULT_MAX_CHAINS;
  }

  /** What may go on now for this report (carried as `item`): nothing, the item, or a finished chain. */
  offer(report: HciAdvReport, item: T): T[] {
    if (report.kind === 'legacy') return hasOdidServiceData(report.data) ? [item] : [];
    const key = `${report.addressType}/${report.address}/${report.sid}`;
    let chain = this.chains.get(key);
    if (report.dataStatus === 'more') {
      if (chain === undefined) {
        if (this.chains.size >= this.maxChains) this.evictOldest();
        chain = { items: [], data: [], bytes: 0 };
        this.chains.set(key, chain);
      }
      chain.items.push(item);
      chain.data.push(report.data);
      chain.bytes += report.data.length;
      if (chain.bytes > MAX_EXT_ADV_DATA) {
        this.chains.delete(key);
        this.droppedChains++;
      }
      return [];
    }
    if (chain === undefined) return hasOdidServiceData(report.data) ? [item] : [];
    this.chains.delete(key);
    chain.items.push(item);
    chain.data.push(report.data);
    return hasOdidServiceData(Buffer.concat(chain.data)) ? chain.items : [];
  }

  /** Chains waiting for their last fragment. */
  get pendingChains(): number {
    return this.chains.size;
  }

  private evictOldest(): void {
    const oldest = this.chains.keys().next();
    if (oldest.done) return;
    this.chains.delete(oldest.value);
    this.droppedChains++;
  }
}
