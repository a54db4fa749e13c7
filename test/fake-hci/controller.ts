/**
 * A fake Bluetooth controller behind a fake bluetooth-hci-socket, so noble and the broadcaster's HCI layer
 * run unchanged on a machine without Bluetooth.
 *
 * - `FakeHost` is the machine: its adapters (hci0, hci1, ...) and what its kernel allows (no AF_BLUETOOTH, no
 *   permission). `host.SocketClass` has the API surface of `@stoprocent/bluetooth-hci-socket`.
 * - `FakeController` is one adapter: it checks and answers every HCI command (commands.ts) and keeps the
 *   advertising/scanning state that tests read. Put two on a `FakeAir` and one hears the other's adverts.
 * - `FakeHciSocket` mirrors the native module's behaviour, including its quirks: a socket() failure is
 *   *emitted* as 'error' (errno, syscall 'socket creation failed') and bind returns undefined, while a bind()
 *   failure is *thrown* as an Error whose message is strerror() and which has no code.
 */

import { EventEmitter } from 'node:events';
import { executeCommand, type CommandRecord } from './commands.js';
import type { Capabilities, Model } from './model.js';
import type { FakeAir, Advertisement } from './air.js';
import {
  EVENT_MASK_LE_META,
  EVT_COMMAND_COMPLETE,
  EVT_COMMAND_STATUS,
  H4_COMMAND,
  H4_EVENT,
  LEGACY_ADV_TYPE_PDUS,
  LEGACY_PROPERTY_PDUS,
  PHY_1M,
  PROP,
  type BluetoothVersion,
} from './spec.js';
import { initialState, type ControllerState } from './state.js';

/** Linux errno values the native module reports. */
const ERRNO = { EPERM: 1, EBADF: 9, EINVAL: 22, EAFNOSUPPORT: 97, ENETDOWN: 100, EBADFD: 77, ENODEV: 19, EBUSY: 16 } as const;
const STRERROR: Readonly<Record<keyof typeof ERRNO, string>> = {
  EPERM: 'Operation not permitted',
  EBADF: 'Bad file descriptor',
  EINVAL: 'Invalid argument',
  EAFNOSUPPORT: 'Address family not supported by protocol',
  ENETDOWN: 'Network is down',
  EBADFD: 'File descriptor in bad state',
  ENODEV: 'No such device',
  EBUSY: 'Device or resource busy',
};
/** Company identifier 0xFFFF: reserved by the Bluetooth SIG for tests. */
const TEST_COMPANY_ID = 0xffff;
const HCI_FILTER_LENGTH = 14;
const UNITS_625_US = 0.625;

export interface FakeControllerOptions {
  /** Default '5.4'. '4.2' has no Bluetooth 5 commands at all. */
  version?: BluetoothVersion;
  /** LE feature bit 12; default: every version but 4.2. */
  extendedAdvertising?: boolean;
  /** LE feature bit 11; default: every version but 4.2. */
  codedPhy?: boolean;
  /** Public BD_ADDR, "AA:BB:CC:DD:EE:FF". Default 00:1B:DC:F0:00:<devId>. */
  address?: string;
  advertisingSets?: number;
  /** LE Read Maximum Advertising Data Length; default 251. */
  maxAdvertisingDataLength?: number;
  /** Data octets per LE Extended Advertising Report before the controller splits it; default (and max) 229. */
  reportFragmentLength?: number;
  /** Whether the kernel has the adapter up (as bluetoothd leaves it). Default true. */
  adapterUp?: boolean;
  /** Opcodes this controller never answers, to test host timeouts. */
  silentOpcodes?: Iterable<number>;
}

/** The machine the sockets are opened on. */
export interface FakeHostOptions {
  /** What socket(AF_BLUETOOTH, ...) does on this machine: 'ok', no Bluetooth in the kernel, or no CAP_NET_RAW. */
  kernel?: 'ok' | 'no-bluetooth' | 'no-permission';
}

function macToLe(mac: string): Uint8Array {
  const parts = mac.split(':');
  if (parts.length !== 6 || parts.some((p) => !/^[0-9a-fA-F]{2}$/.test(p))) throw new TypeError(`not a Bluetooth address: ${mac}`);
  return Uint8Array.from(parts.reverse().map((p) => parseInt(p, 16)));
}

export function leToMac(le: Uint8Array): string {
  return Array.from(le).reverse().map((b) => b.toString(16).padStart(2, '0').toUpperCase()).join(':');
}

