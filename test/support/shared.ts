/** Paths into ../shared (the reference material lives beside the clone and is never copied in). */
import { fileURLToPath } from 'node:url';
import { existsSync } from 'node:fs';
import path from 'node:path';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const sharedDir = path.resolve(repoRoot, '../shared');
export const sharedPath = (...parts: string[]): string => {
  const p = path.join(sharedDir, ...parts);
  if (!existsSync(p)) throw new Error(`missing reference file ${p}: ../shared must sit beside the clone`);
  return p;
};
export { repoRoot };
