/**
 * A tiny PMTiles v3 basemap for the map page's tests (spec: github.com/protomaps/PMTiles, spec/v3): one
 * uncompressed tile at zoom 0 whose "earth" layer is a square over the whole world, so that protomaps-
 * leaflet has something to draw at any zoom (over-zoomed from z0).
 */

const enc = new TextEncoder();

function varint(n: number, out: number[]): void {
  while (n >= 0x80) {
    out.push((n & 0x7f) | 0x80);
    n = Math.floor(n / 128);
  }
  out.push(n);
}

const zigzag = (n: number): number => (n << 1) ^ (n >> 31);

/** A protobuf length-delimited field. */
function bytesField(field: number, bytes: number[] | Uint8Array, out: number[]): void {
  varint((field << 3) | 2, out);
  varint(bytes.length, out);
  out.push(...bytes);
}

function varintField(field: number, value: number, out: number[]): void {
  varint((field << 3) | 0, out);
  varint(value, out);
}

/** An MVT tile with one layer holding one polygon over the whole tile. */
function earthTile(): Uint8Array {
  const extent = 4096;
  const geometry: number[] = [];
  // MoveTo(0,0); LineTo +x, +y, -x; ClosePath: clockwise with y down, an exterior ring.
  for (const v of [(1 & 7) | (1 << 3), zigzag(0), zigzag(0), (2 & 7) | (3 << 3), zigzag(extent), zigzag(0), zigzag(0), zigzag(extent), zigzag(-extent), zigzag(0), (7 & 7) | (1 << 3)]) varint(v, geometry);
  const feature: number[] = [];
  varintField(3, 3, feature); // type POLYGON
  bytesField(4, geometry, feature); // packed geometry
  const layer: number[] = [];
  varintField(15, 2, layer); // version
  bytesField(1, enc.encode('earth'), layer);
  bytesField(2, feature, layer);
  varintField(5, extent, layer);
  const tile: number[] = [];
  bytesField(3, layer, tile);
  return Uint8Array.from(tile);
}

export function tinyPmtiles(): Uint8Array {
  const tile = earthTile();
  // Root directory: one entry (tile id 0, run length 1, length, offset 0 written as offset + 1).
  const dir: number[] = [];
  varint(1, dir);
  varint(0, dir); // tile id delta
  varint(1, dir); // run length
  varint(tile.length, dir);
  varint(0 + 1, dir);
  const metadata = enc.encode('{"name":"test earth"}');
  const header = new Uint8Array(127);
  const v = new DataView(header.buffer);
  header.set(enc.encode('PMTiles'), 0);
  header[7] = 3;
  const rootOffset = 127;
  const metaOffset = rootOffset + dir.length;
  const tileOffset = metaOffset + metadata.length;
  const u64 = (at: number, n: number): void => v.setBigUint64(at, BigInt(n), true);
  u64(8, rootOffset);
  u64(16, dir.length);
  u64(24, metaOffset);
  u64(32, metadata.length);
  u64(40, tileOffset); // no leaf directories
  u64(48, 0);
  u64(56, tileOffset);
  u64(64, tile.length);
  u64(72, 1); // addressed tiles
  u64(80, 1); // tile entries
  u64(88, 1); // tile contents
  header[96] = 1; // clustered
  header[97] = 1; // internal compression: none
  header[98] = 1; // tile compression: none
  header[99] = 1; // tile type: MVT
  header[100] = 0; // min zoom
  header[101] = 0; // max zoom
  v.setInt32(102, -180e7, true);
  v.setInt32(106, -85e7, true);
  v.setInt32(110, 180e7, true);
  v.setInt32(114, 85e7, true);
  header[118] = 0;
  v.setInt32(119, 0, true);
  v.setInt32(123, 0, true);
  const out = new Uint8Array(tileOffset + tile.length);
  out.set(header, 0);
  out.set(dir, rootOffset);
  out.set(metadata, metaOffset);
  out.set(tile, tileOffset);
  return out;
}