export class FakeController implements Model {
  readonly caps: Capabilities;
  state: ControllerState = initialState();
  /** Every command packet this controller handled, in order. */
  readonly log: CommandRecord[] = [];
  /** Packets a real controller could not even parse as a command. */
  readonly violations: string[] = [];
  adapterUp: boolean;
  air: FakeAir | undefined;
  readonly reportFragmentLength: number;
  private readonly silent: Set<number>;
  private readonly sockets = new Set<FakeHciSocket>();
  /** (advert, data) pairs already reported since scanning was enabled, for Filter_Duplicates. */
  private readonly reported = new Set<string>();
  private resets = 0;

  constructor(
    readonly devId: number,
    opts: FakeControllerOptions = {},
  ) {
    const version = opts.version ?? '5.4';
    const bt5 = version !== '4.2';
    this.caps = {
      version,
      extendedAdvertising: opts.extendedAdvertising ?? bt5,
      codedPhy: opts.codedPhy ?? bt5,
      publicAddress: macToLe(opts.address ?? `00:1B:DC:F0:00:${devId.toString(16).padStart(2, '0')}`),
      manufacturer: TEST_COMPANY_ID,
      advertisingSets: opts.advertisingSets ?? 4,
      maxAdvertisingDataLength: opts.maxAdvertisingDataLength ?? 251,
    };
    if (this.caps.extendedAdvertising && !bt5) throw new RangeError('a 4.2 controller cannot have extended advertising');
    this.reportFragmentLength = Math.min(opts.reportFragmentLength ?? 229, 229);
    this.adapterUp = opts.adapterUp ?? true;
    this.silent = new Set(opts.silentOpcodes ?? []);
  }

  get name(): string {
    return `hci${this.devId}`;
  }

  get publicAddress(): string {
    return leToMac(this.caps.publicAddress);
  }

  /** How many HCI_Reset commands it has executed. */
  get resetCount(): number {
    return this.resets;
  }

  reset(): void {
    this.state = initialState();
    this.reported.clear();
    this.resets++;
  }

  /** Runs one command directly (as if a socket wrote it) and returns what the controller recorded. */
  exec(opcode: number, params: Uint8Array | readonly number[] = []): CommandRecord {
    const packet = Uint8Array.from([H4_COMMAND, opcode & 0xff, opcode >> 8, params.length, ...params]);
    const rec = this.handle(packet);
    if (rec === undefined) throw new Error('unreachable: a well-formed command always gets a record');
    return rec;
  }

  /** The records of one opcode, oldest first. */
  commands(opcode: number): CommandRecord[] {
    return this.log.filter((r) => r.opcode === opcode);
  }

  private handle(packet: Uint8Array): CommandRecord | undefined {
    const wasScanning = this.state.scan.enabled;
    const rec = executeCommand(this, packet);
    if (rec === undefined) {
      this.violations.push(`unparseable command packet ${Buffer.from(packet).toString('hex')}`);
      return undefined;
    }
    if (rec.why.startsWith('Parameter_Total_Length')) this.violations.push(`${rec.name}: ${rec.why}`);
    if (!wasScanning && this.state.scan.enabled) this.reported.clear();
    this.log.push(rec);
    return rec;
  }

  /** A command packet written by a bound socket. The reply arrives asynchronously, as from a real device. */
  receive(packet: Uint8Array): void {
    if (packet[0] !== H4_COMMAND) return; // ACL/SCO/ISO data: no connections exist here
    const rec = this.handle(packet);
    if (rec === undefined || this.silent.has(rec.opcode)) return;
    queueMicrotask(() => this.emitEvent(rec.reply));
  }

  /** Sends an HCI event packet to every started socket bound to this adapter that lets it through. */
  emitEvent(event: Uint8Array): void {
    for (const s of this.sockets) s.deliver(event);
  }

  /** Whether the host unmasked this LE subevent (Set Event Mask bit 61 and LE Set Event Mask). */
  wantsLeEvent(subevent: number): boolean {
    return (this.state.eventMask & EVENT_MASK_LE_META) !== 0n && (this.state.leEventMask & (1n << BigInt(subevent - 1))) !== 0n;
  }

  /** Filter_Duplicates: true the first time this (advert, data) is reported since scanning started. */
  firstReport(key: string): boolean {
    if (this.state.scan.filterDuplicates === 0) return true;
    if (this.reported.has(key)) return false;
    this.reported.add(key);
    return true;
  }

