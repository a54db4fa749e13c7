/**
 * The receiver benchmark's load process as one JavaScript file for plain node: measured without a TypeScript
 * loader (which on its own costs ~40 MB of RSS), from the workspace sources. Our packages and the
 * pure-JavaScript libraries are bundled; the native modules are not (they load .node binaries next to their
 * own files) and are found at run time from node_modules.
 */

import { build } from 'esbuild';

/** Native add-ons, each loaded only when the radio or port that needs it is opened. */
const NATIVE = ['@stoprocent/noble', '@stoprocent/bluetooth-hci-socket', 'serialport', 'cap', 'unix-dgram', 'cbor-extract'];

/** CommonJS libraries inside an ES module bundle still call require() for Node's built-ins. */
const REQUIRE_SHIM = "import { createRequire as __odidCreateRequire } from 'node:module'; const require = __odidCreateRequire(import.meta.url);";

export async function bundle(entry: string, outfile: string): Promise<void> {
  await build({
    entryPoints: [entry],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    external: NATIVE,
    banner: { js: REQUIRE_SHIM },
    // Our packages from their TypeScript sources, as the tests and tsx resolve them.
    conditions: ['@odid/source'],
    sourcemap: 'linked',
    logLevel: 'error',
  });
}
