/**
 * The receiver's Wi-Fi source. Two ways to hear Wi-Fi Remote ID on Linux:
 * - monitor mode (WifiMonitorSource): tcpdump captures beacons, probe responses and NAN action frames
 *   while the radio hops between channels 6 and 149. Needs an adapter with monitor mode.
 * - managed-mode scanning (WifiScanSource): `iw scan` results rebuilt into beacons. Any adapter; beacons
 *   only, one sighting per scan.
 * node-wifi is not used: on Linux it only runs `nmcli device wifi list` (SSID, BSSID, signal), which has
 * no information elements, so no Remote ID (hardware/wifi/README.md).
 *
 * openWifiSource picks one: 'monitor' and 'scan' as asked; 'auto' uses monitor mode when the interface
 * already is a monitor interface and scans otherwise (it never changes the interface's mode unasked).
 */

import type { FrameSource } from './types.js';
import { runCommand, type CommandRunner } from './wifi/commands.js';
import { readInterfaceInfo } from './wifi/monitor-mode.js';
import { WifiMonitorSource, type WifiMonitorOptions } from './wifi/monitor-source.js';
import { WifiScanSource, type WifiScanOptions } from './wifi/scan-source.js';

export type WifiSourceMode = 'auto' | 'monitor' | 'scan';

export interface WifiSourceOptions extends Omit<WifiMonitorOptions, 'run'>, Omit<WifiScanOptions, 'run' | 'mode'> {
  mode?: WifiSourceMode;
  /** For the scan source: 'trigger' (default) or 'dump'. */
  scanMode?: WifiScanOptions['mode'];
  run?: CommandRunner;
}

export async function openWifiSource(opts: WifiSourceOptions): Promise<FrameSource> {
  const run = opts.run ?? runCommand;
  let mode = opts.mode ?? 'auto';
  if (mode === 'auto') {
    const info = await readInterfaceInfo(opts.iface, run);
    mode = info.type === 'monitor' ? 'monitor' : 'scan';
  }
  if (mode === 'monitor') return new WifiMonitorSource({ ...opts, run });
  return new WifiScanSource({
    iface: opts.iface,
    run,
    ...(opts.freqs ? { freqs: opts.freqs } : {}),
    ...(opts.intervalMs !== undefined ? { intervalMs: opts.intervalMs } : {}),
    ...(opts.scanMode ? { mode: opts.scanMode } : {}),
    ...(opts.timers ? { timers: opts.timers } : {}),
    ...(opts.onScan ? { onScan: opts.onScan } : {}),
  });
}

export { WifiMonitorSource, type WifiMonitorOptions, type MonitorModeSetup } from './wifi/monitor-source.js';
export { WifiScanSource, REMOTE_ID_FREQS, type WifiScanOptions, type ScanRound } from './wifi/scan-source.js';
export { ChannelHopper, REMOTE_ID_CHANNELS, DEFAULT_DWELL_MS, type ChannelHopperOptions } from './wifi/channel-hopper.js';
export { TcpdumpCapture, REMOTE_ID_BPF, liveTcpdumpArgs, fileTcpdumpArgs, explainTcpdumpFailure } from './wifi/tcpdump.js';
export { parseIwScan, unescapeSsid, type ScannedBss, type ScannedIeSet } from './wifi/iw-scan-parse.js';
export { syntheticFrame } from './wifi/synthetic-frame.js';
export { setInterfaceType, supportsMonitorMode, readInterfaceInfo, parseIwDevInfo, parseSupportedModes } from './wifi/monitor-mode.js';
export { WifiSourceError, type WifiErrorCode } from './wifi/errors.js';
export { runCommand, type CommandRunner, type CommandResult, type SpawnFn } from './wifi/commands.js';
export { ManualTimers, systemTimers, type Timers } from './wifi/timers.js';
