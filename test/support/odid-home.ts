/**
 * Vitest global setup: no test touches the user's home. ODID_HOME (where rid-scan keeps the receiver's
 * signing key) is a temporary directory for the whole run, every test process and the programs they start
 * inheriting it. It holds a key made beforehand, so no run announces creating one; tests of the creation
 * set an ODID_HOME of their own.
 */
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

export default function setup(): () => void {
  const dir = mkdtempSync(path.join(tmpdir(), 'odid-home-'));
  writeFileSync(path.join(dir, 'receiver-key.pem'), generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600 });
  process.env.ODID_HOME = dir;
  return () => rmSync(dir, { recursive: true, force: true });
}
