/** The codec's decompressors, one file per format (the shared shapes are in compression.ts). */

import type { CompressionFormat, Decompressor } from './compression.js';
import { GzipDecompressor } from './gzip.js';
import { Lz4Decompressor } from './lz4.js';
import { ZstdDecompressor } from './zstd.js';

/** The codec's own (pure JavaScript, browser-safe) decompressor for a format. */
export function createDecompressor(format: CompressionFormat): Decompressor {
  switch (format) {
    case 'gzip':
      return new GzipDecompressor();
    case 'zstd':
      return new ZstdDecompressor();
    case 'lz4':
      return new Lz4Decompressor();
  }
}
