/**
 * hostapd.conf for a beacon-only open AP that carries the Open Drone ID vendor element (spec digest §3.3).
 * Field names follow hostapd 2.10's hostapd/hostapd.conf and hostapd/config_file.c (vendor_elements and
 * ssid2 as hex). The file is checked against a real `hostapd -dd` in the tests.
 */

import { toHex } from '@odid/codec';
import { RadioError } from '../types.js';

/**
 * beacon_int limits every layer accepts: hostapd 2.10 takes 10..65535 ("invalid beacon_int %d (expected
 * 10..65535)"), older hostapd 15..65535, and Linux cfg80211 (cfg80211_validate_beacon_int) refuses more
 * than 10000 TU. Remote ID's 1..5 Hz is far inside.
 */
export const BEACON_INT_MIN_TU = 15;
export const BEACON_INT_MAX_TU = 10000;
/** 1 TU = 1024 µs. */
const TU_US = 1024;
/** The channels the ASTM means of compliance expects (2.4 GHz ch 6, 5 GHz ch 149); others need 5 Hz. */
export const REMOTE_ID_WIFI_CHANNELS: readonly number[] = [6, 149];
const OFF_CHANNEL_MIN_RATE_HZ = 5;

export interface HostapdConfigOptions {
  /** Wi-Fi interface hostapd takes over (it must support AP mode: `iw list` shows "* AP"). */
  iface: string;
  /** Any SSID; Remote ID does not define it and receivers must not filter on it. */
  ssid: string;
  /** 6 (2437 MHz) or 149 (5745 MHz); any other channel needs rateHz >= 5. */
  channel: number;
  /** Packs per second: the beacon interval follows from it. */
  rateHz: number;
  /** Directory for hostapd's control sockets (hostapd creates it). */
  ctrlInterface: string;
  /** Complete vendor elements (`DD len ...`) to start with; omitted until the first transmission. */
  vendorElements?: Uint8Array;
  /** ISO 3166 alpha-2; required on 5 GHz, where the world domain forbids beaconing. */
  countryCode?: string;
  /** hostapd driver, default nl80211. */
  driver?: string;
}

/**
 * Beacon interval in TU for a pack rate. Rounded down so beacons are never rarer than asked:
 * ArduRemoteID's 1000/rate TU is 1.024 s at 1 Hz, just outside "at least once per second".
 */
export function beaconIntervalTU(rateHz: number): number {
  if (!(Number.isFinite(rateHz) && rateHz > 0)) {
    throw new RadioError('config', 'wifi-beacon', `rate must be a positive number of packs per second, got ${rateHz}`, 'use a rate such as 1 or 2');
  }
  const tu = Math.floor(1_000_000 / TU_US / rateHz);
  if (tu < BEACON_INT_MIN_TU || tu > BEACON_INT_MAX_TU) {
    const lo = (1_000_000 / TU_US / BEACON_INT_MAX_TU).toFixed(3);
    const hi = Math.floor(1_000_000 / TU_US / BEACON_INT_MIN_TU);
    throw new RadioError('config', 'wifi-beacon', `rate ${rateHz} Hz needs a beacon interval of ${tu} TU, outside the ${BEACON_INT_MIN_TU}..${BEACON_INT_MAX_TU} TU that hostapd and Linux accept`, `use a rate between ${lo} and ${hi} Hz`);
  }
  return tu;
}

/** hw_mode for a channel number: 'g' on 2.4 GHz, 'a' on 5 GHz. */
export function hwModeForChannel(channel: number): 'g' | 'a' {
  if (Number.isInteger(channel) && channel >= 1 && channel <= 14) return 'g';
  if (Number.isInteger(channel) && channel >= 32 && channel <= 177) return 'a';
  throw new RadioError('config', 'wifi-beacon', `channel ${channel} is neither a 2.4 GHz (1..14) nor a 5 GHz (32..177) channel`, 'use channel 6 or 149');
}

// Linux interface names: at most 15 bytes (IFNAMSIZ - 1), no '/', no whitespace.
const IFACE_RE = /^[A-Za-z0-9_.:-]{1,15}$/;

export function checkInterfaceName(iface: string): string {
  if (!IFACE_RE.test(iface)) {
    throw new RadioError('config', 'wifi-beacon', `'${iface}' is not a network interface name`, 'name the Wi-Fi interface as `iw dev` lists it, e.g. wlan0');
  }
  return iface;
}

