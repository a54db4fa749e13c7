/**
 * Puts the fake in place of `@stoprocent/bluetooth-hci-socket` for code that loads it by name.
 *
 * noble loads it with CommonJS `require()` from its own lib/hci-socket/hci.js and keeps
 * `require(...).loadDriver` from module load time, then calls `new (loadDriver('default'))()` for each
 * Hci. So the fake must be in place before noble is first required, and it is registered the CommonJS
 * way: a module in `Module._cache` under a virtual id, and a resolver hook that maps the bare package name
 * (from any directory, pnpm's nested layout included) to that id. The broadcaster's own HCI layer does not
 * need this: it takes a `socketFactory` (use `host.createSocket`).
 */

import Module, { createRequire } from 'node:module';
import { FakeAir } from './air.js';
import { FakeHost, type FakeHciSocket } from './controller.js';

/** Package names the fake answers for. */
export const HCI_SOCKET_PACKAGES = ['@stoprocent/bluetooth-hci-socket', '@abandonware/bluetooth-hci-socket'] as const;
const VIRTUAL_ID = '\0fake-hci/bluetooth-hci-socket.cjs';

interface ModuleInternals {
  _resolveFilename(request: string, parent: unknown, ...rest: unknown[]): string;
  _cache: Record<string, Module | undefined>;
}
const internals = Module as unknown as ModuleInternals;

/** What the fake module exports: a socket constructor, with `loadDriver` like the real one. */
export type FakeHciModule = (new () => FakeHciSocket) & { loadDriver(type?: string): new () => FakeHciSocket };

export interface FakeHciInstall {
  host: FakeHost;
  air: FakeAir;
  /** The exports a `require('@stoprocent/bluetooth-hci-socket')` now gets. */
  module: FakeHciModule;
  /** Puts the real module back for code that requires it from now on. */
  restore(): void;
}

let current: FakeHciInstall | undefined;

/** Sockets go to whichever install is current when they are created, so noble can be loaded only once. */
function makeModule(): FakeHciModule {
  function BluetoothHciSocket(): FakeHciSocket {
    if (current === undefined) throw new Error('the fake bluetooth-hci-socket was used after restore(): call withFakeHci() again first');
    return current.host.createSocket();
  }
  const ctor = BluetoothHciSocket as unknown as FakeHciModule;
  ctor.loadDriver = () => ctor;
  return ctor;
}
const fakeModule = makeModule();

let installedOnce = false;

/** noble's Hci module, if something loaded it before the fake was ever installed (it then holds the real socket). */
function nobleLoadedFirst(): string | undefined {
  if (installedOnce) return undefined;
  return Object.keys(internals._cache).find((k) => /[\\/]noble[\\/]lib[\\/]hci-socket[\\/]hci\.js$/.test(k));
}

/**
 * Installs the fake. The host gets one adapter (hci0) on `air` unless `host` is given. Throws when noble was
 * loaded before any install: it would keep the real socket, and the test would touch the OS.
 */
export function withFakeHci(opts: { host?: FakeHost; air?: FakeAir } = {}): FakeHciInstall {
  const loaded = nobleLoadedFirst();
  if (loaded !== undefined) {
    throw new Error(`noble was loaded before withFakeHci() (${loaded}) and holds the real bluetooth-hci-socket: install the fake before anything requires noble`);
  }
  installedOnce = true;
  if (current !== undefined) current.restore();
  const air = opts.air ?? new FakeAir();
  let host = opts.host;
  if (host === undefined) {
    host = new FakeHost();
    host.addController({ air });
  }

  const original = internals._resolveFilename;
  internals._resolveFilename = function (request: string, parent: unknown, ...rest: unknown[]): string {
    if ((HCI_SOCKET_PACKAGES as readonly string[]).includes(request)) return VIRTUAL_ID;
    return original.call(this, request, parent, ...rest);
  };
  const m = new Module(VIRTUAL_ID);
  m.filename = VIRTUAL_ID;
  m.loaded = true;
  m.exports = fakeModule;
  internals._cache[VIRTUAL_ID] = m;

  const install: FakeHciInstall = {
    host,
    air,
    module: fakeModule,
    restore() {
      if (current !== install) return;
      internals._resolveFilename = original;
      delete internals._cache[VIRTUAL_ID];
      current = undefined;
    },
  };
  current = install;
  return install;
}

/** A CommonJS require rooted at the caller's file, to load noble (or the socket module) after withFakeHci(). */
export const requireFrom = (url: string): NodeJS.Require => createRequire(url);