  /** What this controller is putting on the air right now. */
  advertisements(): Advertisement[] {
    const out: Advertisement[] = [];
    const legacy = this.state.legacyAdv;
    if (legacy.enabled) {
      const random = (legacy.params.ownAddressType & 1) === 1;
      out.push({
        key: `${this.name}/legacy`,
        legacyPdu: LEGACY_ADV_TYPE_PDUS[legacy.params.type]!,
        intervalMs: legacy.params.intervalMax * UNITS_625_US,
        address: random ? this.state.randomAddress : this.caps.publicAddress,
        addressType: random ? 1 : 0,
        data: legacy.data,
        primaryPhy: PHY_1M,
        secondaryPhy: 0,
      });
    }
    for (const set of this.state.sets.values()) {
      if (!set.enabled) continue;
      const p = set.params;
      const random = (p.ownAddressType & 1) === 1;
      const legacyPdu = p.properties & PROP.LEGACY ? LEGACY_PROPERTY_PDUS.get(p.properties) : undefined;
      const ad: Advertisement = {
        key: `${this.name}/set${set.handle}`,
        intervalMs: p.intervalMax * UNITS_625_US,
        address: p.properties & PROP.ANONYMOUS ? undefined : random ? set.randomAddress : this.caps.publicAddress,
        addressType: random ? 1 : 0,
        data: set.data,
        primaryPhy: p.primaryPhy,
        secondaryPhy: legacyPdu ? 0 : p.secondaryPhy,
        properties: p.properties & (PROP.CONNECTABLE | PROP.SCANNABLE | PROP.DIRECTED),
      };
      if (legacyPdu !== undefined) ad.legacyPdu = legacyPdu;
      else ad.sid = p.sid;
      if (p.properties & PROP.INCLUDE_TX_POWER) ad.txPower = p.selectedTxPower;
      out.push(ad);
    }
    return out;
  }

  /** @internal socket bookkeeping */
  attachSocket(s: FakeHciSocket): void {
    this.sockets.add(s);
  }

  /** @internal */
  detachSocket(s: FakeHciSocket): void {
    this.sockets.delete(s);
  }

  /** @internal: a socket bound with the user channel owns the adapter. */
  userChannelOwner(): FakeHciSocket | undefined {
    for (const s of this.sockets) if (s.channel === 'user') return s;
    return undefined;
  }
}

interface NativeError extends Error {
  errno?: number;
  syscall?: string;
}

function nativeError(code: keyof typeof ERRNO, syscall?: string): NativeError {
  const e: NativeError = new Error(STRERROR[code]);
  if (syscall !== undefined) {
    e.errno = ERRNO[code];
    e.syscall = syscall;
  }
  return e;
}

/** The `@stoprocent/bluetooth-hci-socket` API, backed by a FakeHost. */
export class FakeHciSocket extends EventEmitter {
  channel: 'user' | 'raw' | 'control' | undefined;
  controller: FakeController | undefined;
  private socketOpen = false;
  private started = false;
  private closed = false;
  private filter: Uint8Array | undefined;
  private readonly queued: Uint8Array[] = [];

  constructor(private readonly host: FakeHost) {
    super();
  }

  /** socket(AF_BLUETOOTH, SOCK_RAW, BTPROTO_HCI): the native module emits its failure instead of throwing. */
  private ensureSocket(): boolean {
    if (this.socketOpen) return true;
    const kernel = this.host.kernel;
    if (kernel === 'no-bluetooth' || kernel === 'no-permission') {
      this.emit('error', nativeError(kernel === 'no-bluetooth' ? 'EAFNOSUPPORT' : 'EPERM', 'socket creation failed'));
      return false;
    }
    this.socketOpen = true;
    return true;
  }

  bindRaw(devId?: number): number | undefined {
    return this.bind('raw', devId);
  }

  bindUser(devId?: number): number | undefined {
    return this.bind('user', devId);
  }

  bindControl(): void {
    if (!this.ensureSocket()) return;
    this.channel = 'control';
  }

  private bind(channel: 'user' | 'raw', devId?: number): number | undefined {
    if (!this.ensureSocket()) return undefined;
    // Without a device id the native module picks the first adapter that is up (raw) or down (user).
    const id = devId ?? this.host.controllers().find((c) => c.adapterUp === (channel === 'raw'))?.devId ?? 0;
    const ctrl = this.host.controller(id);
    if (ctrl === undefined) throw nativeError('ENODEV');
    // The kernel gives the user channel only to one socket, and only while the adapter is down.
    if (ctrl.userChannelOwner() !== undefined) throw nativeError('EBUSY');
    if (channel === 'user' && ctrl.adapterUp) throw nativeError('EBUSY');
    this.channel = channel;
    this.controller = ctrl;
    ctrl.attachSocket(this);
    return id;
  }

  isDevUp(): boolean {
    if (!this.ensureSocket()) return false;
    return this.controller?.adapterUp ?? false;
  }