/** The config file text. Throws RadioError for anything hostapd would refuse or the rules forbid. */
export function buildHostapdConfig(o: HostapdConfigOptions): string {
  checkInterfaceName(o.iface);
  const hwMode = hwModeForChannel(o.channel);
  const interval = beaconIntervalTU(o.rateHz);
  if (!REMOTE_ID_WIFI_CHANNELS.includes(o.channel) && o.rateHz < OFF_CHANNEL_MIN_RATE_HZ) {
    throw new RadioError(
      'config',
      'wifi-beacon',
      `channel ${o.channel} is not a Remote ID channel (6 or 149), where the rules ask for ${OFF_CHANNEL_MIN_RATE_HZ} Hz, but the rate is ${o.rateHz} Hz`,
      `use channel 6 or 149, or a rate of at least ${OFF_CHANNEL_MIN_RATE_HZ} Hz`,
    );
  }
  const country = o.countryCode?.toUpperCase();
  if (country !== undefined && !/^[A-Z]{2}$/.test(country)) {
    throw new RadioError('config', 'wifi-beacon', `country code '${o.countryCode}' is not two letters`, 'use the ISO 3166 code of where you fly, e.g. US, DE, FR');
  }
  if (hwMode === 'a' && country === undefined) {
    throw new RadioError('channel', 'wifi-beacon', `channel ${o.channel} is 5 GHz, where the world regulatory domain forbids starting a beacon`, 'give the country code of where you fly (e.g. --country US); see hardware/wifi/README.md');
  }
  if (o.driver !== undefined && !/^[a-z0-9_]+$/.test(o.driver)) {
    throw new RadioError('config', 'wifi-beacon', `'${o.driver}' is not a hostapd driver name`, 'leave it out (nl80211 is what Linux Wi-Fi drivers use)');
  }
  if (!/^\/[^\0\n\r#]*$/.test(o.ctrlInterface)) {
    throw new RadioError('config', 'wifi-beacon', `control interface directory '${o.ctrlInterface}' is not a usable path`, 'use an absolute directory such as /run/odid-hostapd');
  }

  const lines = [
    '# Written by @odid/broadcaster: beacon-only open AP carrying the Open Drone ID vendor element.',
    `interface=${o.iface}`,
    `driver=${o.driver ?? 'nl80211'}`,
    `ctrl_interface=${o.ctrlInterface}`,
    'ctrl_interface_group=0',
    ssidLine(o.ssid),
    `hw_mode=${hwMode}`,
    `channel=${o.channel}`,
    `beacon_int=${interval}`,
    // No station may join: the AP exists only to beacon (and answer probes, which carry the element too).
    'max_num_sta=0',
    'auth_algs=1',
    'wpa=0',
    'ignore_broadcast_ssid=0',
    // WMM adds an element to every beacon for nothing a broadcast-only AP uses.
    'wmm_enabled=0',
  ];
  if (country !== undefined) lines.push(`country_code=${country}`, 'ieee80211d=1');
  if (o.vendorElements !== undefined) lines.push(`vendor_elements=${vendorElementsHex(o.vendorElements)}`);
  return lines.join('\n') + '\n';
}

/** hostapd wants vendor_elements as plain hex of whole elements. */
export function vendorElementsHex(elements: Uint8Array): string {
  let o = 0;
  while (o < elements.length) {
    if (elements[o] !== 0xdd || o + 2 > elements.length || o + 2 + elements[o + 1]! > elements.length) {
      throw new RadioError('payload', 'wifi-beacon', `vendor_elements must be whole vendor-specific elements (DD len ...), byte ${o} is not`, 'pass buildOdidBeaconElement(counter, pack)');
    }
    o += 2 + elements[o + 1]!;
  }
  if (elements.length === 0) throw new RadioError('payload', 'wifi-beacon', 'vendor_elements is empty', 'pass buildOdidBeaconElement(counter, pack)');
  return toHex(elements);
}

/**
 * `ssid=` takes the rest of the line as is, but hostapd strips '#' comments and the line ends at a newline:
 * anything outside plain printable ASCII goes as `ssid2=<hex>` instead.
 */
function ssidLine(ssid: string): string {
  const bytes = new TextEncoder().encode(ssid);
  if (bytes.length < 1 || bytes.length > 32) {
    throw new RadioError('config', 'wifi-beacon', `SSID must be 1..32 bytes, '${ssid}' is ${bytes.length}`, 'use a short SSID such as RID-<serial tail>');
  }
  return /^[\x21-\x22\x24-\x7e][\x20-\x22\x24-\x7e]*$/.test(ssid) && !ssid.endsWith(' ') ? `ssid=${ssid}` : `ssid2=${toHex(bytes)}`;
}
