/**
 * Builds the map page `rid-scan --web` serves into packages/receiver/dist/web/:
 *
 *   index.html         the page (no inline script or style: the CSP forbids them)
 *   app.js, app.css    the page's code and styles, Leaflet's CSS included, its images inlined as data: URLs
 *   chunks/*.js        code loaded on demand (the PMTiles basemap renderer, only with --basemap)
 *   world.json         Natural Earth countries (world-atlas countries-110m), GeoJSON
 *   world-50m.json     Natural Earth land and borders at 1:50m, for zoom 5 and closer
 *   LICENSES.txt       the licences of the code bundled in
 *
 * Everything is made here, at build time: the page fetches nothing but these files, from the receiver
 * itself. The build fails if a file refers to another origin (an http(s) URL in index.html, or in a
 * src=, href= or url( of the bundle), or if the whole grows past SIZE_LIMIT.
 *
 * Run: tsx --conditions=@odid/source packages/receiver/web/build.ts [--out DIR] [--sourcemap] [--no-minify] (part of `pnpm build`).
 */

import { mkdirSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build, type Plugin } from 'esbuild';
import { feature, mesh } from 'topojson-client';

const webDir = path.dirname(fileURLToPath(import.meta.url));
const receiverDir = path.resolve(webDir, '..');
const require = createRequire(path.join(receiverDir, 'package.json'));

/** The whole page, all files: a phone on a receiver's Wi-Fi loads it at start. */
export const SIZE_LIMIT = 2_300_000;
/** Decimal places kept in the world outlines: 0.001° is ~100 m, finer than a 1:50m map shows. */
const WORLD_DECIMALS = 3;

export interface WebBuildResult {
  outDir: string;
  files: { name: string; bytes: number }[];
  total: number;
}

export async function buildWebPage(outDir = path.join(receiverDir, 'dist/web'), opts: { sourcemap?: boolean; minify?: boolean } = {}): Promise<WebBuildResult> {
  rmSync(outDir, { recursive: true, force: true });
  mkdirSync(outDir, { recursive: true });

  const result = await build({
    entryPoints: { app: path.join(webDir, 'main.ts') },
    outdir: outDir,
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'browser',
    // Phones a few years old: Chrome/WebView 87, Safari 15 (iOS 15), Firefox 78 ESR. Syntax is lowered to
    // these; the DOM APIs the page uses (replaceChildren, ResizeObserver, DataTransfer) are all in them.
    target: ['chrome87', 'safari15', 'firefox78', 'edge87'],
    // The tracker's modules import file helpers (@odid/commands) for loading zones and allow-lists from
    // disk, which the page never calls: tree-shaking drops them, and checkBrowserOnly proves it.
    external: ['node:*'],
    conditions: ['@odid/source'],
    mainFields: ['browser', 'module', 'main'],
    minify: opts.minify ?? true,
    // Source maps only on request (--sourcemap): they would double what the page weighs.
    sourcemap: opts.sourcemap ? 'linked' : false,
    sourcesContent: false,
    legalComments: 'linked',
    entryNames: '[name]',
    chunkNames: 'chunks/[name]-[hash]',
    assetNames: 'assets/[name]-[hash]',
    // Leaflet's control icons: inlined, so the page needs no image files.
    loader: { '.png': 'dataurl', '.svg': 'dataurl', '.gif': 'dataurl' },
    plugins: [leafletEsm(), browserOnlyPosition(), plainAttribution()],
    // Leaflet reads this global when it loads: markers are placed with left/top rather than 3D transforms,
    // so that a thousand drones are not a thousand compositing layers on a phone drawing without a GPU.
    banner: { js: 'window.L_DISABLE_3D=true;' },
    metafile: true,
    logLevel: 'warning',
    tsconfig: path.join(webDir, 'tsconfig.json'),
  });
  if (result.errors.length) throw new Error('esbuild failed');

  writeFileSync(path.join(outDir, 'index.html'), readFileSync(path.join(webDir, 'index.html')));
  writeWorld(outDir);
  writeLicences(outDir);

  const files = listFiles(outDir).map((name) => ({ name, bytes: statSync(path.join(outDir, name)).size }));
  const total = files.reduce((s, f) => s + f.bytes, 0);
  checkNoExternalOrigins(outDir, files.map((f) => f.name));
  checkBrowserOnly(outDir, files.map((f) => f.name));
  const counted = files.filter((f) => !f.name.endsWith('.map')).reduce((s, f) => s + f.bytes, 0);
  // The limit is for what ships (minified); a --no-minify build for profiling may be larger.
  if (counted > SIZE_LIMIT && opts.minify !== false) throw new Error(`the map page is ${counted} bytes (source maps aside), more than the ${SIZE_LIMIT} allowed: ${files.map((f) => `${f.name} ${f.bytes}`).join(', ')}`);
  return { outDir, files, total };
}

