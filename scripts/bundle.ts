/**
 * One JavaScript file per program, for machines that run the tools rather than develop them (a Raspberry
 * Pi beside the autopilot, a handheld): plain `node` starts at once and carries no TypeScript loader, which
 * on its own costs ~40 MB of RSS. Our packages and the pure-JavaScript libraries are bundled; the native
 * modules are not (they load .node binaries next to their own files) and are found at run time from the
 * bundle's folder, so each program is written into the dist/ of the package that depends on them.
 *
 * `pnpm build` (this file run directly) type-checks first, then writes the three CLIs. The receiver
 * benchmark measures its load process through the same bundling.
 */

import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
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
    sourcemap: 'linked',
    logLevel: 'error',
  });
}

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** The programs `pnpm build` writes: source -> output, both from the repository root. */
export const PROGRAMS: ReadonlyArray<{ entry: string; outfile: string }> = [
  { entry: 'packages/codec/src/cli/odid.ts', outfile: 'packages/codec/dist/odid.mjs' },
  { entry: 'packages/broadcaster/src/cli/rid-broadcast.ts', outfile: 'packages/broadcaster/dist/rid-broadcast.mjs' },
  { entry: 'packages/receiver/src/cli/rid-scan.ts', outfile: 'packages/receiver/dist/rid-scan.mjs' },
];

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  execFileSync(process.execPath, [path.join(root, 'node_modules/typescript/bin/tsc'), '-p', path.join(root, 'tsconfig.json')], { stdio: 'inherit' });
  for (const p of PROGRAMS) {
    await bundle(path.join(root, p.entry), path.join(root, p.outfile));
    console.log(`built ${p.outfile}`);
  }
}
