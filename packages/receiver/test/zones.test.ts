/**
 * Zones files: what parses, every way one can be wrong (the error naming the file, the feature and what was
 * expected), point-in-polygon with holes, MultiPolygons and altitude bands, loading (JSON syntax errors by
 * line and column, the 1 MiB limit) and saving (validated first, replaced atomically).
 */
import { existsSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { locateJsonError, parseJsonText } from '../src/tracker/json-text.js';
import { ZonesError, loadZonesFile, parseZones, saveZonesFile, zoneContains, zoneContainsPosition, zonesAt, zonesToGeoJson, type Zone } from '../src/tracker/zones.js';
import { Random } from '../../../test/support/random.js';
import { DEPOTS, IN_DEPOT_2, IN_HOLE, IN_STADIUM, OUTSIDE, STADIUM, box, collection } from './zone-fixtures.js';

const dir = mkdtempSync(path.join(tmpdir(), 'odid-zones-'));
const clone = <T>(v: T): T => JSON.parse(JSON.stringify(v)) as T;
const feature = (geometry: unknown, properties: unknown = { name: 'Z' }): unknown => ({ type: 'Feature', properties, geometry });
const polygon = (...rings: unknown[]): unknown => ({ type: 'Polygon', coordinates: rings });

/** The message parseZones throws for `json`. */
function errorOf(json: unknown, source = 'zones.geojson'): string {
  try {
    parseZones(json, source);
  } catch (e) {
    expect(e).toBeInstanceOf(ZonesError);
    return (e as Error).message;
  }
  throw new Error('parsed without error');
}

describe('parseZones: valid collections', () => {
  it('Polygon with a hole, MultiPolygon, floor/ceiling, a third coordinate ignored', () => {
    const withAlt = clone(DEPOTS) as { geometry: { coordinates: number[][][][] } };
    withAlt.geometry.coordinates[0]![0]![0]!.push(35);
    withAlt.geometry.coordinates[0]![0]!.at(-1)!.push(35);
    const zones = parseZones(collection(STADIUM, withAlt, feature(polygon(box(0, 0, 1, 1)), { name: 'Band', floor: 10, ceiling: 20, fill: '#f00' })), 'zones.geojson');
    expect(zones.map((z) => [z.name, z.floor, z.ceiling])).toEqual([
      ['Stadium', undefined, 400],
      ['Depots', undefined, undefined],
      ['Band', 10, 20],
    ]);
    expect(zones[0]!.bbox).toEqual([13.4, 52.515, 13.41, 52.525]);
    expect(zones[1]!.bbox).toEqual([13.42, 52.515, 13.45, 52.525]);
    expect(zones[1]!.polygons).toHaveLength(2);
  });

  it('an empty collection is no zones; null floor/ceiling are absent; foreign members are ignored', () => {
    expect(parseZones({ type: 'FeatureCollection', features: [] }, 'z')).toEqual([]);
    const [z] = parseZones({ type: 'FeatureCollection', bbox: [0, 0, 1, 1], features: [{ ...(feature(polygon(box(0, 0, 1, 1)), { name: 'N', floor: null, ceiling: null }) as object), id: 7 }] }, 'z');
    expect(z!.floor).toBeUndefined();
    expect(z!.ceiling).toBeUndefined();
  });

  it('zonesToGeoJson gives back a clean collection that parses to the same zones', () => {
    const zones = parseZones(collection(STADIUM, DEPOTS), 'z');
    const again = parseZones(JSON.parse(JSON.stringify(zonesToGeoJson(zones))), 'z');
    expect(again.map((z) => [z.name, z.ceiling, z.geometry])).toEqual(zones.map((z) => [z.name, z.ceiling, z.geometry]));
    expect(zonesToGeoJson(zones).features[0]!.properties).toEqual({ name: 'Stadium', ceiling: 400 });
  });
});

describe('parseZones: every kind of bad input names the file, the feature and what was expected', () => {
  const ok = polygon(box(0, 0, 1, 1));
  const cases: [string, unknown, string][] = [
    ['not an object', [], 'zones.geojson: expected a GeoJSON FeatureCollection (an object), got an array'],
    ['null', null, 'zones.geojson: expected a GeoJSON FeatureCollection (an object), got null'],
    ['a single Feature', feature(ok), 'zones.geojson: expected a GeoJSON FeatureCollection, got type "Feature"'],
    ['no type', { features: [] }, 'zones.geojson: expected a GeoJSON FeatureCollection, got an object without "type"'],
    ['features not an array', { type: 'FeatureCollection', features: {} }, 'zones.geojson: "features" must be an array of Feature objects, got an object'],
    ['a feature that is a string', collection('x'), 'zones.geojson: feature 0: expected a Feature object, got a string'],
    ['a feature of another type', collection({ type: 'Polygon', coordinates: [] }), 'zones.geojson: feature 0: expected "type": "Feature", got "Polygon"'],
    ['no properties', collection({ type: 'Feature', geometry: ok }), 'zones.geojson: feature 0: "properties" must be an object with a "name", got undefined'],
    ['no name', collection(feature(ok, {})), 'zones.geojson: feature 0: properties.name must be a non-empty string, got undefined'],
    ['a blank name', collection(feature(ok, { name: '  ' })), 'zones.geojson: feature 0: properties.name must be a non-empty string, got a string'],
    ['a numeric name', collection(feature(ok, { name: 5 })), 'zones.geojson: feature 0: properties.name must be a non-empty string, got the number 5'],
    ['a long name', collection(feature(ok, { name: 'x'.repeat(101) })), 'zones.geojson: feature 0: properties.name is longer than 100 characters'],
    ['a name with a line break', collection(feature(ok, { name: 'a\nb' })), 'zones.geojson: feature 0: properties.name holds a control character'],
    ['a floor as text', collection(feature(ok, { name: 'Z', floor: '10' })), 'zones.geojson: feature 0: properties.floor must be a number of metres, got a string'],
    ['a ceiling out of range', collection(feature(ok, { name: 'Z', ceiling: 1e6 })), 'zones.geojson: feature 0: properties.ceiling must be -1000..100000 metres, got 1000000'],
    ['floor above ceiling', collection(feature(ok, { name: 'Z', floor: 100, ceiling: 50 })), 'zones.geojson: feature 0: properties.floor (100 m) is above properties.ceiling (50 m)'],
    ['no geometry', collection(feature(null)), 'zones.geojson: feature 0: "geometry" must be a Polygon or MultiPolygon object, got null'],
    ['a Point', collection(feature(ok), feature({ type: 'Point', coordinates: [0, 0] })), 'zones.geojson: feature 1: geometry type "Point" is not a zone: expected Polygon or MultiPolygon'],
    ['no rings', collection(feature(polygon())), 'zones.geojson: feature 0: polygon coordinates must be a non-empty array of rings, got an array'],
    ['a ring that is not an array', collection(feature(polygon(5))), 'zones.geojson: feature 0: polygon ring 0 must be an array of [longitude, latitude] positions, got the number 5'],
    ['a position of one number', collection(feature(polygon([[0, 0], [1], [1, 1], [0, 0]]))), 'zones.geojson: feature 0: polygon ring 0 position 1 must be [longitude, latitude] (numbers), got an array of 1'],
    ['a position as text', collection(feature(polygon([[0, 0], ['1', 0], [1, 1], [0, 0]]))), 'zones.geojson: feature 0: polygon ring 0 position 1 must be [longitude, latitude] (numbers), got an array of 2'],
    ['a longitude beyond 180', collection(feature(polygon([[13.4, 52.5], [13.5, 52.5], [190, 52.6], [13.4, 52.5]]))), 'zones.geojson: feature 0: polygon ring 0 position 2: longitude 190 is outside -180..180'],
    ['a latitude beyond 90', collection(feature(polygon([[0, 0], [1, 95], [1, 1], [0, 0]]))), 'zones.geojson: feature 0: polygon ring 0 position 1: latitude 95 is outside -90..90'],
    ['an open ring', collection(feature(polygon([[0, 0], [1, 0], [1, 1], [0, 1]]))), 'zones.geojson: feature 0: polygon ring 0 is not closed: its last position must repeat its first'],
    ['a hole of 3 positions', collection(feature(polygon(box(0, 0, 1, 1), [[0.1, 0.1], [0.2, 0.2], [0.1, 0.1]]))), 'zones.geojson: feature 0: polygon ring 1 has 3 positions, a ring needs at least 4'],
    ['an empty MultiPolygon', collection(feature({ type: 'MultiPolygon', coordinates: [] })), 'zones.geojson: feature 0: MultiPolygon coordinates must be a non-empty array of polygons'],
    ['a bad MultiPolygon part', collection(feature({ type: 'MultiPolygon', coordinates: [[box(0, 0, 1, 1)], [[[0, 0], [1, 1]]]] })), 'zones.geojson: feature 0: polygon 1 ring 0 has 2 positions, a ring needs at least 4'],
  ];
  for (const [name, json, expected] of cases) {
    it(name, () => expect(errorOf(json)).toContain(expected));
  }

  it('the example of the issue, word for word', () => {
    const features = [0, 1, 2].map(() => feature(ok));
    features.push(feature(polygon([[0, 0], [1, 1]])));
    expect(errorOf({ type: 'FeatureCollection', features })).toMatch(/^zones\.geojson: feature 3: polygon ring 0 has 2 positions, a ring needs at least 4\b/);
  });
});

describe('inside a zone', () => {
  const [stadium, depots] = parseZones(collection(STADIUM, DEPOTS), 'z') as [Zone, Zone];

  it('ray casting: inside, outside, in the hole (outside), each part of a MultiPolygon', () => {
    expect(zoneContainsPosition(stadium, IN_STADIUM.lat, IN_STADIUM.lon)).toBe(true);
    expect(zoneContainsPosition(stadium, IN_HOLE.lat, IN_HOLE.lon)).toBe(false);
    expect(zoneContainsPosition(stadium, OUTSIDE.lat, OUTSIDE.lon)).toBe(false);
    expect(zoneContainsPosition(depots, IN_DEPOT_2.lat, IN_DEPOT_2.lon)).toBe(true);
    expect(zoneContainsPosition(depots, 52.52, 13.425)).toBe(true);
    // Between the two parts: inside the zone's bounding box, in neither polygon.
    expect(zoneContainsPosition(depots, 52.52, 13.435)).toBe(false);
  });

  it('a concave outline: the notch is outside though inside the bounding box', () => {
    const [l] = parseZones(collection(feature(polygon([[0, 0], [2, 0], [2, 1], [1, 1], [1, 2], [0, 2], [0, 0]]), { name: 'L' })), 'z');
    expect(zoneContainsPosition(l!, 0.5, 0.5)).toBe(true);
    expect(zoneContainsPosition(l!, 1.5, 0.5)).toBe(true);
    expect(zoneContainsPosition(l!, 0.5, 1.5)).toBe(true);
    expect(zoneContainsPosition(l!, 1.5, 1.5)).toBe(false);
  });

  it('floor and ceiling: inclusive; a banded zone never holds a point without altitude; ignoreBand (operators) skips them', () => {
    const [band] = parseZones(collection(feature(polygon(box(13.4, 52.515, 13.41, 52.525)), { name: 'Band', floor: 50, ceiling: 120 })), 'z');
    const at = (alt?: number) => ({ ...IN_STADIUM, ...(alt === undefined ? {} : { alt }) });
    expect(zoneContains(band!, at(49.9))).toBe(false);
    expect(zoneContains(band!, at(50))).toBe(true);
    expect(zoneContains(band!, at(120))).toBe(true);
    expect(zoneContains(band!, at(120.1))).toBe(false);
    expect(zoneContains(band!, at())).toBe(false);
    expect(zoneContains(band!, at(), true)).toBe(true);
    expect(zoneContains(band!, { ...OUTSIDE, alt: 100 })).toBe(false);
    // Only a ceiling: everything below it.
    expect(zoneContains(stadium, at(-50))).toBe(true);
    expect(zoneContains(stadium, at(401))).toBe(false);
    // No band: altitude does not matter, unknown included.
    expect(zoneContains(depots, { ...IN_DEPOT_2 })).toBe(true);
  });

  it('zonesAt: names in the zones order, each once (a zone drawn in two features)', () => {
    const zones = parseZones(collection(DEPOTS, STADIUM, { ...STADIUM, geometry: { type: 'Polygon', coordinates: [box(13.395, 52.515, 13.4, 52.525)] } }), 'z');
    expect(zonesAt(zones, { ...IN_STADIUM, alt: 100 })).toEqual(['Stadium']);
    expect(zonesAt(zones, { lat: 52.52, lon: 13.397, alt: 100 })).toEqual(['Stadium']);
    expect(zonesAt(zones, { ...IN_DEPOT_2 })).toEqual(['Depots']);
    expect(zonesAt(zones, { ...OUTSIDE })).toEqual([]);
  });
});

describe('loadZonesFile', () => {
  const write = (name: string, text: string | Buffer): string => {
    const p = path.join(dir, name);
    writeFileSync(p, text);
    return p;
  };
  const loadError = (p: string): string => {
    try {
      loadZonesFile(p);
    } catch (e) {
      expect(e).toBeInstanceOf(ZonesError);
      return (e as Error).message;
    }
    throw new Error('loaded without error');
  };

  it('reads a valid file (with a byte-order mark too)', () => {
    expect(loadZonesFile(write('ok.geojson', JSON.stringify(collection(STADIUM, DEPOTS), null, 2))).map((z) => z.name)).toEqual(['Stadium', 'Depots']);
    expect(loadZonesFile(write('bom.geojson', '\ufeff' + JSON.stringify(collection(STADIUM)))).map((z) => z.name)).toEqual(['Stadium']);
  });

  it('JSON syntax errors by line and column', () => {
    const p1 = write('comma.geojson', '{\n  "type": "FeatureCollection",\n  "features": [],\n}\n');
    expect(loadError(p1)).toBe(`${p1}: not valid JSON: line 4, column 1: a comma before '}' is not allowed in JSON`);
    const p2 = write('missing.geojson', '{\n  "type": "FeatureCollection"\n  "features": []\n}');
    expect(loadError(p2)).toBe(`${p2}: not valid JSON: line 3, column 3: expected ',' or '}' after a property value, found '"'`);
    const p3 = write('empty.geojson', '');
    expect(loadError(p3)).toBe(`${p3}: not valid JSON: line 1, column 1: unexpected end of the file, expected a value`);
    const p4 = write('string.geojson', '{"type": "Feature\n');
    expect(loadError(p4)).toMatch(/line 1, column 18: character U\+000A inside a string/);
    const p5 = write('single.geojson', "{'type': 1}");
    expect(loadError(p5)).toMatch(/line 1, column 2: expected a property name in double quotes, found '''/);
  });

  it('a valid JSON file that is not zones names the file and the feature', () => {
    const p = write('bad.geojson', JSON.stringify(collection(STADIUM, feature({ type: 'LineString', coordinates: [[0, 0], [1, 1]] }))));
    expect(loadError(p)).toBe(`${p}: feature 1: geometry type "LineString" is not a zone: expected Polygon or MultiPolygon`);
  });

  it('at most 1 MiB; a file that cannot be read says why', () => {
    const p = write('big.geojson', Buffer.alloc((1 << 20) + 1, 0x20));
    expect(loadError(p)).toBe(`${p}: larger than 1 MiB (zones files are a few kilobytes)`);
    expect(loadError(path.join(dir, 'absent.geojson'))).toMatch(/absent\.geojson: cannot read: ENOENT$/);
    expect(loadError(dir)).toMatch(/cannot read: EISDIR$/);
  });
});

describe('saveZonesFile', () => {
  it('validates, writes, and the file loads back to the same zones; no temporary file is left', async () => {
    const p = path.join(dir, 'saved.geojson');
    const zones = await saveZonesFile(p, collection(STADIUM, DEPOTS));
    expect(zones.map((z) => z.name)).toEqual(['Stadium', 'Depots']);
    expect(loadZonesFile(p).map((z) => z.geometry)).toEqual(zones.map((z) => z.geometry));
    // Replaced whole by the next save.
    await saveZonesFile(p, collection(DEPOTS));
    expect(loadZonesFile(p).map((z) => z.name)).toEqual(['Depots']);
    expect(readdirSync(dir).filter((f) => f.includes('saved.geojson') && f.endsWith('.tmp'))).toEqual([]);
  });

  it('an invalid collection is refused and the file stays as it was', async () => {
    const p = path.join(dir, 'kept.geojson');
    await saveZonesFile(p, collection(STADIUM));
    const before = readFileSync(p, 'utf8');
    await expect(saveZonesFile(p, collection(STADIUM, feature(polygon([[0, 0], [1, 1]]))))).rejects.toThrow(`${p}: feature 1: polygon ring 0 has 2 positions`);
    await expect(saveZonesFile(p, { features: [] })).rejects.toBeInstanceOf(ZonesError);
    expect(readFileSync(p, 'utf8')).toBe(before);
  });

  it('refuses what could not be loaded back (over 1 MiB), writing nothing', async () => {
    const p = path.join(dir, 'huge.geojson');
    const ring: number[][] = [];
    for (let i = 0; i < 40_000; i++) ring.push([13.4 + (i % 1000) * 1e-5, 52.5 + Math.floor(i / 1000) * 1e-5]);
    ring.push(ring[0]!);
    await expect(saveZonesFile(p, collection(feature(polygon(ring), { name: 'Huge' })))).rejects.toThrow(/not saved: \d+ bytes is larger than the 1 MiB/);
    expect(existsSync(p)).toBe(false);
  });
});

describe('the JSON syntax locator', () => {
  it('finds nothing in valid JSON and an error wherever JSON.parse fails (random damage to a zones file)', () => {
    const text = JSON.stringify(collection(STADIUM, DEPOTS, feature(polygon(box(-1.5e-3, -2, 3e2, 4)), { name: 'é "q" \\ \u2603', floor: -1.25e1 })), null, 1);
    expect(locateJsonError(text)).toBeUndefined();
    for (const valid of ['0', '-0.5e+3', '"\\u00e9\\n"', '[]', '{}', ' [1, [2, {"a": null}], true, false] ']) expect(locateJsonError(valid), valid).toBeUndefined();
    const r = new Random(7);
    const random = (n: number): number => r.int(n);
    const junk = ['', ',', '}', ']', '"', ':', 'x', '\n', '1', '-', '.', 'e', '\\', '\u0001', '{', '['];
    for (let k = 0; k < 2000; k++) {
      const at = random(text.length);
      const damaged = text.slice(0, at) + junk[random(junk.length)] + text.slice(at + random(3));
      let valid = true;
      try {
        JSON.parse(damaged);
      } catch {
        valid = false;
      }
      const found = locateJsonError(damaged);
      expect(found === undefined, damaged.slice(Math.max(0, at - 20), at + 20)).toBe(valid);
      if (found) expect(parseJsonText(damaged)).toMatchObject({ ok: false, line: found.line, column: found.column });
    }
  });
});
