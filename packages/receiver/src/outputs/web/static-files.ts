/**
 * The page's files, served from the folder the build wrote (dist/web). The set of servable names is read
 * once at start: a request can only ever name one of those files, never pick a path. The optional local
 * basemap (PMTiles) is served with HTTP range requests, which is how the map library reads it.
 */

import { createReadStream, readdirSync, statSync } from 'node:fs';
import type { ServerResponse } from 'node:http';
import path from 'node:path';

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.map': 'application/json',
  '.woff2': 'font/woff2',
  '.pmtiles': 'application/octet-stream',
};

export const contentTypeOf = (file: string): string => CONTENT_TYPES[path.extname(file).toLowerCase()] ?? 'application/octet-stream';

/** URL path ("/app.js") -> file, for every regular file under `dir` (one level of subfolders is enough for a build). */
export function listAssets(dir: string): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (sub: string, depth: number): void => {
    for (const entry of readdirSync(path.join(dir, sub), { withFileTypes: true })) {
      const rel = sub ? `${sub}/${entry.name}` : entry.name;
      if (entry.isFile()) out.set(`/${rel}`, path.join(dir, rel));
      else if (entry.isDirectory() && depth < 2) walk(rel, depth + 1);
    }
  };
  walk('', 0);
  return out;
}

/**
 * Sends a file, whole or the byte range asked for (a single `bytes=a-b`, `bytes=a-` or `bytes=-n`);
 * 416 for a range outside the file.
 */
export function sendFile(res: ServerResponse, file: string, rangeHeader: string | undefined, headOnly = false): void {
  const size = statSync(file).size;
  res.setHeader('Content-Type', contentTypeOf(file));
  res.setHeader('Accept-Ranges', 'bytes');
  let start = 0;
  let end = size - 1;
  if (rangeHeader !== undefined) {
    const range = parseRange(rangeHeader, size);
    if (range === undefined) {
      res.writeHead(416, { 'Content-Range': `bytes */${size}` });
      res.end();
      return;
    }
    [start, end] = range;
    res.statusCode = 206;
    res.setHeader('Content-Range', `bytes ${start}-${end}/${size}`);
  }
  res.setHeader('Content-Length', String(size === 0 ? 0 : end - start + 1));
  if (headOnly || size === 0) {
    res.end();
    return;
  }
  const stream = createReadStream(file, { start, end });
  stream.on('error', () => res.destroy());
  stream.pipe(res);
}

/** [start, end] inclusive, or undefined when unsatisfiable or not a single byte range. */
export function parseRange(header: string, size: number): [number, number] | undefined {
  const m = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (!m || (m[1] === '' && m[2] === '')) return undefined;
  let start: number;
  let end: number;
  if (m[1] === '') {
    const suffix = Number(m[2]);
    if (suffix === 0) return undefined;
    start = Math.max(0, size - suffix);
    end = size - 1;
  } else {
    start = Number(m[1]);
    end = m[2] === '' ? size - 1 : Math.min(Number(m[2]), size - 1);
  }
  if (!Number.isSafeInteger(start) || !Number.isSafeInteger(end) || start > end || start >= size) return undefined;
  return [start, end];
}
