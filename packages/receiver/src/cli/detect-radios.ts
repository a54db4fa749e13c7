import { existsSync, readdirSync } from 'node:fs';

/** The radios of this machine: Bluetooth controllers (hciN) and Wi-Fi network interfaces. */
export function detectRadios(sys = '/sys/class'): { ble: number[]; wifi: string[] } {
  const list = (dir: string): string[] => (existsSync(dir) ? readdirSync(dir) : []);
  const ble = list(`${sys}/bluetooth`).filter((d) => /^hci\d+$/.test(d)).map((d) => Number(d.slice(3)));
  // A Wi-Fi interface is a network interface with a phy80211 link.
  const wifi = list(`${sys}/net`).filter((i) => existsSync(`${sys}/net/${i}/phy80211`));
  return { ble, wifi };
}
