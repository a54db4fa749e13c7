/**
 * What identifies an aircraft (spec §3.5, pitfalls 14 and 17): its UAS IDs, never its radio address, which
 * is often random per boot and differs between BT4, BT5 and Wi-Fi. A drone may send several Basic IDs at once
 * (serial and session ID), so identities live in slots, one value per slot. Which identities a payload
 * carries is its descriptor's to say (payloads/).
 */

/**
 * Identity slots. Basic ID types 1-4 map to serial/caa/utm/session; a French record's ANSI/CTA serial shares
 * the `serial` slot (it is the same CTA-2063-A number), which links both broadcasts of one drone.
 */
export type IdSlot = 'serial' | 'caa' | 'utm' | 'session' | 'dji-serial' | 'french-id' | `idtype-${number}`;

export interface TrackIdentity {
  slot: IdSlot;
  /** The ID as text; binary ID types (UTM UUID, session ID) as lowercase hex. */
  value: string;
}

const BASIC_ID_SLOTS: Readonly<Record<number, IdSlot>> = { 1: 'serial', 2: 'caa', 3: 'utm', 4: 'session' };

/** Preference for the one ID a track is shown by: serial > CAA > UTM > session, then proprietary ones, then ID type 0 and reserved types. */
const PREFERENCE: readonly IdSlot[] = ['serial', 'caa', 'utm', 'session', 'dji-serial', 'french-id'];

/**
 * Slots whose value never changes for one aircraft. A track holding a different value in one of these is
 * another aircraft; UTM and session IDs change per flight, so a new one replaces the old.
 */
const PERMANENT: ReadonlySet<IdSlot> = new Set<IdSlot>(['serial', 'caa', 'dji-serial', 'french-id']);

export const isPermanentSlot = (slot: IdSlot): boolean => PERMANENT.has(slot);

export const slotOfIdType = (idType: number): IdSlot => BASIC_ID_SLOTS[idType] ?? `idtype-${idType}`;

/** The key an identity is indexed by. */
export const identityKey = (id: TrackIdentity): string => `${id.slot}:${id.value}`;

/** The preferred identity among a track's slots. */
export function preferredIdentity(ids: ReadonlyMap<IdSlot, string>): TrackIdentity | undefined {
  for (const slot of PREFERENCE) {
    const value = ids.get(slot);
    if (value !== undefined) return { slot, value };
  }
  // ID type 0 and reserved types last, lowest type first.
  const rest = [...ids.keys()].filter((s) => !PREFERENCE.includes(s)).sort((a, b) => (idTypeOfSlot(a) ?? 0) - (idTypeOfSlot(b) ?? 0));
  const slot = rest[0];
  return slot === undefined ? undefined : { slot, value: ids.get(slot)! };
}

/** Slot -> Basic ID type, the inverse of BASIC_ID_SLOTS (looked up on every message). */
const ID_TYPE_OF_SLOT: ReadonlyMap<IdSlot, number> = new Map(Object.entries(BASIC_ID_SLOTS).map(([t, s]) => [s, Number(t)]));

/** The Basic ID type a slot stands for, if any. */
export function idTypeOfSlot(slot: IdSlot): number | undefined {
  const known = ID_TYPE_OF_SLOT.get(slot);
  if (known !== undefined) return known;
  const m = /^idtype-(\d+)$/.exec(slot);
  return m ? Number(m[1]) : undefined;
}
