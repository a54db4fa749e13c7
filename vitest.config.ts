import { readdirSync, readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';
import SlowestFirst from './test/support/slowest-first.js';

const root = path.dirname(fileURLToPath(import.meta.url));

/**
 * Tests run the workspace packages from their TypeScript sources, as tsx and the type-checker do through the
 * "@odid/source" export condition: every subpath export of every package maps to the file that condition names.
 */
function sourceAliases(): { find: RegExp; replacement: string }[] {
  const aliases: { find: RegExp; replacement: string }[] = [];
  for (const dir of readdirSync(path.join(root, 'packages'))) {
    const pkg = JSON.parse(readFileSync(path.join(root, 'packages', dir, 'package.json'), 'utf8')) as { name: string; exports?: Record<string, unknown> };
    for (const [sub, target] of Object.entries(pkg.exports ?? {})) {
      const source = typeof target === 'object' && target !== null ? (target as Record<string, string>)['@odid/source'] : undefined;
      if (!source) continue;
      const spec = path.posix.join(pkg.name, sub);
      aliases.push({ find: new RegExp(`^${spec.replace(/[/.]/g, '\\$&')}$`), replacement: path.join(root, 'packages', dir, source) });
    }
  }
  return aliases;
}

export default defineConfig({
  resolve: { alias: sourceAliases() },
  test: {
    include: ['packages/*/test/**/*.test.ts', 'test/**/*.test.ts'],
    // CI reads a plain "N passed, N failed" closing line; the default reporter still shows everything.
    reporters: ['default', './test/support/summary-reporter.ts'],
    // The built programs are tested as users run them: compiled once, before any test file. ODID_HOME is a
    // temporary directory for the run (the receiver's key is never made in the user's home).
    globalSetup: ['./test/support/build-once.ts', './test/support/odid-home.ts'],
    testTimeout: 60_000,
    pool: 'forks',
    // Two files at a time even on two cores, where vitest's default is one: the long files mostly wait (on a
    // browser, a child process, a scene's clock, a broker), and the other file has the core meanwhile.
    maxWorkers: Math.max(2, availableParallelism() - 1),
    // The longest files first (test/support/slowest-first.ts), so that the two finish together.
    sequence: { sequencer: SlowestFirst },
  },
});
