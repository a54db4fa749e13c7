/** The receiver software's name and version, as recordings state what wrote them. */

import { readFileSync } from 'node:fs';

let cached: string | undefined;

/** "@odid/receiver 0.1.0 (Node v20.19.0)": read once from the package's own package.json. */
export function receiverSoftware(): string {
  if (cached) return cached;
  let name = '@odid/receiver';
  let version = 'unknown version';
  try {
    // Two levels up from src/outputs and from dist/outputs alike.
    const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { name?: unknown; version?: unknown };
    if (typeof pkg.name === 'string') name = pkg.name;
    if (typeof pkg.version === 'string') version = pkg.version;
  } catch {
    // A bundled copy without its package.json still records, saying it does not know its version.
  }
  cached = `${name} ${version} (Node ${process.version})`;
  return cached;
}
