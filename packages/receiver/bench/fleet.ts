/**
 * A synthetic fleet for the load benchmark: N drones with distinct identities (EU, FAA, FAA with a DRIP
 * session ID, UK CAA, UTM), distinct radio addresses, routes spread over a grid around the receiver and a
 * mix of transports and rates chosen so that every 10 drones put exactly 100 frames per second on the air.
 */

import { DEFAULT_ROUTE, type Route } from '@odid/position';
import { loadIdentity, offsetRoute, type SceneDrone } from '@odid/transmitter';
import { type BroadcastTransport } from '@odid/codec';
import { CTA2063_ALPHABET, luhnMod36 } from '@odid/codec';
import { rng } from '../../../test/support/random.js';

interface Profile {
  transports: BroadcastTransport[];
  rateHz: number;
}

/**
 * Frames per second of each profile, with 4 static messages (the legacy slot is min(500/rate, 300) ms, a
 * NAN transmission is two frames: sync beacon + SDF): 4, 6, 8, 8, 12, 10, 12, 10, 24, 6 = 100 per 10 drones.
 */
const PROFILES: readonly Profile[] = [
  { transports: ['ble-legacy'], rateHz: 2 },
  { transports: ['ble-legacy', 'ble-extended'], rateHz: 2 },
  { transports: ['ble-extended', 'wifi-beacon'], rateHz: 4 },
  { transports: ['ble-legacy', 'wifi-nan'], rateHz: 2 },
  { transports: ['ble-legacy', 'ble-extended', 'wifi-beacon', 'wifi-nan'], rateHz: 2 },
  { transports: ['ble-legacy'], rateHz: 5 },
  { transports: ['ble-legacy', 'ble-extended'], rateHz: 4 },
  { transports: ['wifi-nan'], rateHz: 5 },
  { transports: ['ble-legacy', 'ble-extended', 'wifi-beacon', 'wifi-nan'], rateHz: 4 },
  { transports: ['ble-legacy', 'wifi-beacon'], rateHz: 2 },
];

/** Frames per second per drone, averaged over the fleet (exact for a multiple of 10 drones). */
export const FRAMES_PER_DRONE_PER_S = 10;

const EU_COUNTRIES = ['FIN', 'DEU', 'FRA', 'NLD', 'CHE', 'SWE', 'ESP', 'ITA'];
const MANUFACTURERS = ['1581', '1596', '1664', '1748', '1931'];
const UA_TYPES = ['helicopter-or-multirotor', 'aeroplane', 'hybrid-lift', 'helicopter-or-multirotor', 'gyroplane'];
const LOWER36 = '0123456789abcdefghijklmnopqrstuvwxyz';

/** `value` in base `alphabet.length`, `width` digits: a bijection on 0..base^width-1, so IDs never collide. */
function digits(value: number, width: number, alphabet: string): string {
  let out = '';
  for (let i = 0; i < width; i++) {
    out = alphabet[value % alphabet.length]! + out;
    value = Math.floor(value / alphabet.length);
  }
  return out;
}

const hex = (v: number, width: number): string => (v >>> 0).toString(16).padStart(width, '0').slice(-width);

