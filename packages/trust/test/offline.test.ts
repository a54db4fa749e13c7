/**
 * Verification needs no network: the whole flow (rid-keys, the trust store, the verifier) runs in a child
 * process in which every network entry point of Node throws and is counted (offline-run.ts). It reaches
 * "verified" with none of them called and no socket handle open; a deliberate connection at the end shows
 * the hooks would have caught one.
 */
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { expect, it } from 'vitest';
import { repoRoot } from '../../../test/support/fixtures.js';

it('the whole chain verifies with every network call blocked, and none is attempted', () => {
  const r = spawnSync(path.join(repoRoot, 'node_modules/.bin/tsx'), ['--conditions=@odid/source', path.join(repoRoot, 'packages/trust/test/offline-run.ts')], { cwd: repoRoot, encoding: 'utf8', timeout: 120_000 });
  expect(r.status, r.stderr).toBe(0);
  const out = JSON.parse(r.stdout.trim().split('\n').at(-1)!) as { state: string; reason: string; attemptsDuringRun: string[]; handles: string[]; probeBlocked: boolean };
  expect(out.state, out.reason).toBe('verified');
  expect(out.attemptsDuringRun).toEqual([]);
  // (PipeWrap handles are the child's stdio and tsx's channel to its loader.)
  expect(out.handles.filter((h) => /TCP|UDP|TLS|GetAddrInfo|GetNameInfo|QueryWrap/i.test(h))).toEqual([]);
  expect(out.probeBlocked).toBe(true);
});
