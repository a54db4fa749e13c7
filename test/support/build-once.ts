/**
 * Vitest global setup: compiles every package to dist/ once before any test file runs (tsc -b is incremental,
 * so a second run with nothing changed takes a second), and bundles the map page into packages/receiver/dist/web.
 * Tests that run the programs as a user does — plain node on the built bins — and the packaging test rely on it.
 */
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

export default function setup(): void {
  // Working on one package while another is mid-change: ODID_SKIP_BUILD=1 runs the tests against dist/ as it is.
  if (process.env.ODID_SKIP_BUILD === '1') return;
  execFileSync(process.execPath, [path.join(repoRoot, 'node_modules/typescript/bin/tsc'), '-b', path.join(repoRoot, 'tsconfig.build.json')], { cwd: repoRoot, stdio: 'inherit' });
  // The map page rid-scan --web serves (dist/web), bundled as `pnpm build` bundles it.
  execFileSync(path.join(repoRoot, 'node_modules/.bin/tsx'), ['--conditions=@odid/source', path.join(repoRoot, 'packages/receiver/web/build.ts')], { cwd: repoRoot, stdio: 'inherit' });
}
