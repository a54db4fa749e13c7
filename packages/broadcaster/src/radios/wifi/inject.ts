/**
 * Frame injection on a monitor-mode interface through libpcap's pcap_sendpacket, via the `cap` addon
 * (needs libpcap-dev to build), loaded only when a radio starts. mac80211 takes an injected frame as
 * radiotap header + 802.11 frame without FCS and transmits it as is (Linux
 * Documentation/networking/mac80211-injection.rst).
 *
 * Radios talk to a FrameSender, so tests swap in a fake and check the exact bytes.
 */

import { createRequire } from 'node:module';
import { readFileBoundedSync } from '@odid/commands';
import type { BroadcastTransport } from '@odid/codec';
import { RadioError } from '../types.js';

export interface FrameSender {
  readonly description: string;
  /** Puts one radiotap + 802.11 frame on the air; throws RadioError if the driver refuses it. */
  send(frame: Uint8Array): void;
  close(): void;
}

/** The part of cap 0.2.1's API used here (it ships no types). */
export interface CapHandle {
  open(device: string, filter: string, bufSize: number, buffer: Buffer): string;
  send(buffer: Buffer, nBytes?: number): void;
  close(): void;
}
export interface CapModule {
  Cap: new () => CapHandle;
}

/** ARPHRD_IEEE80211_RADIOTAP (linux/if_arp.h): what /sys/class/net/IF/type reads in monitor mode. */
export const ARPHRD_IEEE80211_RADIOTAP = 803;
const ARPHRD_ETHER = 1;

export const monitorFix = (iface: string): string =>
  `put it in monitor mode: sudo hardware/wifi/monitor-setup.sh ${iface} 6 ` +
  `(ip link set ${iface} down; iw dev ${iface} set type monitor; ip link set ${iface} up; iw dev ${iface} set channel 6)`;

/** Reads the interface's ARPHRD type from sysfs; undefined when there is no such interface. */
export function readInterfaceType(iface: string): number | undefined {
  try {
    // A sysfs attribute: a few bytes (bounded all the same, as every file the tools read whole).
    return Number(readFileBoundedSync(`/sys/class/net/${iface}/type`, { maxBytes: 4096 }).toString('utf8').trim());
  } catch {
    return undefined;
  }
}

/** Throws RadioError unless `iface` exists and is a monitor-mode (radiotap) interface. */
export function checkMonitorInterface(
  transport: BroadcastTransport,
  iface: string,
  readType: (iface: string) => number | undefined = readInterfaceType,
): void {
  const type = readType(iface);
  if (type === undefined) {
    throw new RadioError('no-device', transport, `there is no network interface ${iface}`, 'name a Wi-Fi interface that `iw dev` lists (no Wi-Fi adapter: see hardware/wifi/README.md)');
  }
  if (type !== ARPHRD_IEEE80211_RADIOTAP) {
    const what = type === ARPHRD_ETHER ? 'managed/AP mode (Ethernet-like)' : `link type ${type}`;
    throw new RadioError('not-monitor', transport, `${iface} is in ${what}, not monitor mode`, monitorFix(iface));
  }
}

/** Loads the cap addon on first use; a missing or unbuilt addon becomes a RadioError saying so. */
export function loadCap(transport: BroadcastTransport): CapModule {
  try {
    const mod = createRequire(import.meta.url)('cap') as CapModule;
    if (typeof mod.Cap !== 'function') throw new Error('no Cap export');
    return mod;
  } catch (e) {
    throw new RadioError(
      'not-installed',
      transport,
      `the cap addon (libpcap binding) cannot be loaded (${(e as Error).message.split('\n')[0]})`,
      'apt-get install libpcap-dev, then `pnpm install` with cap allowed to build (pnpm.onlyBuiltDependencies); or use the hostapd back-end',
    );
  }
}

export interface OpenInjectorOptions {
  transport: BroadcastTransport;
  iface: string;
  /** Replaces the addon (tests). */
  cap?: CapModule;
  /** Replaces the sysfs read (tests); pass null to skip the sysfs check and rely on libpcap's link type. */
  readType?: ((iface: string) => number | undefined) | null;
}

// libpcap's capture side is unused: a filter no frame can pass keeps it from copying traffic.
const DROP_ALL_FILTER = 'less 1';
const PCAP_BUFFER_BYTES = 256 * 1024;

/** Opens `iface` for injection; throws RadioError if it is not a monitor interface or libpcap refuses. */
export function openMonitorInjector(o: OpenInjectorOptions): FrameSender {
  if (o.readType !== null) checkMonitorInterface(o.transport, o.iface, o.readType);
  const cap = o.cap ?? loadCap(o.transport);
  const handle = new cap.Cap();
  let linkType: string;
  try {
    linkType = handle.open(o.iface, DROP_ALL_FILTER, PCAP_BUFFER_BYTES, Buffer.alloc(65535));
  } catch (e) {
    const msg = (e as Error).message;
    const perm = /permission|not permitted/i.test(msg);
    throw new RadioError(
      perm ? 'permission' : 'no-device',
      o.transport,
      `libpcap cannot open ${o.iface}: ${msg}`,
      perm ? 'run as root, or give node CAP_NET_RAW: sudo setcap cap_net_raw,cap_net_admin+eip "$(command -v node)"' : 'check the interface name (`iw dev`)',
    );
  }
  if (linkType !== 'IEEE802_11_RADIO') {
    handle.close();
    throw new RadioError('not-monitor', o.transport, `${o.iface} delivers ${linkType} frames, not radiotap: it is not in monitor mode`, monitorFix(o.iface));
  }
  return {
    description: `${o.iface} (monitor mode, libpcap injection)`,
    send(frame: Uint8Array): void {
      try {
        handle.send(Buffer.from(frame.buffer, frame.byteOffset, frame.byteLength), frame.byteLength);
      } catch (e) {
        throw new RadioError(
          'failed',
          o.transport,
          `the driver refused an injected frame on ${o.iface}: ${(e as Error).message}`,
          'check the interface is still up and in monitor mode (iw dev), and that its driver supports injection (hardware/wifi/README.md)',
        );
      }
    },
    close(): void {
      handle.close();
    },
  };
}