/** Leaflet's ES module build (its package.json names only the UMD one). */
function leafletEsm(): Plugin {
  return {
    name: 'leaflet-esm',
    setup(b) {
      b.onResolve({ filter: /^leaflet$/ }, () => ({ path: require.resolve('leaflet/dist/leaflet-src.esm.js') }));
    },
  };
}

/**
 * The tracker (run in the page on a dropped capture) needs only the geodesy of @odid/position; its
 * index also exports the position sources (serial ports, gpsd sockets), which are Node.
 */
function browserOnlyPosition(): Plugin {
  return {
    name: 'odid-position-geo',
    setup(b) {
      b.onResolve({ filter: /^@odid\/position$/ }, () => ({ path: path.resolve(receiverDir, '../position/src/geo.ts') }));
    },
  };
}

/**
 * Leaflet and protomaps-leaflet put links to their web sites in the attribution line; the page is offline
 * and its CSP allows no other origin, so they are shown as plain text (the credit stays).
 */
function plainAttribution(): Plugin {
  return {
    name: 'plain-attribution',
    setup(b) {
      b.onLoad({ filter: /[\\/]node_modules[\\/](leaflet|protomaps-leaflet)[\\/].*\.js$/ }, (args) => {
        // `<a href="https://…">Name</a>` becomes `Name` (in Leaflet's prefix the text between is code: kept).
        const contents = readFileSync(args.path, 'utf8').replace(/<a href=\\?"https?:\/\/[^"\\]*\\?"[^>]*>([^<]*?)<\/a>/g, '$1');
        return { contents, loader: 'js' };
      });
    },
  };
}

type Topology = Parameters<typeof mesh>[0];
type TopoObject = NonNullable<Parameters<typeof mesh>[1]>;
/** What topojson-client's feature() gives: one Feature, or a FeatureCollection for a GeometryCollection. */
type Features = { features?: { properties: unknown; geometry: Geometry | null }[]; geometry?: Geometry | null };
type Position = [number, number];
type Coordinates = Position | Coordinates[];

/** Rounds coordinates and drops the points rounding made equal to the one before. */
function rounded(c: Coordinates): Coordinates {
  const p = 10 ** WORLD_DECIMALS;
  if (typeof c[0] === 'number') return [Math.round((c as Position)[0] * p) / p, Math.round((c as Position)[1] * p) / p];
  const out: Coordinates[] = [];
  for (const x of (c as Coordinates[]).map(rounded)) {
    const last = out[out.length - 1];
    if (typeof x[0] === 'number' && last && (last as Position)[0] === (x as Position)[0] && (last as Position)[1] === (x as Position)[1]) continue;
    out.push(x);
  }
  return out;
}

function readTopology(file: string): Topology {
  return JSON.parse(readFileSync(require.resolve(`world-atlas/${file}`), 'utf8')) as Topology;
}

interface Geometry {
  type: string;
  coordinates: Coordinates;
}

function writeWorld(outDir: string): void {
  // world.json: the countries at 1:110m, with their names.
  const c110 = readTopology('countries-110m.json');
  const countries = feature(c110, c110.objects.countries as TopoObject) as unknown as Features;
  const world = {
    type: 'FeatureCollection',
    features: (countries.features ?? []).map((f) => ({
      type: 'Feature',
      properties: { kind: 'country', name: (f.properties as { name?: string } | null)?.name ?? '' },
      geometry: f.geometry ? { type: f.geometry.type, coordinates: rounded(f.geometry.coordinates) } : null,
    })),
  };
  writeFileSync(path.join(outDir, 'world.json'), JSON.stringify(world));

  // world-50m.json: land and the borders between countries at 1:50m, for closer zooms.
  const land50 = readTopology('land-50m.json');
  const c50 = readTopology('countries-50m.json');
  const land = feature(land50, land50.objects.land as TopoObject) as unknown as Features;
  const landGeometries = (land.features ? land.features.map((f) => f.geometry) : [land.geometry]).filter((g): g is Geometry => Boolean(g));
  const borders = mesh(c50, c50.objects.countries as TopoObject, (a, b) => a !== b) as unknown as Geometry;
  const detail = {
    type: 'FeatureCollection',
    features: [
      ...landGeometries.map((g) => ({ type: 'Feature', properties: { kind: 'land' }, geometry: { type: g.type, coordinates: rounded(g.coordinates) } })),
      { type: 'Feature', properties: { kind: 'border' }, geometry: { type: borders.type, coordinates: rounded(borders.coordinates) } },
    ],
  };
  writeFileSync(path.join(outDir, 'world-50m.json'), JSON.stringify(detail));
}

