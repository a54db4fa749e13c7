/**
 * Test helpers for the receiving side: start scanning on a fake controller with the real HCI commands a
 * host sends (so the fake's checks apply), and collect the events it reports.
 */

import type { FakeController, FakeHciSocket, FakeHost } from './controller.js';
import { ERR, OP } from './spec.js';

export interface ScanSetup {
  /** Extended scanning (LE Set Extended Scan Parameters/Enable) instead of the legacy commands. */
  extended?: boolean;
  /** Also scan LE Coded (extended only). Default true when extended. */
  coded?: boolean;
  filterDuplicates?: boolean;
}

const le16 = (v: number): number[] => [v & 0xff, v >> 8];
/** Set Event Mask with LE Meta (bit 61) on top of the defaults; LE mask with both report subevents. */
const EVENT_MASK = [0xff, 0xff, 0xff, 0xff, 0xff, 0x1f, 0x00, 0x20];
const LE_EVENT_MASK = [0x1f, 0x10, 0, 0, 0, 0, 0, 0];
const SCAN_INTERVAL = 0x0010;

function run(ctrl: FakeController, op: number, params: readonly number[]): void {
  const rec = ctrl.exec(op, params);
  if (rec.status !== ERR.SUCCESS) throw new Error(`${ctrl.name} refused ${rec.name}: status 0x${rec.status.toString(16)} (${rec.why})`);
}

/** Configures and enables scanning the way a host would, throwing if the controller refuses any step. */
export function startScanning(ctrl: FakeController, setup: ScanSetup = {}): void {
  run(ctrl, OP.SET_EVENT_MASK, EVENT_MASK);
  run(ctrl, OP.LE_SET_EVENT_MASK, LE_EVENT_MASK);
  const dup = setup.filterDuplicates ? 1 : 0;
  if (setup.extended) {
    const coded = setup.coded ?? true;
    const phy = [0, ...le16(SCAN_INTERVAL), ...le16(SCAN_INTERVAL)]; // passive
    run(ctrl, OP.LE_SET_EXT_SCAN_PARAMS, [0, 0, coded ? 0x05 : 0x01, ...phy, ...(coded ? phy : [])]);
    run(ctrl, OP.LE_SET_EXT_SCAN_ENABLE, [1, dup, 0, 0, 0, 0]);
  } else {
    run(ctrl, OP.LE_SET_SCAN_PARAMS, [0, ...le16(SCAN_INTERVAL), ...le16(SCAN_INTERVAL), 0, 0]);
    run(ctrl, OP.LE_SET_SCAN_ENABLE, [1, dup]);
  }
}

/** Opens a started user-channel socket on `devId` (the adapter must be down) and records what arrives. */
export function listen(host: FakeHost, devId: number): { socket: FakeHciSocket; events: Buffer[] } {
  const socket = host.createSocket();
  const events: Buffer[] = [];
  socket.on('data', (d: Buffer) => events.push(d));
  socket.bindUser(devId);
  socket.start();
  return { socket, events };
}
