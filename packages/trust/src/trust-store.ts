/**
 * The local trust store a receiver loads before it goes offline (remote-id-spec.md §6.5 step 1): a directory
 * with `roots/`, the identity files of the Apex, RAA or HDA registries it trusts, and `endorsements/`,
 * endorsement files provisioned ahead (Apex→RAA, RAA→HDA: the links a UA may not broadcast). Every file is
 * checked as it is loaded; a bad one stops the load with its name and what was expected.
 */

import { readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { detToText, type DripLink } from '@odid/codec';
import { readEndorsement } from './endorse.js';
import { TrustError } from './errors.js';
import { readIdentity, type DripIdentity } from './keys.js';

export const ROOTS_DIR = 'roots';
export const ENDORSEMENTS_DIR = 'endorsements';
/** At most this many files in each of the two directories. */
export const TRUST_STORE_MAX_FILES = 10_000;

export interface TrustStore {
  /** Keys trusted as they are: a chain that reaches one is trusted. */
  roots: DripIdentity[];
  /** Endorsements known without hearing them. */
  endorsements: DripLink[];
}

/** A store made in code (tests, a receiver's own configuration). */
export function trustStore(parts: Partial<TrustStore> = {}): TrustStore {
  return { roots: [...(parts.roots ?? [])], endorsements: [...(parts.endorsements ?? [])] };
}

/** Loads DIR/roots/*.json (identities) and DIR/endorsements/*.json (endorsements). */
export function loadTrustStore(dir: string): TrustStore {
  let st;
  try {
    st = statSync(dir);
  } catch {
    throw new TrustError('unreadable', dir, 'does not exist', `create it with ${ROOTS_DIR}/ and ${ENDORSEMENTS_DIR}/ inside`);
  }
  if (!st.isDirectory()) throw new TrustError('bad-file', dir, `is not a directory; expected a trust store (${ROOTS_DIR}/ and ${ENDORSEMENTS_DIR}/)`);
  const roots = jsonFiles(path.join(dir, ROOTS_DIR), 'identity files of trusted registries (rid-keys create writes NAME.id.json)').map(readIdentity);
  if (roots.length === 0) {
    throw new TrustError('bad-file', path.join(dir, ROOTS_DIR), 'holds no trusted root: nothing could ever be verified', `copy the NAME.id.json of the Apex, RAA or HDA you trust into ${path.join(dir, ROOTS_DIR)}`);
  }
  const endorsements = jsonFiles(path.join(dir, ENDORSEMENTS_DIR), 'endorsement files (rid-keys endorse --out FILE)').map(readEndorsement);
  const seen = new Set<string>();
  for (const r of roots) {
    const det = detToText(r.det);
    if (seen.has(det)) throw new TrustError('bad-file', path.join(dir, ROOTS_DIR), `holds DET ${det} twice`);
    seen.add(det);
  }
  return { roots, endorsements };
}

/** The .json files of a directory (absent: none), sorted; anything else but hidden files is refused. */
function jsonFiles(dir: string, expected: string): string[] {
  let entries;
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw new TrustError('unreadable', dir, `cannot be read (${(e as NodeJS.ErrnoException).code ?? String(e)})`);
  }
  if (entries.length > TRUST_STORE_MAX_FILES) throw new TrustError('too-large', dir, `holds ${entries.length} entries, at most ${TRUST_STORE_MAX_FILES} are read`);
  const files: string[] = [];
  for (const e of entries) {
    if (e.name.startsWith('.')) continue;
    const file = path.join(dir, e.name);
    if (!e.name.endsWith('.json')) throw new TrustError('bad-file', file, `is not a .json file; ${path.basename(dir)}/ holds ${expected}`);
    files.push(file);
  }
  return files.sort();
}