function writeLicences(outDir: string): void {
  const licence = (pkg: string, file = 'LICENSE'): string => readFileSync(require.resolve(`${pkg}/${file}`), 'utf8').trim();
  const parts = [
    'The map page bundles the following. Each licence text follows.',
    '',
    '== Leaflet 1.9.4 (BSD-2-Clause) ==',
    licence('leaflet', 'LICENSE'),
    '',
    '== world-atlas 2.0.2 (ISC): Natural Earth data, public domain ==',
    licence('world-atlas'),
    '',
    '== topojson-client 3.1.0 (ISC), used at build time to convert world-atlas to GeoJSON ==',
    licence('topojson-client'),
  ];
  for (const pkg of ['protomaps-leaflet', 'pmtiles']) {
    try {
      parts.push('', `== ${pkg} (loaded only with a --basemap) ==`, licence(pkg));
    } catch {
      parts.push('', `== ${pkg} (loaded only with a --basemap): see its package ==`);
    }
  }
  parts.push('', 'The esbuild-collected licence comments of the bundle are in app.js.LEGAL.txt (and chunks/*.LEGAL.txt).', '');
  writeFileSync(path.join(outDir, 'LICENSES.txt'), parts.join('\n'));
}

function listFiles(dir: string, prefix = ''): string[] {
  const out: string[] = [];
  for (const e of readdirSync(path.join(dir, prefix), { withFileTypes: true })) {
    const rel = prefix ? `${prefix}/${e.name}` : e.name;
    if (e.isDirectory()) out.push(...listFiles(dir, rel));
    else out.push(rel);
  }
  return out.sort();
}

/** Something in the page that would make a browser fetch from, or link to, another origin. */
export function externalReferences(name: string, text: string): string[] {
  const found: string[] = [];
  if (name.endsWith('.html')) {
    for (const m of text.matchAll(/(?:https?:)?\/\/[a-z0-9.-]+[^\s"'<>)]*/gi)) found.push(m[0]);
    return found;
  }
  if (!/\.(js|css)$/.test(name)) return found;
  const patterns = [/\b(?:src|href)\s*=\s*\\?["']?\s*((?:https?:)?\/\/[^\s"'\\>]+)/gi, /url\(\s*\\?["']?\s*((?:https?:)?\/\/[^)\s"'\\]+)/gi, /@import\s+\\?["']((?:https?:)?\/\/[^"'\\]+)/gi];
  for (const re of patterns) for (const m of text.matchAll(re)) found.push(m[1]!);
  return found;
}

/** No Node built-in may be left in the bundle (they were marked external only so tree-shaking could drop them). */
function checkBrowserOnly(outDir: string, names: string[]): void {
  const left = names.filter((n) => n.endsWith('.js') && /\bfrom\s*["']node:|import\(\s*["']node:|require\(\s*["']node:/.test(readFileSync(path.join(outDir, n), 'utf8')));
  if (left.length) throw new Error(`Node built-ins left in the browser bundle: ${left.join(', ')} (a module the page imports uses one at run time)`);
}

function checkNoExternalOrigins(outDir: string, names: string[]): void {
  const problems: string[] = [];
  for (const name of names) {
    if (!/\.(html|js|css)$/.test(name)) continue;
    for (const ref of externalReferences(name, readFileSync(path.join(outDir, name), 'utf8'))) problems.push(`${name}: ${ref}`);
  }
  if (problems.length) throw new Error(`the map page must not refer to other origins (it runs offline, under a CSP of 'self'):\n  ${problems.join('\n  ')}`);
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const i = process.argv.indexOf('--out');
  const out = i > 0 ? path.resolve(process.argv[i + 1] ?? '') : undefined;
  buildWebPage(out, { sourcemap: process.argv.includes('--sourcemap'), minify: !process.argv.includes('--no-minify') }).then(
    (r) => process.stderr.write(`web page: ${path.relative(process.cwd(), r.outDir) || r.outDir}, ${r.files.length} files, ${(r.total / 1024).toFixed(0)} KiB\n`),
    (e: unknown) => {
      process.stderr.write(`web page build failed: ${(e as Error).message}\n`);
      process.exit(1);
    },
  );
}