/** The identity configuration of drone `i`; the transmitter's own loader (loadIdentity) validates it. */
function identityConfig(i: number): Record<string, unknown> {
  const kind = i % 5;
  // Scrambled (an odd multiplier is a bijection mod 34^8) so neighbouring drones do not look alike.
  const serialBody = digits((i * 7919 + 104_729) % 34 ** 8, 8, CTA2063_ALPHABET);
  const serial = `${MANUFACTURERS[i % MANUFACTURERS.length]!}8${serialBody}`;
  const uaType = UA_TYPES[i % UA_TYPES.length]!;
  const selfId = `Bench flight ${i}`;
  switch (kind) {
    case 0: {
      const base = digits(i * 104_729 + 17, 12, LOWER36);
      const secret = digits(i, 3, LOWER36);
      const country = EU_COUNTRIES[i % EU_COUNTRIES.length]!;
      return {
        regime: 'eu', uaType, ids: [{ type: 'serial', value: serial }], selfId,
        operatorId: `${country}${base}${luhnMod36(base + secret)}-${secret}`, eu: { category: 'open', class: `c${(i % 3) + 1}` },
      };
    }
    case 1:
      return { regime: 'faa', uaType, ids: [{ type: 'serial', value: serial }], selfId, operatorId: `FA${digits(i, 8, CTA2063_ALPHABET)}` };
    case 2: {
      // DRIP: serial plus a session ID (a DET under 2001:30::/28), the drone's second identity.
      const det = `2001:3f:fe00:105:${hex(i, 4)}:${hex(i * 2654435761, 4)}:${hex(i * 40503, 4)}:c04e`;
      return { regime: 'faa', uaType, ids: [{ type: 'serial', value: serial }, { type: 'session', det }], selfId, operatorId: `FA${digits(i + 7, 8, CTA2063_ALPHABET)}` };
    }
    case 3:
      return { uaType, ids: [{ type: 'caa', value: `GBR-RP-${digits(i, 6, CTA2063_ALPHABET)}` }], selfId, operatorId: `GBR-OP-${digits(i, 8, CTA2063_ALPHABET)}` };
    default: {
      const uuid = `${hex(i * 2654435761, 8)}-${hex(i, 4)}-4${hex(i * 31, 3)}-a${hex(i * 131, 3)}-${hex(i * 40503, 6)}${hex(i, 6)}`;
      return { regime: 'faa', uaType, ids: [{ type: 'utm', value: uuid }], selfId, operatorId: `FA${digits(i + 13, 8, CTA2063_ALPHABET)}` };
    }
  }
}

export interface FleetOptions {
  drones: number;
  /** Grid spacing between route origins, m. */
  spacingM?: number;
  seed?: number;
  /** Seconds after the fleet's start at which every 100th drone declares an emergency. */
  emergencyAfterS?: number;
}

/** The fleet's drones. DRIP identities (5 static messages) never fly ble-legacy, so the rates stay exact. */
export function buildFleet(opts: FleetOptions): SceneDrone[] {
  // Seeded: the same fleet on every run.
  const random = rng(opts.seed ?? 1);
  const spacing = opts.spacingM ?? 400;
  const side = Math.ceil(Math.sqrt(opts.drones));
  // Every drone takes off at once (climb at 10 m/s): positions change from the first frame on.
  const base: Route = { ...DEFAULT_ROUTE, takeoff: { groundSeconds: 0, climbRate: 10, descentRate: 1.5 } };
  const drones: SceneDrone[] = [];
  for (let i = 0; i < opts.drones; i++) {
    const profile = PROFILES[i % PROFILES.length]!;
    const east = ((i % side) - side / 2) * spacing;
    const north = (Math.floor(i / side) - side / 2) * spacing;
    const speed = 6 + Math.round(random() * 14);
    const drone: SceneDrone = {
      name: `bench-${i}`,
      identity: loadIdentity(identityConfig(i)),
      route: offsetRoute(base, `grid ${i}`, east, north, speed),
      transports: profile.transports,
      // Random static BLE (top bits 11) and locally administered Wi-Fi addresses, unique by index.
      addresses: {
        ble: `c${hex(i >> 12, 1)}:${hex(i >> 4, 2)}:${hex((i & 15) << 4, 2)}:7e:${hex(random() * 256, 2)}:${hex(random() * 256, 2)}`,
        wifi: `02:${hex(i >> 8, 2)}:${hex(i, 2)}:b3:${hex(random() * 256, 2)}:${hex(random() * 256, 2)}`,
      },
      rateHz: profile.rateHz,
    };
    if (opts.emergencyAfterS !== undefined && i % 100 === 99) drone.emergencyAfterS = opts.emergencyAfterS;
    drones.push(drone);
  }
  return drones;
}