  getDeviceList(): { devId: number; devUp: boolean; idVendor: null; idProduct: null; busNumber: null; deviceAddress: null; path: null }[] {
    if (!this.ensureSocket()) return [];
    return this.host.controllers().map((c) => ({
      devId: c.devId,
      devUp: c.adapterUp,
      idVendor: null,
      idProduct: null,
      busNumber: null,
      deviceAddress: null,
      path: null,
    }));
  }

  /** struct hci_filter: type_mask (4), event_mask (2 x 4), opcode (2). Only the raw channel filters. */
  setFilter(filter: Buffer | Uint8Array): void {
    if (!this.ensureSocket()) return;
    if (filter.length !== HCI_FILTER_LENGTH) throw nativeError('EINVAL');
    this.filter = Uint8Array.from(filter);
  }

  start(): void {
    this.started = true;
    for (const e of this.queued.splice(0)) this.emitData(e);
  }

  /** The native stop() ends the read thread, which closes the socket. */
  stop(): void {
    this.started = false;
    this.closed = true;
    this.controller?.detachSocket(this);
    this.controller = undefined;
  }

  /** The native wrapper's reset(): writes HCI_Reset. */
  reset(): void {
    this.write(Buffer.from([H4_COMMAND, 0x03, 0x0c, 0x00]));
  }

  write(data: Buffer | Uint8Array): void {
    if (this.closed) return void this.emit('error', nativeError('EBADF', 'write'));
    if (!this.ensureSocket()) return;
    const ctrl = this.controller;
    if (ctrl === undefined || this.channel === 'control') return void this.emit('error', nativeError('EBADFD', 'write'));
    if (data.length < 4) return void this.emit('error', nativeError('EINVAL', 'write'));
    if (this.channel === 'raw' && !ctrl.adapterUp) return void this.emit('error', nativeError('ENETDOWN', 'write'));
    ctrl.receive(Uint8Array.from(data));
  }

  /** @internal: an event from the controller, kept until start() like the kernel's socket buffer. */
  deliver(event: Uint8Array): void {
    if (this.channel === 'raw' && !this.passesFilter(event)) return;
    if (!this.started) {
      this.queued.push(event);
      return;
    }
    this.emitData(event);
  }

  private emitData(event: Uint8Array): void {
    this.emit('data', Buffer.from(event));
  }

  /** Linux hci_sock's raw-channel filter: packet type, event code, and opcode for command events. */
  private passesFilter(event: Uint8Array): boolean {
    const f = this.filter;
    if (f === undefined) return false; // a fresh raw socket's filter is all zeros: nothing passes
    const dv = new DataView(f.buffer, f.byteOffset, f.byteLength);
    if (!(dv.getUint32(0, true) & (1 << (event[0]! & 0x1f)))) return false;
    if (event[0] !== H4_EVENT) return true;
    const code = event[1]!;
    if (!(dv.getUint32(code < 32 ? 4 : 8, true) & (1 << (code & 31)))) return false;
    const op = dv.getUint16(12, true);
    if (op === 0) return true;
    if (code === EVT_COMMAND_COMPLETE) return (event[4]! | (event[5]! << 8)) === op;
    if (code === EVT_COMMAND_STATUS) return (event[5]! | (event[6]! << 8)) === op;
    return true;
  }
}

/** A machine with Bluetooth adapters (or without), handing out fake sockets. */
export class FakeHost {
  kernel: 'ok' | 'no-bluetooth' | 'no-permission';
  private readonly adapters = new Map<number, FakeController>();
  /** Every socket created, for tests that look at what noble did. */
  readonly sockets: FakeHciSocket[] = [];
  /** A constructor with the shape of the module's export, for code that does `new BluetoothHciSocket()`. */
  readonly SocketClass: new () => FakeHciSocket;

  constructor(opts: FakeHostOptions = {}) {
    this.kernel = opts.kernel ?? 'ok';
    const host = this;
    this.SocketClass = class extends FakeHciSocket {
      constructor() {
        super(host);
        host.sockets.push(this);
      }
    };
  }

  /** Plugs in an adapter: the next free hciN unless `devId` is given. */
  addController(opts: FakeControllerOptions & { devId?: number; air?: FakeAir } = {}): FakeController {
    let id = opts.devId ?? 0;
    if (opts.devId === undefined) while (this.adapters.has(id)) id++;
    if (this.adapters.has(id)) throw new RangeError(`hci${id} exists already`);
    const c = new FakeController(id, opts);
    this.adapters.set(id, c);
    opts.air?.attach(c);
    return c;
  }

  controller(devId: number): FakeController | undefined {
    return this.adapters.get(devId);
  }

  controllers(): FakeController[] {
    return [...this.adapters.values()].sort((a, b) => a.devId - b.devId);
  }

  createSocket(): FakeHciSocket {
    return new this.SocketClass();
  }
}
