/**
 * Interface mode through iw and ip: read what an interface is (`iw dev IF info`), whether its radio can
 * do monitor mode (`iw phy phyN info`, "Supported interface modes"), and switch it (down, set type, up:
 * the kernel refuses a type change on an interface that is up).
 */

import { runCommand, type CommandRunner } from './commands.js';
import { explainIwFailure } from './iw-errors.js';

export interface InterfaceInfo {
  /** "managed", "monitor", "AP", ... */
  type?: string;
  wiphy?: number;
  addr?: string;
  /** Current channel, when tuned. */
  channel?: number;
}

/** Parses `iw dev IF info` (iw 5.19 interface.c print_iface_handler: tab-indented "key value" lines). */
export function parseIwDevInfo(text: string): InterfaceInfo {
  const info: InterfaceInfo = {};
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    let m;
    if ((m = /^type (.+)$/.exec(line))) info.type = m[1]!;
    else if ((m = /^wiphy (\d+)$/.exec(line))) info.wiphy = Number(m[1]);
    else if ((m = /^addr ([0-9a-f:]{17})$/.exec(line))) info.addr = m[1]!;
    else if ((m = /^channel (\d+) \(/.exec(line))) info.channel = Number(m[1]);
  }
  return info;
}

/** The interface modes listed under "Supported interface modes:" in `iw phy phyN info`. */
export function parseSupportedModes(text: string): string[] {
  const lines = text.split('\n');
  const start = lines.findIndex((l) => l.trim() === 'Supported interface modes:');
  if (start < 0) return [];
  const modes: string[] = [];
  for (const l of lines.slice(start + 1)) {
    const m = /^\s+\* (.+)$/.exec(l);
    if (!m) break;
    modes.push(m[1]!.trim());
  }
  return modes;
}

export async function readInterfaceInfo(iface: string, run: CommandRunner = runCommand): Promise<InterfaceInfo> {
  const r = await run('iw', ['dev', iface, 'info']);
  if (r.code !== 0) throw explainIwFailure(r, { tool: 'iw', iface, action: 'info' });
  return parseIwDevInfo(r.stdout);
}

/** Whether the radio behind `iface` lists monitor among its interface modes. */
export async function supportsMonitorMode(iface: string, run: CommandRunner = runCommand): Promise<boolean> {
  const info = await readInterfaceInfo(iface, run);
  if (info.type === 'monitor') return true;
  if (info.wiphy === undefined) return false;
  const r = await run('iw', ['phy', `phy${info.wiphy}`, 'info']);
  if (r.code !== 0) throw explainIwFailure(r, { tool: 'iw', iface, action: 'phy info' });
  return parseSupportedModes(r.stdout).includes('monitor');
}

/** ip link set IF down; iw dev IF set type TYPE; ip link set IF up. Throws WifiSourceError with the fix. */
export async function setInterfaceType(iface: string, type: 'monitor' | 'managed', run: CommandRunner = runCommand): Promise<void> {
  const steps: [cmd: 'ip' | 'iw', args: string[], action: string][] = [
    ['ip', ['link', 'set', iface, 'down'], 'link set down'],
    ['iw', ['dev', iface, 'set', 'type', type], `set type ${type}`],
    ['ip', ['link', 'set', iface, 'up'], 'link set up'],
  ];
  for (const [cmd, args, action] of steps) {
    const r = await run(cmd, args);
    if (r.code !== 0) throw explainIwFailure(r, { tool: cmd, iface, action });
  }
}
