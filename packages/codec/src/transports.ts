/**
 * Transport names, one list for the whole toolkit. A broadcaster sends on the four Open Drone ID
 * transports; a receiver also hears DJI's proprietary DroneID beacons, which only receivers name.
 */

export const BROADCAST_TRANSPORTS = ['ble-legacy', 'ble-extended', 'wifi-beacon', 'wifi-nan'] as const;
export type BroadcastTransport = (typeof BROADCAST_TRANSPORTS)[number];

export const TRANSPORTS = [...BROADCAST_TRANSPORTS, 'dji-wifi'] as const;
export type Transport = (typeof TRANSPORTS)[number];
